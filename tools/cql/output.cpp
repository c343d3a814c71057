#include "output.hpp"

#include "format.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace cql_tool {

namespace ac = async_cassandra;

namespace {

// cqlsh's layout: " a | b" rows under a dashed rule, numbers right-aligned.
// Widths come from the page at hand; a later page with wider cells widens
// the columns and repeats the header, so nothing waits for the whole result.
class table_writer final : public result_writer {
public:
    explicit table_writer(std::ostream& out) : out_(out) {}

    void page(const ac::result_set& rs) override {
        const auto& cols = rs.columns();
        if (widths_.empty()) {
            for (const auto& c : cols) {
                widths_.push_back(display_width(c.name));
                right_.push_back(is_numeric(c.type));
            }
        }
        const std::size_t n = std::min(cols.size(), widths_.size());
        cells_.clear();
        bool wider = !header_printed_;
        for (std::size_t r = 0; r < rs.size(); ++r) {
            const auto row = rs.row(r);
            for (std::size_t c = 0; c < n; ++c) {
                cells_.push_back(format_value(row.value(c), value_style::table));
                const std::size_t w = display_width(cells_.back());
                if (w > widths_[c]) {
                    widths_[c] = w;
                    wider = true;
                }
            }
        }
        std::string text;
        if (wider) {
            if (header_printed_) text += '\n';
            std::vector<std::string> names;
            for (std::size_t c = 0; c < n; ++c) names.push_back(cols[c].name);
            append_line(text, names.data(), n, false);
            for (std::size_t c = 0; c < n; ++c) {
                if (c > 0) text += '+';
                text.append(widths_[c] + 2, '-');
            }
            text += '\n';
            header_printed_ = true;
        }
        for (std::size_t r = 0; r < rs.size(); ++r) append_line(text, cells_.data() + r * n, n, true);
        out_ << text;
        rows_ += rs.size();
    }

    void finish() override {
        if (!header_printed_) return;  // not a rows result
        out_ << "\n(" << rows_ << (rows_ == 1 ? " row" : " rows") << ")\n";
    }

private:
    void append_line(std::string& text, const std::string* cells, std::size_t n, bool align_numbers) const {
        for (std::size_t c = 0; c < n; ++c) {
            text += c == 0 ? " " : " | ";
            const std::size_t pad = widths_[c] - std::min(widths_[c], display_width(cells[c]));
            const bool right = align_numbers && right_[c];
            if (right) text.append(pad, ' ');
            text += cells[c];
            if (!right && c + 1 < n) text.append(pad, ' ');  // no trailing blanks
        }
        text += '\n';
    }

    std::ostream& out_;
    std::vector<std::size_t> widths_;
    std::vector<bool> right_;
    std::vector<std::string> cells_;
    bool header_printed_ = false;
};

// A header line of column names, then one line per row; null is an empty
// field, the empty string a quoted "" so the two stay apart.
class csv_writer final : public result_writer {
public:
    explicit csv_writer(std::ostream& out) : out_(out) {}

    void page(const ac::result_set& rs) override {
        const auto& cols = rs.columns();
        std::string text;
        if (!header_done_) {
            for (std::size_t c = 0; c < cols.size(); ++c) {
                if (c > 0) text += ',';
                append_csv_field(text, cols[c].name);
            }
            text += '\n';
            header_done_ = true;
        }
        std::string cell;
        for (std::size_t r = 0; r < rs.size(); ++r) {
            const auto row = rs.row(r);
            for (std::size_t c = 0; c < cols.size(); ++c) {
                if (c > 0) text += ',';
                const auto v = row.value(c);
                if (v.is_null()) continue;
                cell.clear();
                append_value(cell, v, value_style::csv);
                if (cell.empty())
                    text += "\"\"";
                else
                    append_csv_field(text, cell);
            }
            text += '\n';
        }
        out_ << text;
        rows_ += rs.size();
    }

private:
    std::ostream& out_;
    bool header_done_ = false;
};

// One JSON object per row and line, keys in column order.
class json_writer final : public result_writer {
public:
    explicit json_writer(std::ostream& out) : out_(out) {}

    void page(const ac::result_set& rs) override {
        const auto& cols = rs.columns();
        if (keys_.empty()) {
            for (const auto& c : cols) {
                std::string k;
                append_json_string(k, c.name);
                keys_.push_back(k + ':');
            }
        }
        const std::size_t n = std::min(cols.size(), keys_.size());
        std::string text;
        for (std::size_t r = 0; r < rs.size(); ++r) {
            const auto row = rs.row(r);
            text += '{';
            for (std::size_t c = 0; c < n; ++c) {
                if (c > 0) text += ',';
                text += keys_[c];
                append_value(text, row.value(c), value_style::json);
            }
            text += "}\n";
        }
        out_ << text;
        rows_ += rs.size();
    }

private:
    std::ostream& out_;
    std::vector<std::string> keys_;
};

}  // namespace

std::unique_ptr<result_writer> make_writer(output_format f, std::ostream& out) {
    switch (f) {
        case output_format::csv: return std::make_unique<csv_writer>(out);
        case output_format::json: return std::make_unique<json_writer>(out);
        case output_format::table: break;
    }
    return std::make_unique<table_writer>(out);
}

}  // namespace cql_tool

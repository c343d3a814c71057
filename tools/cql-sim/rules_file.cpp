#include <cql_sim/rules_file.hpp>

#include <cctype>
#include <optional>
#include <stdexcept>
#include <string>

namespace cql_sim {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

long long number(std::string_view s) {
    const std::string text(s);
    std::size_t used = 0;
    const long long v = std::stoll(text, &used, 0);  // base 0: accepts 0x..
    if (used != text.size() || v < 0) throw std::invalid_argument("bad number " + text);
    return v;
}

// Scalar types the file can name, with the width of their synthetic cells (0: value_bytes).
struct named_type {
    std::string_view name;
    ac::type_id id;
    std::size_t width;
};
constexpr named_type named_types[] = {
    {"bigint", ac::type_id::bigint, 8},     {"int", ac::type_id::int_, 4},
    {"smallint", ac::type_id::smallint, 2}, {"tinyint", ac::type_id::tinyint, 1},
    {"boolean", ac::type_id::boolean, 1},   {"double", ac::type_id::double_, 8},
    {"float", ac::type_id::float_, 4},      {"timestamp", ac::type_id::timestamp, 8},
    {"uuid", ac::type_id::uuid, 16},        {"text", ac::type_id::varchar, 0},
    {"varchar", ac::type_id::varchar, 0},   {"ascii", ac::type_id::ascii, 0},
    {"blob", ac::type_id::blob, 0},
};

const named_type& type_named(std::string_view name) {
    for (const auto& t : named_types)
        if (t.name == name) return t;
    std::string known;
    for (const auto& t : named_types) known += (known.empty() ? "" : "|") + std::string(t.name);
    throw std::invalid_argument("unknown type " + std::string(name) + " (known: " + known + ")");
}

// name:type,name:type,...
std::vector<pr::column_spec> column_list(std::string_view s, std::string_view option) {
    std::vector<pr::column_spec> out;
    while (!s.empty()) {
        const auto comma = s.find(',');
        const auto item = s.substr(0, comma);
        s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
        const auto colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0)
            throw std::invalid_argument(std::string(option) + " wants name:type,... not " + std::string(item));
        out.push_back(column(std::string(item.substr(0, colon)), type_named(item.substr(colon + 1)).id));
    }
    if (out.empty()) throw std::invalid_argument(std::string(option) + " wants name:type,...");
    return out;
}

// What rows=, columns= and value_bytes= describe; turned into a rows result
// once the whole line is read.
struct canned_rows {
    std::optional<long long> rows;
    std::vector<pr::column_spec> columns;
    std::size_t value_bytes = 16;
};

// Row i: integers hold i, variable-width cells value_bytes of 'x'.
rows_result make_rows(const canned_rows& c) {
    rows_result out;
    out.columns = c.columns;
    for (long long i = 0; i < *c.rows; ++i) {
        auto& row = out.rows.emplace_back();
        for (const auto& col : c.columns) {
            std::size_t width = 0;
            for (const auto& t : named_types)
                if (t.id == col.type.id) width = t.width;
            pr::byte_buffer cell(width == 0 ? c.value_bytes : width, std::byte{'x'});
            if (width > 0)
                for (std::size_t b = 0; b < width && b < 8; ++b)
                    cell[width - 1 - b] = static_cast<std::byte>((static_cast<unsigned long long>(i) >> (8 * b)) &
                                                                 0xFF);
            row.emplace_back(std::move(cell));
        }
    }
    return out;
}

// An opcode by its lower-case name (supported, auth_response, ...).
pr::opcode opcode_named(std::string_view name) {
    for (int i = 0; i <= 0x10; ++i) {
        const auto op = static_cast<pr::opcode>(i);
        std::string lower = pr::to_string(op);
        if (lower == "UNKNOWN") continue;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == name) return op;
    }
    throw std::invalid_argument("unknown opcode " + std::string(name));
}

// Hex digits, two a byte (may be empty).
pr::byte_buffer hex_bytes(std::string_view hex) {
    if (hex.size() % 2 != 0) throw std::invalid_argument("odd number of hex digits in " + std::string(hex));
    pr::byte_buffer out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const std::string pair(hex.substr(i, 2));
        std::size_t used = 0;
        const auto v = std::stoul(pair, &used, 16);
        if (used != 2) throw std::invalid_argument("bad hex digits " + pair);
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}

// body:<opcode>:<hex>
fault body_fault(std::string_view value) {
    const auto colon = value.find(':');
    if (colon == std::string_view::npos) throw std::invalid_argument("fault=body wants body:<opcode>:<hex>");
    fault f;
    f.kind = fault_kind::body;
    f.answer = opcode_named(value.substr(0, colon));
    f.raw = hex_bytes(value.substr(colon + 1));
    return f;
}

void apply_option(rule& r, canned_rows& canned, std::string_view opt) {
    const auto eq = opt.find('=');
    const auto key = opt.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : opt.substr(eq + 1);
    if (key == "substring") {
        r.substring = true;
    } else if (key == "delay") {
        r.delay = std::chrono::milliseconds(number(value));
    } else if (key == "node") {
        r.node = static_cast<int>(number(value));
    } else if (key == "on") {
        const auto op = opcode_named(value);
        if (op != pr::opcode::options && op != pr::opcode::startup && op != pr::opcode::auth_response &&
            op != pr::opcode::prepare)
            throw std::invalid_argument("on= wants options, startup, auth_response or prepare");
        r.on = op;
    } else if (key == "max_hits") {
        r.max_hits = static_cast<int>(number(value));
    } else if (key == "error") {
        pr::error_response e;
        e.code = static_cast<std::int32_t>(number(value));
        e.message = "cql-sim error";
        r.result = e;
    } else if (key == "received" || key == "block_for" || key == "alive" || key == "required" ||
               key == "data_present" || key == "write_type" || key == "consistency") {
        // The details of a timeout or unavailable error (error= first).
        auto* e = std::get_if<error_result>(&r.result);
        if (!e) throw std::invalid_argument(std::string(key) + "= needs error= before it");
        if (key == "write_type")
            e->write_type = std::string(value);
        else if (key == "consistency")
            e->consistency_level = static_cast<ac::consistency>(number(value));
        else if (key == "data_present")
            e->data_present = number(value) != 0;
        else if (key == "received")
            e->received = static_cast<std::int32_t>(number(value));
        else if (key == "block_for")
            e->block_for = static_cast<std::int32_t>(number(value));
        else if (key == "alive")
            e->alive = static_cast<std::int32_t>(number(value));
        else
            e->required = static_cast<std::int32_t>(number(value));
    } else if (key == "vars") {
        r.variables = column_list(value, "vars");
    } else if (key == "columns") {
        canned.columns = column_list(value, "columns");
    } else if (key == "rows") {
        canned.rows = number(value);
    } else if (key == "value_bytes") {
        canned.value_bytes = static_cast<std::size_t>(number(value));
    } else if (key == "fault") {
        if (value == "drop")
            r.fault.kind = fault_kind::drop_connection;
        else if (value == "stall")
            r.fault.kind = fault_kind::stall;
        else if (value == "wrong_stream")
            r.fault.kind = fault_kind::wrong_stream;
        else if (value == "duplicate")
            r.fault.kind = fault_kind::duplicate;
        else if (value == "corrupt_crc")
            r.fault.kind = fault_kind::corrupt_crc;
        else if (value == "reset")
            r.fault.kind = fault_kind::reset;
        else if (value.starts_with("close_after:"))
            r.fault = {fault_kind::close_after, static_cast<std::size_t>(number(value.substr(12))), {}};
        else if (value.starts_with("body:"))
            r.fault = body_fault(value.substr(5));
        else if (value.starts_with("mute_after:"))
            r.fault = {fault_kind::mute_after, static_cast<std::size_t>(number(value.substr(11))), {}};
        else
            throw std::invalid_argument("unknown fault " + std::string(value));
    } else {
        throw std::invalid_argument("unknown option " + std::string(opt));
    }
}

}  // namespace

std::vector<rule> parse_rules(std::string_view text) {
    std::vector<rule> out;
    int line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        rule r;
        const auto arrow = line.find(" => ");
        r.query = std::string(trim(line.substr(0, arrow)));
        try {
            canned_rows canned;
            auto opts = arrow == std::string_view::npos ? std::string_view{} : line.substr(arrow + 4);
            while (!(opts = trim(opts)).empty()) {
                const auto sp = opts.find(' ');
                apply_option(r, canned, opts.substr(0, sp));
                opts = sp == std::string_view::npos ? std::string_view{} : opts.substr(sp);
            }
            if (canned.rows.has_value() != !canned.columns.empty())
                throw std::invalid_argument("rows=N and columns=... go together");
            if (canned.rows) {
                if (std::holds_alternative<error_result>(r.result))
                    throw std::invalid_argument("rows= and error= exclude each other");
                r.result = make_rows(canned);
            }
        } catch (const std::exception& e) {
            throw std::invalid_argument("line " + std::to_string(line_no) + ": " + e.what());
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace cql_sim

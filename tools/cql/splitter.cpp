#include "splitter.hpp"

#include <cctype>

namespace cql_tool {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Characters that start or end a two-character marker: --, //, /*, */, $$.
bool may_pair(char c) { return c == '-' || c == '/' || c == '*' || c == '$'; }
}  // namespace

void statement_splitter::append(char c) {
    if (start_line_ == 0 && !is_space(c)) start_line_ = line_;
    current_ += c;
}

// A batch holds statements that end with ';' themselves: it ends only at
// its APPLY BATCH.
bool statement_splitter::inside_batch() const {
    const auto text = trim(current_);
    const auto word_at = [&](std::size_t pos, std::string_view w) {
        if (pos + w.size() > text.size()) return false;
        for (std::size_t i = 0; i < w.size(); ++i)
            if (std::toupper(static_cast<unsigned char>(text[pos + i])) != w[i]) return false;
        return true;
    };
    if (!word_at(0, "BEGIN") || (text.size() > 5 && !is_space(text[5]))) return false;
    // Does it end with APPLY <spaces> BATCH?
    if (text.size() < 11 || !word_at(text.size() - 5, "BATCH")) return true;
    std::size_t end = text.size() - 5;
    if (end == 0 || !is_space(text[end - 1])) return true;
    while (end > 0 && is_space(text[end - 1])) --end;
    return end < 5 || !word_at(end - 5, "APPLY") || (end > 5 && !is_space(text[end - 6]));
}

void statement_splitter::end_statement(std::vector<split_statement>& out) {
    const auto text = trim(current_);
    if (!text.empty()) out.push_back({std::string(text), start_line_});
    current_.clear();
    start_line_ = 0;
}

// Handles c ('\0' for `next` at the end of input); sets `skip` when the
// following character was consumed too.
void statement_splitter::step(char c, char next, std::vector<split_statement>& out, std::size_t& skip) {
    switch (state_) {
        case state::code:
            if (c == ';' && inside_batch()) {
                append(c);
            } else if (c == ';') {
                end_statement(out);
            } else if ((c == '-' && next == '-') || (c == '/' && next == '/')) {
                state_ = state::line_comment;
                skip = 1;
            } else if (c == '/' && next == '*') {
                state_ = state::block_comment;
                append(' ');  // a comment separates tokens
                skip = 1;
            } else if (c == '$' && next == '$') {
                state_ = state::dollar;
                append(c);
                append(next);
                skip = 1;
            } else {
                if (c == '\'') state_ = state::single_quote;
                if (c == '"') state_ = state::double_quote;
                append(c);
            }
            break;
        case state::single_quote:
            append(c);
            if (c == '\'') state_ = state::code;  // '' reopens at once: the next ' is seen in code
            break;
        case state::double_quote:
            append(c);
            if (c == '"') state_ = state::code;
            break;
        case state::dollar:
            append(c);
            if (c == '$' && next == '$') {
                append(next);
                state_ = state::code;
                skip = 1;
            }
            break;
        case state::line_comment:
            if (c == '\n') {
                state_ = state::code;
                append(c);
            }
            break;
        case state::block_comment:
            if (c == '*' && next == '/') {
                state_ = state::code;
                skip = 1;
            }
            break;
    }
}

void statement_splitter::feed(std::string_view text, std::vector<split_statement>& out) {
    std::string buf = std::move(held_);
    held_.clear();
    buf.append(text);
    for (std::size_t i = 0; i < buf.size(); ++i) {
        const char c = buf[i];
        const bool last = i + 1 == buf.size();
        if (last && may_pair(c)) {
            held_.assign(1, c);  // the next chunk decides what it starts
            return;
        }
        std::size_t skip = 0;
        step(c, last ? '\0' : buf[i + 1], out, skip);
        for (std::size_t k = 0; k <= skip; ++k)
            if (buf[i + k] == '\n') ++line_;
        i += skip;
    }
}

std::optional<split_statement> statement_splitter::finish() {
    std::vector<split_statement> out;
    if (!held_.empty()) {
        std::size_t skip = 0;
        const char c = held_[0];
        held_.clear();
        step(c, '\0', out, skip);
    }
    end_statement(out);
    state_ = state::code;
    if (out.empty()) return std::nullopt;
    return std::move(out.front());
}

bool statement_splitter::pending() const noexcept {
    if (state_ != state::code && state_ != state::line_comment) return true;
    if (!held_.empty()) return true;
    return !trim(current_).empty();
}

void statement_splitter::reset() noexcept {
    state_ = state::code;
    current_.clear();
    held_.clear();
    start_line_ = 0;
}

std::vector<split_statement> split_statements(std::string_view script) {
    statement_splitter s;
    std::vector<split_statement> out;
    s.feed(script, out);
    if (auto last = s.finish()) out.push_back(std::move(*last));
    return out;
}

}  // namespace cql_tool

// Cuts CQL text into statements at ';', fed a chunk (a line) at a time so
// the interactive shell can tell when a statement is complete. Knows
// 'strings' (with '' inside), "identifiers", $$bodies$$ and the comments
// --, // and /* */, none of which ends a statement, and batches, whose
// inner statements end with ';' too (BEGIN ... APPLY BATCH).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cql_tool {

struct split_statement {
    std::string text;  // comments removed, trimmed, without the ';'
    std::size_t line;  // 1-based line of its first character
};

class statement_splitter {
public:
    // Appends to `out` every statement `text` completes. Chunks may split
    // anywhere, even inside a comment marker.
    void feed(std::string_view text, std::vector<split_statement>& out);
    // End of input: the text after the last ';', if any, as a statement.
    std::optional<split_statement> finish();
    // Whether text of an unfinished statement is pending (or a string or
    // comment is open): the shell then asks for more lines.
    bool pending() const noexcept;
    // Forgets pending text (Ctrl-C at a continuation prompt).
    void reset() noexcept;

private:
    enum class state { code, single_quote, double_quote, dollar, line_comment, block_comment };

    void step(char c, char next, std::vector<split_statement>& out, std::size_t& skip);
    void append(char c);
    void end_statement(std::vector<split_statement>& out);
    bool inside_batch() const;

    state state_ = state::code;
    std::string current_;
    std::string held_;  // a last character whose meaning depends on the next chunk
    std::size_t line_ = 1;
    std::size_t start_line_ = 0;  // 0: no character of the statement yet
};

// Splits a whole script.
std::vector<split_statement> split_statements(std::string_view script);

}  // namespace cql_tool

// The statement splitter: ';' ends a statement except inside strings,
// quoted identifiers, $$ bodies and comments; chunks may split anywhere.
#include "splitter.hpp"

#include <gtest/gtest.h>

using cql_tool::split_statements;
using cql_tool::statement_splitter;

namespace {
std::vector<std::string> texts(std::string_view script) {
    std::vector<std::string> out;
    for (const auto& s : split_statements(script)) out.push_back(s.text);
    return out;
}
using strings = std::vector<std::string>;
}  // namespace

TEST(cql_splitter, splits_at_semicolons_and_trims) {
    EXPECT_EQ(texts("SELECT 1; SELECT 2;\n  INSERT INTO t (a) VALUES (1) ;"),
              (strings{"SELECT 1", "SELECT 2", "INSERT INTO t (a) VALUES (1)"}));
    EXPECT_EQ(texts(" ; ;;\n"), strings{});
    EXPECT_EQ(texts(""), strings{});
}

TEST(cql_splitter, last_statement_without_semicolon_counts) {
    EXPECT_EQ(texts("SELECT 1; SELECT 2"), (strings{"SELECT 1", "SELECT 2"}));
}

TEST(cql_splitter, semicolons_inside_strings_and_identifiers) {
    EXPECT_EQ(texts("INSERT INTO t (a) VALUES ('x;y'); SELECT \"odd;name\" FROM t;"),
              (strings{"INSERT INTO t (a) VALUES ('x;y')", "SELECT \"odd;name\" FROM t"}));
    // '' is a quote inside a string: the string goes on.
    EXPECT_EQ(texts("VALUES ('it''s; fine'); X"), (strings{"VALUES ('it''s; fine')", "X"}));
    EXPECT_EQ(texts("CREATE FUNCTION f() AS $$ a; b $$; Y;"), (strings{"CREATE FUNCTION f() AS $$ a; b $$", "Y"}));
}

TEST(cql_splitter, comments_are_removed_but_not_inside_strings) {
    EXPECT_EQ(texts("-- a comment; still comment\nSELECT 1; // another; one\nSELECT 2;"),
              (strings{"SELECT 1", "SELECT 2"}));
    EXPECT_EQ(texts("SELECT/* c; */1;"), (strings{"SELECT 1"}));
    EXPECT_EQ(texts("/* multi\nline; */ SELECT 3;"), (strings{"SELECT 3"}));
    EXPECT_EQ(texts("SELECT '-- not; a comment', '/* nor; this */' FROM t;"),
              (strings{"SELECT '-- not; a comment', '/* nor; this */' FROM t"}));
    EXPECT_EQ(texts("SELECT a - b, c / d, e * f FROM t;"), (strings{"SELECT a - b, c / d, e * f FROM t"}));
    EXPECT_EQ(texts("SELECT 1 -- trailing"), (strings{"SELECT 1"}));
    EXPECT_EQ(texts("-- only a comment\n"), strings{});
}

TEST(cql_splitter, reports_the_line_a_statement_starts_on) {
    const auto st = split_statements("SELECT 1;\n\n-- c\n  SELECT\n 2;\n/* x\n*/ SELECT 3;");
    ASSERT_EQ(st.size(), 3u);
    EXPECT_EQ(st[0].line, 1u);
    EXPECT_EQ(st[1].line, 4u);
    EXPECT_EQ(st[2].line, 7u);
    EXPECT_EQ(st[1].text, "SELECT\n 2");
}

TEST(cql_splitter, chunks_split_anywhere_give_the_same_statements) {
    const std::string script =
        "SELECT 'a;b' -- c;\nFROM t; /* x; */ SELECT $$ y; $$ , \"q;\" FROM u; // z\nSELECT a-b, c/d FROM v;";
    const auto whole = texts(script);
    ASSERT_EQ(whole.size(), 3u);
    for (std::size_t chunk = 1; chunk <= 4; ++chunk) {
        statement_splitter s;
        std::vector<cql_tool::split_statement> out;
        for (std::size_t i = 0; i < script.size(); i += chunk) s.feed(std::string_view(script).substr(i, chunk), out);
        if (auto last = s.finish()) out.push_back(*last);
        std::vector<std::string> got;
        for (const auto& st : out) got.push_back(st.text);
        EXPECT_EQ(got, whole) << "chunks of " << chunk;
    }
}

TEST(cql_splitter, pending_tells_whether_a_statement_is_open) {
    statement_splitter s;
    std::vector<cql_tool::split_statement> out;
    EXPECT_FALSE(s.pending());
    s.feed("SELECT *\n", out);
    EXPECT_TRUE(s.pending());
    s.feed("FROM t;\n", out);
    EXPECT_FALSE(s.pending());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].text, "SELECT *\nFROM t");
    s.feed("-- just a comment\n", out);
    EXPECT_FALSE(s.pending());
    s.feed("INSERT INTO t (a) VALUES ('open;\n", out);  // a string spans lines
    EXPECT_TRUE(s.pending());
    s.feed("still');\n", out);
    EXPECT_FALSE(s.pending());
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].text, "INSERT INTO t (a) VALUES ('open;\nstill')");
    s.feed("/* open comment\n", out);
    EXPECT_TRUE(s.pending());
    s.reset();
    EXPECT_FALSE(s.pending());
}

TEST(cql_splitter, unterminated_string_at_end_is_returned_not_lost) {
    EXPECT_EQ(texts("SELECT 'oops"), (strings{"SELECT 'oops"}));
}

TEST(cql_splitter, a_batch_ends_at_apply_batch) {
    EXPECT_EQ(
        texts("BEGIN BATCH INSERT INTO t (a) VALUES (1); UPDATE t SET b = 2 WHERE a = 1; APPLY BATCH; SELECT 1;"),
        (strings{"BEGIN BATCH INSERT INTO t (a) VALUES (1); UPDATE t SET b = 2 WHERE a = 1; APPLY BATCH", "SELECT 1"}));
    EXPECT_EQ(texts("begin unlogged batch\n insert into t (a) values (1);\n apply\n batch;"),
              (strings{"begin unlogged batch\n insert into t (a) values (1);\n apply\n batch"}));
    // Only a statement that starts with BEGIN is a batch.
    EXPECT_EQ(texts("SELECT begin FROM t; SELECT 2;"), (strings{"SELECT begin FROM t", "SELECT 2"}));
    EXPECT_EQ(texts("BEGINS; X;"), (strings{"BEGINS", "X"}));
    statement_splitter s;
    std::vector<cql_tool::split_statement> out;
    s.feed("BEGIN BATCH INSERT INTO t (a) VALUES (1);\n", out);
    EXPECT_TRUE(s.pending());
    EXPECT_TRUE(out.empty());
    s.feed("APPLY BATCH;\n", out);
    EXPECT_FALSE(s.pending());
    EXPECT_EQ(out.size(), 1u);
}

// The result writers: table layout across pages, CSV quoting and nulls,
// JSON lines; and the command-line parser.
#include "connect.hpp"
#include "options.hpp"
#include "output.hpp"
#include "test_types.hpp"

#include <server_protocol/server_protocol.hpp>
#include <async_cassandra/result_set.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

namespace ac = async_cassandra;
using ac::data_type;
using ac::type_id;
using cql_test::type;
using cql_tool::output_format;

namespace {

struct row {
    std::optional<std::int32_t> k;
    std::optional<std::string> name;
    std::vector<std::string> tags;
};

// A page of (k int, name text, tags list<text>) as the server would send it.
ac::result_set page(const std::vector<row>& rows) {
    ac::protocol::byte_buffer body;
    ac::protocol::byte_writer w(body);
    ac::protocol::server::rows_header h;
    for (const auto& [n, t] :
         std::vector<std::pair<std::string, data_type>>{{"k", type(type_id::int_)},
                                                        {"name", type(type_id::varchar)},
                                                        {"tags", type(type_id::list, {type(type_id::varchar)})}})
        h.columns.push_back({"ks", "t", n, t});
    ac::protocol::server::begin_rows_result(w, h, static_cast<std::int32_t>(rows.size()));
    const auto cell = [&](const ac::encoded_value& v) {
        if (v.is_null())
            w.null_bytes();
        else
            w.bytes(v.bytes());
    };
    for (const auto& r : rows) {
        cell(ac::encode_value(r.k));
        cell(ac::encode_value(r.name));
        cell(ac::encode_value(r.tags));
    }
    return ac::result_set::from_body(std::move(body), 0, 5);
}

std::string write(output_format f, const std::vector<std::vector<row>>& pages) {
    std::ostringstream out;
    const auto w = cql_tool::make_writer(f, out);
    for (const auto& p : pages) w->page(page(p));
    w->finish();
    return out.str();
}

}  // namespace

TEST(cql_output, table_aligns_columns_and_counts_rows) {
    const auto text = write(output_format::table, {{{1, "ann", {"a", "b"}}, {1234, std::nullopt, {}}}});
    EXPECT_EQ(text,
              " k    | name | tags\n"
              "------+------+------------\n"
              "    1 | ann  | ['a', 'b']\n"
              " 1234 | null | []\n"
              "\n"
              "(2 rows)\n");
}

TEST(cql_output, table_pages_widen_and_repeat_the_header_only_when_needed) {
    const auto text = write(output_format::table, {{{1, "a", {}}}, {{2, "b", {}}}, {{3, "wider name", {}}}});
    EXPECT_EQ(text,
              " k | name | tags\n"
              "---+------+------\n"
              " 1 | a    | []\n"
              " 2 | b    | []\n"
              "\n"
              " k | name       | tags\n"
              "---+------------+------\n"
              " 3 | wider name | []\n"
              "\n"
              "(3 rows)\n");
}

TEST(cql_output, table_of_no_rows_still_has_its_header) {
    EXPECT_EQ(write(output_format::table, {{}}),
              " k | name | tags\n"
              "---+------+------\n"
              "\n"
              "(0 rows)\n");
}

TEST(cql_output, csv_quotes_fields_and_tells_null_from_empty) {
    const auto text = write(output_format::csv,
                            {{{1, "a,b", {"x"}}, {2, "", {}}}, {{std::nullopt, std::nullopt, {"q\""}}}});
    EXPECT_EQ(text,
              "k,name,tags\n"
              "1,\"a,b\",['x']\n"
              "2,\"\",[]\n"
              ",,\"['q\"\"']\"\n");
}

TEST(cql_output, json_lines_one_object_per_row) {
    const auto text = write(output_format::json,
                            {{{1, "line\nbreak", {"x", "y"}}}, {{std::nullopt, std::nullopt, {}}}});
    EXPECT_EQ(text,
              "{\"k\":1,\"name\":\"line\\nbreak\",\"tags\":[\"x\",\"y\"]}\n"
              "{\"k\":null,\"name\":null,\"tags\":[]}\n");
}

TEST(cql_options, parses_every_option) {
    const auto o = cql_tool::parse_options({"--hosts",
                                            "a, b ,c",
                                            "--port=9043",
                                            "-k",
                                            "ks",
                                            "--protocol",
                                            "4",
                                            "--consistency",
                                            "LOCAL_QUORUM",
                                            "--page-size",
                                            "7",
                                            "--timeout",
                                            "250ms",
                                            "--format",
                                            "json",
                                            "-e",
                                            "SELECT 1",
                                            "--continue-on-error",
                                            "--no-progress",
                                            "-o",
                                            "out.json"});
    EXPECT_EQ(o.hosts, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(o.port, 9043);
    EXPECT_EQ(o.keyspace, "ks");
    EXPECT_EQ(o.protocol, 4);
    EXPECT_EQ(o.consistency, ac::consistency::local_quorum);
    EXPECT_EQ(o.effective_page_size(), 7);
    EXPECT_EQ(o.timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(o.effective_format(), output_format::json);
    EXPECT_EQ(o.execute, std::vector<std::string>{"SELECT 1"});
    EXPECT_TRUE(o.continue_on_error);
    EXPECT_FALSE(o.progress);
    EXPECT_EQ(o.output, "out.json");
}

TEST(cql_options, defaults_follow_the_mode) {
    const auto shell = cql_tool::parse_options({});
    EXPECT_EQ(shell.effective_format(), output_format::table);
    EXPECT_EQ(shell.effective_page_size(), 100);
    const auto exp = cql_tool::parse_options({"--export", "ks.t"});
    EXPECT_EQ(exp.effective_format(), output_format::csv);
    EXPECT_EQ(exp.effective_page_size(), 5000);
    EXPECT_EQ(cql_tool::parse_duration("--timeout", "10"), std::chrono::seconds(10));
    EXPECT_EQ(cql_tool::parse_duration("--timeout", "2m"), std::chrono::minutes(2));
}

TEST(cql_options, bad_command_lines_say_what_is_wrong) {
    const auto message = [](std::vector<std::string> args) {
        try {
            cql_tool::parse_options(args);
        } catch (const cql_tool::usage_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({"--bogus"}), "unknown option '--bogus'");
    EXPECT_EQ(message({"--port"}), "--port: missing value");
    EXPECT_EQ(message({"--port", "70000"}), "--port: expected an integer from 1 to 65535, got '70000'");
    EXPECT_EQ(message({"--protocol", "3"}), "--protocol: expected an integer from 4 to 5, got '3'");
    EXPECT_EQ(message({"--format", "xml"}), "--format: expected table, csv or json, got 'xml'");
    EXPECT_EQ(message({"--timeout", "soon"}).rfind("--timeout: expected a positive duration", 0), 0u);
    EXPECT_EQ(message({"--timeout", "-5"}).rfind("--timeout: expected a positive duration", 0), 0u);
    EXPECT_EQ(message({"--consistency", "most"}).rfind("--consistency: unknown level 'most'", 0), 0u);
    EXPECT_EQ(message({"--hosts", "a,,b"}), "--hosts: empty host name in 'a,,b'");
    EXPECT_EQ(message({"-e", "x", "-f", "y"}), "-e, -f and --export exclude each other");
    EXPECT_EQ(message({"--help=yes"}), "--help: takes no value");
    EXPECT_EQ(message({"stray"}), "unexpected argument 'stray' (statements go with -e)");
    EXPECT_EQ(message({"--export", "ks.t WHERE x = 1"}), "--export: expected KEYSPACE.TABLE, got 'ks.t WHERE x = 1'");
}

TEST(cql_options, security_options_are_the_shared_ones) {
    const std::string ca = "ca.pem";
    const auto o = cql_tool::parse_options({"--ca", ca, "--cert=c.pem", "--key", "c.key", "--server-name", "db",
                                            "--no-verify-host", "--user", "app", "--password-file", "pw"});
    EXPECT_TRUE(o.security.tls.enabled);
    EXPECT_EQ(o.security.tls.ca_file, ca);
    EXPECT_EQ(o.security.tls.cert_file, "c.pem");
    EXPECT_EQ(o.security.tls.key_file, "c.key");
    EXPECT_EQ(o.security.tls.server_name, "db");
    EXPECT_FALSE(o.security.tls.verify_host);
    EXPECT_EQ(o.security.user, "app");
    EXPECT_EQ(o.security.password_file, "pw");
    EXPECT_TRUE(cql_tool::parse_options({"--tls"}).security.tls.enabled);

    ::setenv("AC_PASSWORD", "s3cret", 1);
    const auto cfg = cql_tool::make_cluster_config(cql_tool::parse_options({"--tls", "--user", "app"}));
    EXPECT_NE(cfg.auth, nullptr);
    EXPECT_TRUE(cfg.tls.enabled);
    EXPECT_TRUE(cfg.tls.ca_file.empty());  // the system's store
    ::unsetenv("AC_PASSWORD");

    const auto config_error = [](std::vector<std::string> args) {
        try {
            cql_tool::make_cluster_config(cql_tool::parse_options(args));
        } catch (const cql_tool::usage_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(config_error({"--user", "app"}), "--user app needs a password: set AC_PASSWORD or use --password-file");
    EXPECT_EQ(config_error({"--cert", "c.pem"}), "--cert needs --key");
    EXPECT_EQ(config_error({"--password-file", "pw"}), "--password-file needs --user");
    EXPECT_EQ(config_error({"--no-verify-host"}), "--no-verify-host needs --tls");
    EXPECT_EQ(config_error({"--tls"}), "no error");
}

TEST(cql_options, a_password_on_the_command_line_is_refused) {
    using args_t = std::vector<std::string>;
    for (const auto& args : {args_t{"--password", "hunter2"}, args_t{"--password=hunter2"}, args_t{"-p", "hunter2"}}) {
        try {
            cql_tool::parse_options(args);
            ADD_FAILURE() << "accepted " << args[0];
        } catch (const cql_tool::usage_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("AC_PASSWORD"), std::string::npos) << what;
            EXPECT_NE(what.find("--password-file"), std::string::npos) << what;
            EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;  // never echoed
        }
    }
    // The old cql-only spellings are gone: one set of names for every tool.
    EXPECT_THROW(cql_tool::parse_options({"--tls-ca", "ca.pem"}), cql_tool::usage_error);
    EXPECT_THROW(cql_tool::parse_options({"--tls=yes"}), cql_tool::usage_error);
    EXPECT_THROW(cql_tool::parse_options({"--user"}), cql_tool::usage_error);
}

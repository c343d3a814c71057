// cqlbench's engine in-process against cql-sim (counts, JSON keys, percentile
// order for every workload and the ceiling), its histogram and key
// distributions, and option parsing with bad input.
#include <bench.hpp>
#include <histogram.hpp>
#include <key_dist.hpp>
#include <options.hpp>

#include <cql_sim/rules_file.hpp>
#include <cql_sim/server.hpp>

#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <vector>

namespace {

using namespace std::chrono_literals;

// The rules scripts/bench-overhead gives the cql-sim binary, plus a scan answer.
const char* const rules_text =
    "INSERT INTO cqlbench.kv (k, v) VALUES (?, ?) => vars=k:bigint,v:blob\n"
    "SELECT k, v FROM cqlbench.kv WHERE k = ? => vars=k:bigint rows=1 columns=k:bigint,v:blob value_bytes=100\n"
    "SELECT k, v FROM cqlbench.kv WHERE token(k) >= ? AND token(k) < ? => rows=7 columns=k:bigint,v:blob\n";

cqlbench::outcome run_against_sim(cqlbench::options o) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    for (auto& r : cql_sim::parse_rules(rules_text)) sim.add_rule(std::move(r));
    sim.start();
    o.port = sim.port();
    o.progress = false;
    return cqlbench::run_blocking(
        io, o, [&] { sim.stop(); }, 30s);
}

cqlbench::options short_run(cqlbench::workload w, std::size_t concurrency) {
    cqlbench::options o;
    o.work = w;
    o.concurrency = concurrency;
    o.ops = 600;
    o.keys = 1000;
    return o;
}

void expect_sane(const cqlbench::run_result& r, std::uint64_t ops) {
    EXPECT_EQ(r.ops, ops);
    EXPECT_EQ(r.errors, 0u);
    EXPECT_EQ(r.latency.count(), ops);
    EXPECT_GT(r.duration_s, 0);
    EXPECT_GT(r.ops_per_s(), 0);
    EXPECT_GT(r.cpu_us_per_op(), 0);
    EXPECT_LE(r.percentile_us(50), r.percentile_us(99));
    EXPECT_LE(r.percentile_us(99), r.percentile_us(99.9));
    EXPECT_LE(r.latency.percentile(99.9), r.latency.max());
    const auto json = cqlbench::to_json(r);
    for (const char* key : {"\"ops_per_s\":", "\"p50_us\":", "\"p99_us\":", "\"p999_us\":", "\"cpu_us_per_op\":",
                            "\"errors\":0", "\"workload\":", "\"concurrency\":", "\"ops\":", "\"duration_s\":"})
        EXPECT_NE(json.find(key), std::string::npos) << key << " missing from " << json;
    EXPECT_EQ(json.front(), '{');
    EXPECT_EQ(json.back(), '}');
}

}  // namespace

TEST(cqlbench_engine, insert_counts_every_op) {
    auto out = run_against_sim(short_run(cqlbench::workload::insert, 16));
    ASSERT_TRUE(out.result) << out.failure;
    expect_sane(*out.result, 600);
    EXPECT_EQ(out.result->mode, "client");
    EXPECT_EQ(out.result->rows, 0u);
}

TEST(cqlbench_engine, select_reads_the_canned_row) {
    auto out = run_against_sim(short_run(cqlbench::workload::select, 64));
    ASSERT_TRUE(out.result) << out.failure;
    expect_sane(*out.result, 600);
    EXPECT_EQ(out.result->rows, 600u);  // one row per op
}

TEST(cqlbench_engine, mixed_splits_reads_and_writes) {
    auto o = short_run(cqlbench::workload::mixed, 8);
    o.read_percent = 50;
    auto out = run_against_sim(o);
    ASSERT_TRUE(out.result) << out.failure;
    expect_sane(*out.result, 600);
    // Reads return one row each; about half the ops are reads.
    EXPECT_GT(out.result->rows, 200u);
    EXPECT_LT(out.result->rows, 400u);
}

TEST(cqlbench_engine, scan_streams_rows) {
    auto o = short_run(cqlbench::workload::scan, 4);
    o.ops = 50;
    auto out = run_against_sim(o);
    ASSERT_TRUE(out.result) << out.failure;
    expect_sane(*out.result, 50);
    EXPECT_EQ(out.result->rows, 50u * 7);
}

TEST(cqlbench_engine, ceiling_runs_the_raw_loop) {
    for (auto w : {cqlbench::workload::select, cqlbench::workload::insert}) {
        for (int version : {4, 5}) {
            auto o = short_run(w, 32);
            o.ceiling = true;
            o.protocol = version;
            auto out = run_against_sim(o);
            ASSERT_TRUE(out.result) << out.failure;
            expect_sane(*out.result, 600);
            EXPECT_EQ(out.result->mode, "ceiling");
            EXPECT_EQ(out.result->protocol_version, version);
        }
    }
}

TEST(cqlbench_engine, unprepared_statement_is_a_clear_error) {
    auto o = short_run(cqlbench::workload::insert, 4);
    o.table = "other";  // no rule gives this INSERT bind markers: binding fails
    auto out = run_against_sim(o);
    EXPECT_FALSE(out.result);
    EXPECT_NE(out.failure.find("marker"), std::string::npos) << out.failure;
}

TEST(cqlbench_histogram, percentiles_within_one_percent) {
    cqlbench::histogram h;
    for (std::uint64_t v = 1; v <= 1000000; ++v) h.record(v * 7);
    for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
        const double exact = p / 100.0 * 1000000 * 7;
        EXPECT_NEAR(static_cast<double>(h.percentile(p)), exact, exact * 0.01) << "p" << p;
    }
    EXPECT_EQ(h.max(), 7000000u);
    EXPECT_EQ(h.min(), 7u);
    cqlbench::histogram small;
    for (std::uint64_t v = 0; v < 100; ++v) small.record(v);
    EXPECT_EQ(small.percentile(50), 49u);  // exact below 128
    auto later = small;
    later.record(1000);
    EXPECT_EQ(later.since(small).count(), 1u);
    EXPECT_NEAR(static_cast<double>(later.since(small).percentile(50)), 1000, 10);
    for (std::uint64_t v : {128ull, 1000ull, 123456789ull, ~0ull})
        EXPECT_LT(cqlbench::histogram::index_of(v), cqlbench::histogram::bucket_count);
}

TEST(cqlbench_keys, zipf_favours_low_ranks_and_stays_in_range) {
    cqlbench::options o;
    o.dist = cqlbench::key_distribution::zipf;
    o.keys = 1000;
    o.zipf_s = 1.0;
    cqlbench::key_chooser keys(o);
    cqlbench::rng r(42);
    std::vector<int> counts(1000);
    for (int i = 0; i < 200000; ++i) {
        auto k = keys.next(r, 0);
        ASSERT_GE(k, 0);
        ASSERT_LT(k, 1000);
        ++counts[static_cast<std::size_t>(k)];
    }
    // P(rank 1) = 1/H(1000) = 13.4%; rank 2 half of it.
    EXPECT_NEAR(counts[0] / 200000.0, 0.134, 0.01);
    EXPECT_NEAR(static_cast<double>(counts[1]) / counts[0], 0.5, 0.05);
    EXPECT_GT(counts[9], counts[99]);
    o.dist = cqlbench::key_distribution::seq;
    cqlbench::key_chooser seq(o);
    EXPECT_EQ(seq.next(r, 1234), 234);
}

namespace {
std::string parse_error(std::vector<std::string_view> args) { return cqlbench::parse_options(args).error; }
}  // namespace

TEST(cqlbench_options, good_options) {
    std::vector<std::string_view> args = {"--workload",
                                          "select",
                                          "--hosts=10.0.0.1,10.0.0.2",
                                          "--concurrency",
                                          "1024",
                                          "--duration",
                                          "500ms",
                                          "--dist",
                                          "zipf:1.2",
                                          "--consistency",
                                          "quorum",
                                          "--protocol",
                                          "4",
                                          "--json"};
    auto r = cqlbench::parse_options(args);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.opts.work, cqlbench::workload::select);
    EXPECT_EQ(r.opts.hosts.size(), 2u);
    EXPECT_EQ(r.opts.concurrency, 1024u);
    EXPECT_DOUBLE_EQ(r.opts.duration_s, 0.5);
    EXPECT_EQ(r.opts.dist, cqlbench::key_distribution::zipf);
    EXPECT_DOUBLE_EQ(r.opts.zipf_s, 1.2);
    EXPECT_EQ(r.opts.consistency, async_cassandra::consistency::quorum);
    EXPECT_EQ(r.opts.protocol, 4);
    EXPECT_TRUE(r.opts.json);
    std::vector<std::string_view> mix = {"--mix", "80:20"};
    auto m = cqlbench::parse_options(mix);
    EXPECT_EQ(m.opts.work, cqlbench::workload::mixed);
    EXPECT_EQ(m.opts.read_percent, 80u);
}

// The same TLS and authentication options as cql (tools/common).
TEST(cqlbench_options, security_options_are_the_shared_ones) {
    std::vector<std::string_view> args = {
        "--ca", "ca.pem",           "--cert=c.pem", "--key", "c.key",           "--server-name",
        "db",   "--no-verify-host", "--user",       "app",   "--password-file", "pw"};
    auto r = cqlbench::parse_options(args);
    ASSERT_EQ(r.error, "");
    const auto& sec = r.opts.security;
    EXPECT_TRUE(sec.tls.enabled);  // implied by --ca
    EXPECT_EQ(sec.tls.ca_file, "ca.pem");
    EXPECT_EQ(sec.tls.cert_file, "c.pem");
    EXPECT_EQ(sec.tls.key_file, "c.key");
    EXPECT_EQ(sec.tls.server_name, "db");
    EXPECT_FALSE(sec.tls.verify_host);
    EXPECT_EQ(sec.user, "app");
    EXPECT_EQ(sec.password_file, "pw");
    std::vector<std::string_view> plain = {"--tls"};
    EXPECT_TRUE(cqlbench::parse_options(plain).opts.security.tls.enabled);
    EXPECT_NE(cqlbench::usage().find("--password-file"), std::string::npos);
}

// A password given on the command line is refused without repeating it.
TEST(cqlbench_options, password_on_the_command_line_is_not_echoed) {
    for (const auto& args : {std::vector<std::string_view>{"--password", "hunter2"},
                             std::vector<std::string_view>{"--password=hunter2"}}) {
        const auto error = parse_error(args);
        EXPECT_NE(error.find("AC_PASSWORD"), std::string::npos) << error;
        EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
    }
}

TEST(cqlbench_options, bad_options_name_the_option_and_the_accepted_values) {
    struct bad_case {
        std::vector<std::string_view> args;
        std::vector<std::string> expected;  // substrings of the message
    };
    const std::vector<bad_case> cases = {
        {{"--dist", "pareto"}, {"--dist", "uniform", "zipf", "seq", "pareto"}},
        {{"--dist", "zipf:x"}, {"--dist", "number"}},
        {{"--workload", "delete"}, {"--workload", "insert|select|mixed|scan", "delete"}},
        {{"--concurrency", "0"}, {"--concurrency", "1 to 32768"}},
        {{"--concurrency", "-5"}, {"--concurrency"}},
        {{"--concurrency"}, {"--concurrency", "missing value"}},
        {{"--port", "99999"}, {"--port", "65535"}},
        {{"--rate", "fast"}, {"--rate", "number"}},
        {{"--duration", "soon"}, {"--duration", "30s"}},
        {{"--mix", "80"}, {"--mix", "read:write"}},
        {{"--mix", "0:0"}, {"--mix", "non-zero"}},
        {{"--consistency", "most"}, {"--consistency", "local_quorum"}},
        {{"--protocol", "3"}, {"--protocol", "4 to 5"}},
        {{"--compression", "zstd"}, {"--compression", "lz4"}},
        {{"--compression", "snappy"}, {"--compression", "--protocol 4"}},
        {{"--keyspace", "Bad-Name"}, {"--keyspace", "lower-case"}},
        {{"--hosts", "a,,b"}, {"--hosts", "empty host"}},
        {{"--workload", "scan", "--ceiling"}, {"--ceiling", "insert or select"}},
        {{"--json=yes"}, {"--json", "takes no value"}},
        {{"--frobnicate"}, {"unknown option", "--frobnicate"}},
        {{"--ca"}, {"--ca", "missing value"}},
        {{"--user="}, {"--user", "expected a value"}},
        {{"--tls=yes"}, {"--tls", "takes no value"}},
        {{"--tls", "--ceiling"}, {"--ceiling", "without TLS"}},
        {{"--user", "app", "--password", "pw"}, {"--password", "AC_PASSWORD", "--password-file"}},
        {{"--password=pw"}, {"--password", "AC_PASSWORD"}},
        {{"-p", "pw"}, {"AC_PASSWORD"}},
    };
    for (const auto& c : cases) {
        const auto error = parse_error(c.args);
        ASSERT_FALSE(error.empty()) << c.args.front() << " was accepted";
        for (const auto& s : c.expected)
            EXPECT_NE(error.find(s), std::string::npos) << "'" << s << "' not in: " << error;
    }
}

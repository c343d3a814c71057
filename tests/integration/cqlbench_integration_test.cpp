// cqlbench against the real node: a short run of each workload in its own
// keyspace (bench_cqlbench), checking every op succeeded.
#include <bench.hpp>

#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>

namespace {

cqlbench::options base(cqlbench::workload w) {
    cqlbench::options o;
    const char* h = std::getenv("AC_TEST_HOST");
    o.hosts = {h && *h ? h : "127.0.0.1"};
    o.keyspace = "bench_cqlbench";
    o.create = true;
    o.work = w;
    o.ops = 2000;
    o.keys = 2000;
    o.concurrency = 32;
    o.progress = false;
    return o;
}

cqlbench::run_result run_now(const cqlbench::options& o) {
    asio::io_context io;
    auto out = cqlbench::run_blocking(io, o, {}, std::chrono::seconds(120));
    if (!out.result) throw std::runtime_error(out.failure);
    return *out.result;
}

void expect_clean(const cqlbench::run_result& r, std::uint64_t ops) {
    EXPECT_EQ(r.ops, ops);
    EXPECT_EQ(r.errors, 0u) << cqlbench::to_json(r);
    EXPECT_LE(r.percentile_us(50), r.percentile_us(99));
    EXPECT_GT(r.ops_per_s(), 0);
}

}  // namespace

// One test so the workloads run in order: select and scan read what insert wrote.
TEST(cqlbench_real_node, every_workload_runs_without_errors) {
    auto insert = base(cqlbench::workload::insert);
    insert.dist = cqlbench::key_distribution::seq;  // every key 0..1999 once
    expect_clean(run_now(insert), 2000);

    auto select = base(cqlbench::workload::select);
    auto s = run_now(select);
    expect_clean(s, 2000);
    EXPECT_EQ(s.rows, 2000u);  // every key was written

    auto mixed = base(cqlbench::workload::mixed);
    mixed.read_percent = 80;
    mixed.dist = cqlbench::key_distribution::zipf;
    auto m = run_now(mixed);
    expect_clean(m, 2000);
    EXPECT_GT(m.rows, 1000u);  // ~1600 reads, each finding its row

    auto scan = base(cqlbench::workload::scan);
    scan.ops = 100;
    scan.scan_rows = 100;
    scan.page_size = 30;  // several pages per range
    auto sc = run_now(scan);
    expect_clean(sc, 100);
    EXPECT_GT(sc.rows, 2000u);  // ~100 rows per range

    auto ceiling = base(cqlbench::workload::select);
    ceiling.ceiling = true;
    expect_clean(run_now(ceiling), 2000);
}

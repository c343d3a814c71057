// The cost of the metrics on the request path: histogram records, counter
// increments, and the full set of updates one request makes (cluster-wide
// block, host block, two clock reads), on one thread and on two threads
// sharing the same blocks (the worst case: both hammer the same cache lines).
#include "metrics/probe.hpp"

#include <async_cassandra/metrics.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

namespace ac = async_cassandra;

namespace {

// Shared by the threads of a multi-threaded run.
ac::metrics_registry& shared_registry() {
    static ac::metrics_registry reg;
    return reg;
}

// Latencies spread over many buckets, like real ones (~100 µs .. 10 ms).
std::uint64_t latency_ns(std::uint64_t i) { return 100'000 + (i * 2654435761u) % 10'000'000; }

void histogram_record(benchmark::State& state) {
    auto& h = shared_registry().requests().latency();
    std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) * 7;
    for (auto _ : state) h.record_ns(latency_ns(i++));
}
BENCHMARK(histogram_record)->Threads(1)->Threads(2);

void counter_increment(benchmark::State& state) {
    auto& m = shared_registry().requests();
    for (auto _ : state) m.on_retry();
}
BENCHMARK(counter_increment)->Threads(1)->Threads(2);

void clock_read(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}
BENCHMARK(clock_read);

// What the request path adds per request, minus the clock: start and end in
// the cluster-wide block and in the host's, with a latency.
void request_updates_no_clock(benchmark::State& state) {
    auto& reg = shared_registry();
    auto& host = reg.host("127.0.0.1:9042");
    std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) * 7;
    for (auto _ : state) {
        const auto lat = std::chrono::nanoseconds(latency_ns(i++));
        reg.requests().on_request_start();
        host.on_request_start();
        host.on_request_end(lat);
        reg.requests().on_request_end(lat);
    }
}
BENCHMARK(request_updates_no_clock)->Threads(1)->Threads(2);

// The same through the probes the request path uses: request_probe (cluster
// block, listener check) plus attempt_probe (host block), sharing their
// clock reads: one at the start, one at the end.
void request_probes(benchmark::State& state) {
    using clock = std::chrono::steady_clock;
    auto& reg = shared_registry();
    auto* host = &reg.host("127.0.0.1:9042");
    for (auto _ : state) {
        ac::detail::request_probe r(&reg, "SELECT * FROM t WHERE k = ?");
        ac::detail::attempt_probe a(host, r.start_time());
        const auto end = clock::now();
        a.finish_at(end, {});
        r.finish_at(end, {}, "127.0.0.1:9042");
    }
}
BENCHMARK(request_probes)->Threads(1)->Threads(2);

// As above, with the start time given by the caller (the request's timeout
// timer reads the clock anyway): one clock read is the metrics' own.
void request_probes_given_start(benchmark::State& state) {
    using clock = std::chrono::steady_clock;
    auto& reg = shared_registry();
    auto* host = &reg.host("127.0.0.1:9042");
    const auto start = clock::now();
    for (auto _ : state) {
        ac::detail::request_probe r(&reg, "SELECT * FROM t WHERE k = ?", start);
        ac::detail::attempt_probe a(host, start);
        const auto end = clock::now();
        a.finish_at(end, {});
        r.finish_at(end, {}, "127.0.0.1:9042");
    }
}
BENCHMARK(request_probes_given_start)->Threads(1)->Threads(2);

// The request probe alone (cluster block only: what the session hook costs).
void request_probe_only(benchmark::State& state) {
    auto& reg = shared_registry();
    for (auto _ : state) {
        ac::detail::request_probe r(&reg, "SELECT * FROM t WHERE k = ?");
        r.finish({});
    }
}
BENCHMARK(request_probe_only)->Threads(1)->Threads(2);

// Metrics off (no registry): what remains is a null check.
void request_probes_disabled(benchmark::State& state) {
    for (auto _ : state) {
        ac::detail::request_probe r(nullptr, "SELECT 1");
        ac::detail::attempt_probe a(nullptr);
        a.finish({});
        r.finish({});
        benchmark::ClobberMemory();
    }
}
BENCHMARK(request_probes_disabled);

// Reading: a snapshot with 3 hosts and its Prometheus text (per scrape, not per request).
void snapshot_and_format(benchmark::State& state) {
    ac::metrics_registry reg;
    for (int h = 1; h <= 3; ++h) {
        auto& m = reg.host("10.0.0." + std::to_string(h) + ":9042");
        for (std::uint64_t i = 0; i < 10000; ++i) m.on_request_end(std::chrono::nanoseconds(latency_ns(i)));
    }
    for (auto _ : state) benchmark::DoNotOptimize(ac::to_prometheus(reg.snapshot()));
}
BENCHMARK(snapshot_and_format);

}  // namespace

BENCHMARK_MAIN();

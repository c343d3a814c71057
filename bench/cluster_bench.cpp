// Token-aware routing costs on one core: the Murmur3 token of a key, a
// replica lookup, and building a keyspace's replica table for a ring.
// Run: build/bench/cluster_bench
#include "cluster/murmur3.hpp"
#include "cluster/routing_key.hpp"
#include "cluster/token_map.hpp"

#include <benchmark/benchmark.h>

#include <random>

namespace dt = async_cassandra::detail;

namespace {

// `hosts` hosts with `tokens` random tokens each, spread over `dcs`
// datacenters of 3 racks.
std::vector<dt::ring_host> ring(int hosts, int tokens, int dcs) {
    std::mt19937_64 rng(42);
    std::vector<dt::ring_host> out;
    for (int h = 0; h < hosts; ++h) {
        dt::ring_host r{"dc" + std::to_string(h % dcs), "rack" + std::to_string((h / dcs) % 3), {}};
        for (int t = 0; t < tokens; ++t) r.tokens.push_back(static_cast<std::int64_t>(rng()));
        out.push_back(std::move(r));
    }
    return out;
}

dt::replication_options simple3() {
    return dt::parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", "3"}}).options;
}
dt::replication_options nts3x2() {
    return dt::parse_replication({{"class", "NetworkTopologyStrategy"}, {"dc0", "3"}, {"dc1", "3"}}).options;
}

}  // namespace

static void murmur3_token_16_bytes(benchmark::State& state) {
    std::array<std::byte, 16> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(i * 37 + 1);
    for (auto _ : state) {
        benchmark::DoNotOptimize(key);
        benchmark::DoNotOptimize(dt::murmur3_token(key));
    }
}
BENCHMARK(murmur3_token_16_bytes);

// A (int, text) partition key: composing the routing key on the stack, then its token.
static void routing_token_composite(benchmark::State& state) {
    const std::array<std::byte, 4> a{std::byte{0}, std::byte{0}, std::byte{1}, std::byte{42}};
    const std::array<std::byte, 12> b{};
    const dt::key_component parts[] = {a, b};
    for (auto _ : state) benchmark::DoNotOptimize(dt::routing_token(parts));
}
BENCHMARK(routing_token_composite);

// Lookup in a 100 hosts x 256 tokens ring (25,600 ranges), NTS 2 DCs x RF 3.
static void token_map_lookup(benchmark::State& state) {
    dt::token_map m(ring(100, 256, 2));
    m.set_keyspace("ks", nts3x2());
    const auto* table = m.table("ks");
    std::mt19937_64 rng(7);
    std::vector<std::int64_t> tokens(4096);
    for (auto& t : tokens) t = static_cast<std::int64_t>(rng());
    std::size_t i = 0, total = 0;
    for (auto _ : state) {
        const auto r = state.range(0) ? m.replicas(*table, tokens[i++ & 4095]) : m.replicas("ks", tokens[i++ & 4095]);
        total += r.size();
        benchmark::DoNotOptimize(r.data());
    }
    if (total == 0) state.SkipWithError("no replicas");
}
BENCHMARK(token_map_lookup)->ArgName("by_table")->Arg(0)->Arg(1);

// Rebuilding: the ring plus one keyspace's table. Args: hosts, tokens per host, strategy (0 simple RF 3, 1 NTS 2x3).
static void token_map_build(benchmark::State& state) {
    const auto hosts = ring(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 2);
    const auto r = state.range(2) ? nts3x2() : simple3();
    for (auto _ : state) {
        dt::token_map m(hosts);
        m.set_keyspace("ks", r);
        benchmark::DoNotOptimize(m.table("ks"));
    }
}
BENCHMARK(token_map_build)
    ->ArgNames({"hosts", "tokens", "nts"})
    ->Args({3, 16, 0})
    ->Args({3, 16, 1})
    ->Args({100, 256, 0})
    ->Args({100, 256, 1})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();

// Protocol-layer costs on one core: decoding a page into views, and the v5
// segment path (CRC24/CRC32, LZ4). Run: build/bench/protocol_bench
#include <async_cassandra/protocol/crc.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <async_cassandra/result_set.hpp>

#include <benchmark/benchmark.h>

#include <random>

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;

namespace {
// RESULT Rows: (id bigint, name text, score double, flag boolean, n int).
pr::byte_buffer page(int rows) {
    pr::byte_buffer body;
    pr::byte_writer w(body);
    w.i32(2);
    w.i32(pr::rows_flags::global_tables_spec);
    w.i32(5);
    w.string("ks");
    w.string("t");
    const std::pair<const char*, std::uint16_t> cols[] = {
        {"id", 0x0002}, {"name", 0x000D}, {"score", 0x0007}, {"flag", 0x0004}, {"n", 0x0009}};
    for (auto [name, id] : cols) {
        w.string(name);
        w.u16(id);
    }
    w.i32(rows);
    for (int i = 0; i < rows; ++i) {
        w.i32(8);
        w.i64(i);
        w.bytes(pr::as_bytes("name-" + std::to_string(i)));
        w.i32(8);
        w.i64(0x400921FB54442D18);
        w.i32(1);
        w.u8(i & 1);
        w.i32(4);
        w.i32(i);
    }
    return body;
}
}  // namespace

// One EXECUTE envelope with 5 bound values, into a reused output buffer
// (as the connection does: no allocation once the buffer has grown).
static void encode_execute_5_values(benchmark::State& state) {
    const std::string id(16, 'i'), rmid(16, 'r');
    const std::string v0 = "\0\0\0\0\0\0\0\x2a", v1 = "some text value", v2 = "\x40\x09\x21\xfb\x54\x44\x2d\x18",
                      v3 = "\1", v4 = "\0\0\0\x07";
    const pr::value_ref values[] = {pr::value_ref::of(pr::as_bytes(v0)), pr::value_ref::of(pr::as_bytes(v1)),
                                    pr::value_ref::of(pr::as_bytes(v2)), pr::value_ref::of(pr::as_bytes(v3)),
                                    pr::value_ref::of(pr::as_bytes(v4))};
    pr::query_parameters p;
    p.consistency_level = ac::consistency::local_quorum;
    p.values = values;
    p.skip_metadata = true;
    p.page_size = 5000;
    pr::byte_buffer out;
    out.reserve(4096);
    std::int16_t stream = 0;
    for (auto _ : state) {
        out.clear();
        pr::write_envelope(out, 5, 0, stream++ & 0x7FFF, pr::opcode::execute, [&](pr::byte_writer& w) {
            pr::encode_execute(w, pr::as_bytes(id), pr::as_bytes(rmid), p, 5);
        });
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(encode_execute_5_values);

// Index a 5,000-row page and read every cell through typed views.
static void decode_page_into_views(benchmark::State& state) {
    const int rows = 5000;
    auto body = page(rows);
    std::int64_t sum = 0;
    for (auto _ : state) {
        auto rs = ac::result_set::from_body(body, 0, 5);
        for (std::size_t i = 0; i < rs.size(); ++i) {
            auto r = rs.row(i);
            sum += r.get<std::int64_t>(0);
            sum += static_cast<std::int64_t>(r.get<std::string_view>(1).size());
            sum += static_cast<std::int64_t>(r.get<double>(2));
            sum += r.get<bool>(3);
            sum += r.get<std::int32_t>(4);
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * rows,
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(decode_page_into_views);

// Envelopes of 1 KiB (half compressible) through segment encode + decode.
static void segments_round_trip(benchmark::State& state) {
    const bool lz4 = state.range(0) != 0;
    pr::byte_buffer envelopes;
    std::mt19937 rng(7);
    for (int i = 0; i < 256; ++i) {
        pr::write_envelope(envelopes, 5, 0, static_cast<std::int16_t>(i), pr::opcode::result, [&](pr::byte_writer& w) {
            for (int k = 0; k < 1024; ++k) w.u8(k < 512 ? static_cast<std::uint8_t>(rng()) : 0);
        });
        envelopes[envelopes.size() - 1024 - 9] |= std::byte{pr::response_bit};
    }
    pr::byte_buffer wire;
    for (auto _ : state) {
        wire.clear();
        pr::encode_segments(wire, envelopes, lz4);
        pr::frame_decoder d;
        d.enable_segments(lz4);
        d.feed(wire);
        int n = 0;
        while (auto e = d.next()) ++n;
        if (n != 256) state.SkipWithError("lost envelopes");
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(envelopes.size()));
}
BENCHMARK(segments_round_trip)->Arg(0)->Arg(1)->ArgName("lz4");

// CRC32 alone over a full 128 KiB segment payload.
static void crc32_128k(benchmark::State& state) {
    pr::byte_buffer payload(pr::max_segment_payload, std::byte{0x5A});
    for (auto _ : state) benchmark::DoNotOptimize(pr::segment_crc32(payload));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}
BENCHMARK(crc32_128k);

BENCHMARK_MAIN();

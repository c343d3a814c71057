// Hostile messages against the decoders, with the heap use of this thread
// measured: a message that would make a decoder allocate far more than its
// own size must be refused, with a protocol_error naming the limit, before
// the allocation. Past alloc_limit an allocation fails (bad_alloc), so an
// amplification fails its test instead of exhausting the machine (issue 15).
// A binary of its own: it replaces the global operator new.
#include "wire.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

#include <malloc.h>

#include <cstdlib>
#include <functional>
#include <new>

namespace {
constexpr std::int64_t alloc_limit = 128 << 20;
// This thread's heap bytes since measuring began, and their peak.
thread_local bool measuring = false;
thread_local std::int64_t live = 0, peak = 0;
}  // namespace

void* operator new(std::size_t n) {
    if (measuring && live + static_cast<std::int64_t>(n) > alloc_limit) throw std::bad_alloc();
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    if (measuring) {
        live += static_cast<std::int64_t>(malloc_usable_size(p));
        peak = std::max(peak, live);
    }
    return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
    if (measuring && p) live -= static_cast<std::int64_t>(malloc_usable_size(p));
    std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

namespace {

struct outcome {
    std::int64_t peak = 0;  // heap bytes at the most while decoding
    std::string error;      // what() of the protocol_error; empty when it decoded
    protocol_errc code{};
};

// Runs `decode` with the heap measured; bad_alloc (the limit) fails the test.
outcome measure(const std::function<void()>& decode) {
    outcome out;
    live = peak = 0;
    measuring = true;
    try {
        decode();
    } catch (const protocol_error& e) {
        measuring = false;
        out.error = e.what();
        out.code = static_cast<protocol_errc>(e.code().value());
    } catch (const std::bad_alloc&) {
        measuring = false;
        ADD_FAILURE() << "decoding tried to allocate more than " << alloc_limit << " bytes";
    }
    measuring = false;
    out.peak = peak;
    return out;
}

void expect_refused(const outcome& o, protocol_errc code, std::initializer_list<std::string_view> mentions) {
    ASSERT_FALSE(o.error.empty()) << "not refused";
    EXPECT_EQ(o.code, code) << o.error;
    for (auto m : mentions) EXPECT_NE(o.error.find(m), std::string::npos) << "no '" << m << "' in: " << o.error;
}

outcome decode_result_body(const byte_buffer& body, int version = 5) {
    return measure([&] {
        byte_reader r(body);
        (void)decode_result(r, version);
    });
}

byte_buffer repeat(const byte_buffer& b, std::size_t n) {
    byte_buffer out;
    out.reserve(b.size() * n);
    for (std::size_t i = 0; i < n; ++i) out.insert(out.end(), b.begin(), b.end());
    return out;
}
byte_buffer i32(std::int32_t v) {
    byte_buffer out;
    byte_writer(out).i32(v);
    return out;
}
// Snappy's preamble: the uncompressed length as a little-endian varint.
byte_buffer varint(std::uint32_t v) {
    byte_buffer out;
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<std::byte>(v | 0x80));
    out.push_back(static_cast<std::byte>(v));
    return out;
}
byte_buffer u16(std::uint16_t v) {
    byte_buffer out;
    byte_writer(out).u16(v);
    return out;
}

// Rows and Prepared (v5) bodies whose only metadata is `specs`: `columns`
// column specs, after a global table spec of `ks`.`table`.
byte_buffer rows_body(std::int32_t columns, const byte_buffer& specs, std::string_view ks = "ks",
                      std::string_view table = "t") {
    return hx("00000002 00000001") + i32(columns) + str(ks) + str(table) + specs + hx("00000000");
}
byte_buffer prepared_body(std::int32_t columns, const byte_buffer& specs) {
    return hx("00000004 0001 01 0001 02 00000001") + i32(columns) + hx("00000000") + str("ks") + str("t") + specs +
           hx("00000004 00000000");
}

}  // namespace

TEST(amplification, more_columns_than_the_limit_are_refused_before_allocating) {
    // 70,000 columns of 4 bytes each (an empty name, int): 280 KB that
    // decoded into ~250 bytes a column.
    const auto specs = repeat(str("") + hx("0009"), 70000);
    for (const auto& body : {rows_body(70000, specs), prepared_body(70000, specs)}) {
        const auto o = decode_result_body(body);
        expect_refused(o, protocol_errc::malformed, {"70000 columns", "limit of 65535"});
        EXPECT_LT(o.peak, 64 << 10);
    }
}

TEST(amplification, the_column_limit_leaves_room_for_any_real_table) {
    const auto specs = repeat(str("") + hx("0009"), 65535);
    const auto o = decode_result_body(rows_body(65535, specs));
    EXPECT_TRUE(o.error.empty()) << o.error;
}

TEST(amplification, global_names_copied_into_every_column_are_bounded) {
    // A 60,000-byte keyspace name, copied into each of 4,000 column specs:
    // 240 MB from a body of 76 KB.
    const std::string long_name(60000, 'k');
    const auto specs = repeat(str("") + hx("0009"), 4000);
    const auto o = decode_result_body(rows_body(4000, specs, long_name));
    expect_refused(o, protocol_errc::malformed, {"global table spec", "limit of"});
    EXPECT_LT(o.peak, 1 << 20);
}

TEST(amplification, more_type_nodes_than_the_limit_are_refused) {
    // Eight columns of tuple<int x 65535>: 2 bytes a node on the wire, ~150
    // once decoded; 524,296 nodes in 1 MB.
    const auto tuple = hx("0031") + u16(65535) + repeat(hx("0009"), 65535);
    const auto specs = repeat(str("") + tuple, 8);
    const auto o = decode_result_body(rows_body(8, specs));
    expect_refused(o, protocol_errc::malformed, {"type nodes", "limit of 262144"});
}

TEST(amplification, type_nodes_are_counted_over_the_whole_prepared_message) {
    // Each list stays under the limit; the message as a whole does not.
    const auto tuple = hx("0031") + u16(65535) + repeat(hx("0009"), 65535);
    const auto specs = repeat(str("") + tuple, 3);
    const auto body = hx("00000004 0001 01 0001 02") + hx("00000001 00000003 00000000") + str("ks") + str("t") + specs +
                      hx("00000001 00000003") + str("ks") + str("t") + specs;
    expect_refused(decode_result_body(body), protocol_errc::malformed, {"type nodes", "limit of 262144"});
}

namespace {
outcome decompress(const byte_buffer& body, compression c) {
    return measure([&] { (void)decompress_body(body, c, max_envelope_body, "RESULT envelope on stream 7"); });
}
}  // namespace

TEST(amplification, an_lz4_size_beyond_the_format_ratio_is_refused_before_allocating) {
    // Five bytes declaring 256 MiB - 1.
    const auto o = decompress(hx("0fffffff 00"), compression::lz4);
    expect_refused(o, protocol_errc::decompression_failed, {"RESULT envelope on stream 7", "255"});
    EXPECT_LT(o.peak, 64 << 10);
}

TEST(amplification, a_snappy_size_beyond_the_format_ratio_is_refused_before_allocating) {
    // A varint of 256 MiB - 1 and one byte.
    const auto o = decompress(hx("ffffff7f 00"), compression::snappy);
    expect_refused(o, protocol_errc::decompression_failed, {"RESULT envelope on stream 7", "64/3"});
    EXPECT_LT(o.peak, 64 << 10);
}

TEST(amplification, a_body_that_cannot_fill_its_output_costs_at_most_16_times_its_size) {
    // Declared sizes within each format's ratio, over blocks of garbage: an
    // LZ4 body claiming more than 16:1 is refused before the output is
    // allocated; below that, or in Snappy (at most 64/3:1), the output costs
    // what an honest body of the same size and ratio would.
    const auto garbage = repeat(hx("ff"), 100000);
    struct body_case {
        compression c;
        byte_buffer body;
        std::int64_t most;
    };
    for (const auto& [c, body, most] :
         {body_case{compression::lz4, i32(100000 * 250) + garbage, 64 << 10},
          body_case{compression::lz4, i32(100000 * 16) + garbage, (16 * 100000) + (64 << 10)},
          body_case{compression::snappy, varint(100000 * 21) + garbage, (21 * 100000) + (64 << 10)}}) {
        const auto o = decompress(body, c);
        expect_refused(o, protocol_errc::decompression_failed, {"RESULT envelope on stream 7"});
        EXPECT_LT(o.peak, most) << to_string(c) << " " << body.size();
    }
}

TEST(amplification, a_compressed_envelope_bomb_in_the_frame_decoder) {
    for (auto [c, body] :
         {std::pair{compression::lz4, hx("0fffffff 00")}, std::pair{compression::snappy, hx("ffffff7f 00")}}) {
        auto env = hx("84 01 0007 08") + i32(static_cast<std::int32_t>(body.size())) + body;
        frame_decoder d;
        d.enable_body_compression(c);
        d.feed(env);
        const auto o = measure([&] { (void)d.next(); });
        expect_refused(o, protocol_errc::decompression_failed, {"RESULT envelope on stream 7"});
        EXPECT_LT(o.peak, 64 << 10) << to_string(c);
    }
}

TEST(amplification, bodies_at_each_formats_best_ratio_still_decompress) {
    const byte_buffer zeros(4 << 20);
    for (auto c : {compression::lz4, compression::snappy}) {
        byte_buffer packed;
        compress_body(packed, zeros, c);
        owned_bytes got;
        const auto o = measure([&] { got = decompress_body(packed, c, max_envelope_body, "t"); });
        EXPECT_TRUE(o.error.empty()) << o.error;
        EXPECT_EQ(got, zeros) << to_string(c);
        EXPECT_LT(o.peak, (4 << 20) + (64 << 10)) << to_string(c);
    }
}

// v4 envelope body compression (v4 spec section 5): the body layouts, round
// trips through the frame decoder at every split, and corrupt input.
#include "wire.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <gtest/gtest.h>

#include <lz4.h>
#include <lz4hc.h>
#include <snappy-c.h>

#include <random>

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

namespace {
byte_buffer text_body(std::size_t n) {
    byte_buffer out;
    static constexpr std::string_view words = "SELECT key, value FROM system.local WHERE key = 'local'; ";
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(words[i % words.size()]));
    return out;
}
byte_buffer random_body(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    byte_buffer out(n);
    for (auto& b : out) b = static_cast<std::byte>(rng());
    return out;
}
// A response envelope as a v4 server sends it with compression on.
byte_buffer compressed_response(std::int16_t stream, const byte_buffer& body, compression c) {
    byte_buffer out;
    write_envelope(out, 4, 0, stream, opcode::result, [&](byte_writer& w) { w.raw(body); });
    out[0] |= std::byte{response_bit};
    compress_envelope(out, 0, c);
    return out;
}
std::vector<envelope> decode_all(const byte_buffer& wire_bytes, compression c, std::size_t chunk) {
    frame_decoder d;
    d.enable_body_compression(c);
    std::vector<envelope> got;
    for (std::size_t pos = 0; pos < wire_bytes.size(); pos += chunk) {
        d.feed(bytes_view(wire_bytes).subspan(pos, std::min(chunk, wire_bytes.size() - pos)));
        while (auto e = d.next()) got.push_back(std::move(*e));
    }
    EXPECT_EQ(d.buffered(), 0u);
    return got;
}
void expect_refused(const byte_buffer& body, compression c, protocol_errc code, std::size_t max = 1 << 20) {
    try {
        (void)decompress_body(body, c, max, "RESULT envelope on stream 7");
        ADD_FAILURE() << "decompressed";
    } catch (const protocol_error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_NE(std::string(e.what()).find("RESULT envelope on stream 7"), std::string::npos) << e.what();
    }
}
}  // namespace

TEST(body_compression, lz4_body_is_a_length_then_an_lz4_block) {
    // Spelled from the formats: [int] 5, then one LZ4 sequence of 5 literals (token 0x50).
    auto body = hx("00000005 50") + txt("hello");
    EXPECT_EQ(decompress_body(body, compression::lz4, 100, "t"), txt("hello"));

    auto original = text_body(1000);
    byte_buffer out;
    compress_body(out, original, compression::lz4);
    EXPECT_EQ(out[0], std::byte{0});
    EXPECT_EQ(out[2], std::byte{0x03});
    EXPECT_EQ(out[3], std::byte{0xe8});
    byte_buffer check(1000);
    ASSERT_EQ(LZ4_decompress_safe(reinterpret_cast<const char*>(out.data() + 4), reinterpret_cast<char*>(check.data()),
                                  static_cast<int>(out.size() - 4), 1000),
              1000);
    EXPECT_EQ(check, original);
    EXPECT_LT(out.size(), 200u);
}

TEST(body_compression, snappy_body_is_raw_snappy) {
    // A varint length 5, then a literal tag ((5 - 1) << 2) and the bytes.
    auto body = hx("05 10") + txt("hello");
    EXPECT_EQ(decompress_body(body, compression::snappy, 100, "t"), txt("hello"));

    auto original = text_body(1000);
    byte_buffer out;
    compress_body(out, original, compression::snappy);
    std::size_t n = 0;
    ASSERT_EQ(snappy_uncompressed_length(reinterpret_cast<const char*>(out.data()), out.size(), &n), SNAPPY_OK);
    EXPECT_EQ(n, 1000u);
    EXPECT_EQ(decompress_body(out, compression::snappy, 1000, "t"), original);
}

TEST(body_compression, empty_bodies_round_trip) {
    for (auto c : {compression::lz4, compression::snappy}) {
        byte_buffer out;
        compress_body(out, {}, c);
        EXPECT_TRUE(decompress_body(out, c, 0, "t").empty()) << to_string(c);
    }
}

TEST(body_compression, compress_envelope_sets_the_flag_and_length) {
    byte_buffer out = hx("ff");  // something before the envelope stays as it is
    write_envelope(out, 4, frame_flags::tracing, 0x0102, opcode::query, [](byte_writer& w) { w.raw(text_body(500)); });
    compress_envelope(out, 1, compression::lz4);
    EXPECT_EQ(out[0], std::byte{0xff});
    auto h = decode_envelope_header(bytes_view(out).subspan(1, envelope_header_size));
    EXPECT_EQ(h.flags, frame_flags::tracing | frame_flags::compression);
    EXPECT_EQ(h.stream, 0x0102);
    EXPECT_EQ(h.body_length, out.size() - 1 - envelope_header_size);
    EXPECT_EQ(decompress_body(bytes_view(out).subspan(1 + envelope_header_size), compression::lz4, 1000, "t"),
              text_body(500));
}

class body_compression_split : public ::testing::TestWithParam<compression> {};

TEST_P(body_compression_split, round_trips_through_the_decoder_at_every_chunk_size) {
    const auto c = GetParam();
    const std::vector<byte_buffer> bodies = {{}, text_body(1), text_body(700), random_body(300, 1), hx("00000001")};
    byte_buffer wire_bytes;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        auto env = compressed_response(static_cast<std::int16_t>(i), bodies[i], c);
        wire_bytes.insert(wire_bytes.end(), env.begin(), env.end());
    }
    // An uncompressed envelope may come between compressed ones.
    auto plain = hx("84 00 0009 08 00000004 00000001");
    wire_bytes.insert(wire_bytes.end(), plain.begin(), plain.end());
    for (std::size_t chunk = 1; chunk <= wire_bytes.size(); ++chunk) {
        auto got = decode_all(wire_bytes, c, chunk);
        ASSERT_EQ(got.size(), bodies.size() + 1) << chunk;
        for (std::size_t i = 0; i < bodies.size(); ++i) {
            EXPECT_EQ(got[i].body, bodies[i]) << "chunk " << chunk << " envelope " << i;
            EXPECT_EQ(got[i].header.flags & frame_flags::compression, 0) << "the decoder clears the flag";
            EXPECT_EQ(got[i].header.body_length, bodies[i].size());
        }
        EXPECT_EQ(got.back().header.stream, 9);
        EXPECT_EQ(got.back().body, hx("00000001"));
    }
}

TEST_P(body_compression_split, large_bodies_round_trip) {
    const auto c = GetParam();
    const auto big = text_body(3 << 20);
    const auto noise = random_body(300 * 1024, 2);
    auto wire_bytes = compressed_response(1, big, c) + compressed_response(2, noise, c);
    for (std::size_t chunk : {std::size_t{1} << 10, std::size_t{65536}, std::size_t{99991}, wire_bytes.size()}) {
        auto got = decode_all(wire_bytes, c, chunk);
        ASSERT_EQ(got.size(), 2u);
        EXPECT_EQ(got[0].body, big);
        EXPECT_EQ(got[1].body, noise);
    }
}

TEST_P(body_compression_split, every_corrupted_byte_is_a_protocol_error_or_a_body) {
    const auto c = GetParam();
    auto env = compressed_response(3, text_body(400), c);
    for (std::size_t i = envelope_header_size; i < env.size(); ++i) {
        for (int flip : {0x01, 0x80, 0xff}) {
            auto bad = env;
            bad[i] ^= static_cast<std::byte>(flip);
            frame_decoder d(4096);
            d.enable_body_compression(c);
            d.feed(bad);
            try {
                auto e = d.next();
                ASSERT_TRUE(e);
                EXPECT_LE(e->body.size(), 4096u);
            } catch (const protocol_error& e) {
                EXPECT_NE(std::string(e.what()).find("RESULT envelope on stream 3"), std::string::npos) << e.what();
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(algorithms, body_compression_split, ::testing::Values(compression::lz4, compression::snappy),
                         [](const auto& i) { return std::string(to_string(i.param)); });

TEST(body_compression, corrupt_lz4_bodies_are_refused) {
    auto good = hx("00000005 50") + txt("hello");
    expect_refused(hx("000000"), compression::lz4, protocol_errc::truncated);
    expect_refused(hx("ffffffff 50") + txt("hello"), compression::lz4, protocol_errc::malformed);
    expect_refused(hx("00000006 50") + txt("hello"), compression::lz4, protocol_errc::decompression_failed);
    expect_refused(hx("00000004 50") + txt("hello"), compression::lz4, protocol_errc::decompression_failed);
    expect_refused(byte_buffer(good.begin(), good.end() - 1), compression::lz4, protocol_errc::decompression_failed);
    expect_refused(hx("00000005 ffffffff"), compression::lz4, protocol_errc::decompression_failed);
    // A declared size over the limit is refused before anything is allocated.
    expect_refused(hx("7fffffff 00"), compression::lz4, protocol_errc::frame_too_large);
    expect_refused(good, compression::lz4, protocol_errc::frame_too_large, 4);
    // Within the limit, but more than the block could make (LZ4 expands at most 255:1).
    expect_refused(hx("000003fd 00000000"), compression::lz4, protocol_errc::decompression_failed);
    // A match that reaches back before the start, and one that ends the block.
    expect_refused(hx("00000010 1f 00 0002 00 00"), compression::lz4, protocol_errc::decompression_failed);
    expect_refused(hx("00000005 10 61 0100"), compression::lz4, protocol_errc::decompression_failed);
    // A match at offset 0, which the format calls corrupt (liblz4 zero-fills
    // it), in a block claiming more than 16:1, so walked: 'a', 529 bytes
    // copied, 12 literals. At offset 1 the same block is 542 bytes of text.
    const auto long_match = hx("1f 61 0000 ffff00 c0") + txt("bbbbbbbbbbbb");
    expect_refused(hx("0000021e") + long_match, compression::lz4, protocol_errc::decompression_failed);
    auto at_offset_1 = hx("0000021e") + long_match;
    at_offset_1[6] = std::byte{1};
    EXPECT_EQ(decompress_body(at_offset_1, compression::lz4, 1000, "t"),
              txt(std::string(530, 'a') + std::string(12, 'b')));
}

TEST(body_compression, lz4_blocks_of_every_shape_decompress) {
    // Before allocating for more than 16:1, the decoder walks an LZ4 block's
    // sequences to check its declared size: the walk must accept whatever
    // LZ4 writes, fast or high-compression, from noise to long runs.
    std::mt19937 rng(7);
    int walked = 0;
    for (int i = 0; i < 600; ++i) {
        const std::size_t n = i < 20 ? static_cast<std::size_t>(i) : rng() % 20000;
        const auto alphabet = 1 + rng() % (i % 3 == 0 ? 4 : 256);
        byte_buffer original(n);
        for (std::size_t j = 0; j < n;) {
            const auto run = std::min<std::size_t>(n - j, 1 + rng() % (i % 2 ? 300 : 3));
            std::fill_n(original.begin() + static_cast<std::ptrdiff_t>(j), run,
                        static_cast<std::byte>(rng() % alphabet));
            j += run;
        }
        const int bound = LZ4_compressBound(static_cast<int>(n));
        byte_buffer body = hx("00000000") + byte_buffer(static_cast<std::size_t>(bound));
        byte_writer(body).patch_i32(0, static_cast<std::int32_t>(n));
        const auto* src = reinterpret_cast<const char*>(original.data());
        auto* dst = reinterpret_cast<char*>(body.data() + 4);
        const int packed = i % 2 ? LZ4_compress_HC(src, dst, static_cast<int>(n), bound, 1 + i % 12)
                                 : LZ4_compress_fast(src, dst, static_cast<int>(n), bound, 1 + i % 8);
        ASSERT_GT(packed, 0);
        body.resize(4 + static_cast<std::size_t>(packed));
        EXPECT_EQ(decompress_body(body, compression::lz4, n, "t"), original) << "case " << i;
        walked += n > 16 * static_cast<std::size_t>(packed);
    }
    EXPECT_GT(walked, 100);
}

TEST(body_compression, corrupt_snappy_bodies_are_refused) {
    auto good = hx("05 10") + txt("hello");
    expect_refused({}, compression::snappy, protocol_errc::decompression_failed);
    expect_refused(hx("ff ff ff ff ff ff"), compression::snappy, protocol_errc::decompression_failed);
    expect_refused(hx("06 10") + txt("hello"), compression::snappy, protocol_errc::decompression_failed);
    expect_refused(byte_buffer(good.begin(), good.end() - 1), compression::snappy, protocol_errc::decompression_failed);
    expect_refused(hx("05 fc") + txt("hello"), compression::snappy, protocol_errc::decompression_failed);
    expect_refused(hx("ffffffff07 00"), compression::snappy, protocol_errc::frame_too_large);
    expect_refused(good, compression::snappy, protocol_errc::frame_too_large, 4);
    // Within the limit, but more than 64/3 times the body (Snappy's best ratio).
    expect_refused(hx("d604 fe0000"), compression::snappy, protocol_errc::decompression_failed);
}

TEST(body_compression, a_compressed_flag_without_negotiation_is_refused) {
    auto env = compressed_response(5, text_body(10), compression::lz4);
    frame_decoder d;
    d.feed(env);
    try {
        d.next();
        ADD_FAILURE() << "decoded";
    } catch (const protocol_error& e) {
        EXPECT_EQ(e.code(), protocol_errc::malformed);
        EXPECT_NE(std::string(e.what()).find("RESULT envelope on stream 5"), std::string::npos) << e.what();
    }
}

TEST(body_compression, v5_segments_ignore_the_deprecated_flag) {
    // Inside v5 segments flag 0x01 means nothing: the body is taken as it is.
    byte_buffer env;
    write_envelope(env, 5, frame_flags::compression, 1, opcode::result, [](byte_writer& w) { w.i32(1); });
    env[0] |= std::byte{response_bit};
    byte_buffer segments;
    encode_segments(segments, env, false);
    frame_decoder d;
    d.enable_segments(false);
    d.feed(segments);
    auto e = d.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->body, hx("00000001"));
}

namespace {
// The process's peak resident set (VmHWM) after resetting it, in KiB: what
// one call touched, whatever ran before it in this process.
void reset_peak_rss() {
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    ASSERT_NE(f, nullptr) << "cannot open /proc/self/clear_refs to reset the peak RSS";
    ASSERT_EQ(std::fputs("5", f), 1);
    ASSERT_EQ(std::fclose(f), 0);
}
long peak_rss_kib() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    std::fclose(f);
    return kib;
}
// A body that declares `declared` bytes within its format's ratio, whose
// first element copies from before the start: the decoder stops at once.
byte_buffer early_failing_body(compression c, std::size_t declared) {
    byte_buffer body;
    if (c == compression::lz4) {
        byte_writer(body).i32(static_cast<std::int32_t>(declared));
        body.insert(body.end(), {std::byte{0x00}, std::byte{0xff}, std::byte{0xff}});  // no literals, offset 65535
        body.resize(4 + declared / 15);                                                // 15:1, under the walk's 16:1
    } else {
        for (auto n = declared;; n >>= 7) {  // the varint preamble
            body.push_back(static_cast<std::byte>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
            if (n < 0x80) break;
        }
        body.insert(body.end(), {std::byte{0xfe}, std::byte{0xff}, std::byte{0xff}});  // a copy, offset 65535
        body.resize(declared * 3 / 64 + 64);                                           // within 64/3:1
    }
    return body;
}
}  // namespace

// The output of a decompression is allocated, not zero-filled: a body that
// declares 192 MiB and fails on its first element touches a few pages, where
// a filled buffer made the process resident for all of it. (Under ASan the
// allocation's shadow, an eighth of it, is written: 24 MiB.)
TEST(body_compression, a_body_that_fails_early_does_not_touch_its_declared_size) {
    constexpr std::size_t declared = 192u << 20;
    for (auto c : {compression::lz4, compression::snappy}) {
        const auto body = early_failing_body(c, declared);
        reset_peak_rss();
        const long before = peak_rss_kib();
        ASSERT_GT(before, 0);
        EXPECT_THROW((void)decompress_body(body, c, max_envelope_body, "RESULT envelope"), protocol_error);
        const long grew = peak_rss_kib() - before;
        EXPECT_LT(grew, static_cast<long>(declared / 4 / 1024))
            << to_string(c) << ": the peak RSS grew by " << grew << " KiB";
    }
}

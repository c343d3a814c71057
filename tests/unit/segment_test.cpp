#include <async_cassandra/protocol/crc.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <gtest/gtest.h>

#include <random>

using namespace async_cassandra::protocol;

namespace {
byte_buffer envelopes(std::initializer_list<std::size_t> body_sizes) {
    byte_buffer out;
    std::int16_t stream = 0;
    for (auto n : body_sizes) {
        write_envelope(out, 5, 0, stream++, opcode::result, [n](byte_writer& w) {
            for (std::size_t i = 0; i < n; ++i) w.u8(static_cast<std::uint8_t>(i * 7));
        });
    }
    // Mark them as responses so the decoder sees what a server sends.
    for (std::size_t pos = 0; pos < out.size();) {
        out[pos] |= std::byte{response_bit};
        byte_reader r(bytes_view(out).subspan(pos + 5, 4));
        pos += envelope_header_size + static_cast<std::size_t>(r.i32());
    }
    return out;
}

std::vector<envelope> decode_all(const byte_buffer& wire, bool lz4, std::size_t chunk) {
    frame_decoder d;
    d.enable_segments(lz4);
    std::vector<envelope> got;
    for (std::size_t pos = 0; pos < wire.size(); pos += chunk) {
        d.feed(bytes_view(wire).subspan(pos, std::min(chunk, wire.size() - pos)));
        while (auto e = d.next()) got.push_back(std::move(*e));
    }
    return got;
}
}  // namespace

TEST(segment, header_is_little_endian_with_crc24) {
    byte_buffer out;
    auto payload = envelopes({3});
    encode_segment(out, payload, true, false);
    ASSERT_EQ(out.size(), segment_header_size + payload.size() + segment_trailer_size);
    const std::uint64_t h = payload.size() | (1u << 17);
    EXPECT_EQ(out[0], std::byte(h & 0xFF));
    EXPECT_EQ(out[1], std::byte((h >> 8) & 0xFF));
    EXPECT_EQ(out[2], std::byte((h >> 16) & 0xFF));
    auto crc = crc24(h, 3);
    EXPECT_EQ(out[3], std::byte(crc & 0xFF));
    EXPECT_EQ(out[5], std::byte((crc >> 16) & 0xFF));
    auto c32 = segment_crc32(payload);
    EXPECT_EQ(out[out.size() - 4], std::byte(c32 & 0xFF));
    EXPECT_EQ(out[out.size() - 1], std::byte(c32 >> 24));
}

TEST(segment, crc24_depends_on_every_header_bit) {
    for (int bit = 0; bit < 24; ++bit) EXPECT_NE(crc24(0, 3), crc24(1ull << bit, 3)) << bit;
}

class segment_round_trip : public ::testing::TestWithParam<std::tuple<bool, std::size_t>> {};

TEST_P(segment_round_trip, many_envelopes_any_chunking) {
    auto [lz4, chunk] = GetParam();
    auto env = envelopes({0, 1, 100, 5000, 70000, 131000, 300000, 2});
    byte_buffer wire;
    encode_segments(wire, env, lz4);
    auto got = decode_all(wire, lz4, chunk);
    ASSERT_EQ(got.size(), 8u);
    std::size_t sizes[] = {0, 1, 100, 5000, 70000, 131000, 300000, 2};
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].header.stream, static_cast<std::int16_t>(i));
        ASSERT_EQ(got[i].body.size(), sizes[i]);
        for (std::size_t k = 0; k < sizes[i]; ++k)
            ASSERT_EQ(got[i].body[k], static_cast<std::byte>(static_cast<std::uint8_t>(k * 7))) << i << ":" << k;
    }
}

INSTANTIATE_TEST_SUITE_P(chunks, segment_round_trip,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(1u, 7u, 4096u, 1u << 20)));

TEST(segment, payload_limit_is_128k_minus_one) {
    // An envelope of exactly the limit fits one self-contained segment; one byte more does not.
    auto fits = envelopes({max_segment_payload - envelope_header_size});
    byte_buffer wire;
    encode_segments(wire, fits, false);
    EXPECT_EQ(wire.size(), segment_header_size + max_segment_payload + segment_trailer_size);
    EXPECT_TRUE(decode_segment_header(wire, false)->self_contained);

    auto over = envelopes({max_segment_payload - envelope_header_size + 1});
    wire.clear();
    encode_segments(wire, over, false);
    auto h = decode_segment_header(wire, false);
    EXPECT_FALSE(h->self_contained);
    EXPECT_EQ(h->payload_length, max_segment_payload);
    EXPECT_EQ(decode_all(wire, false, 1000).size(), 1u);
    EXPECT_THROW(encode_segment(wire, over, true, false), protocol_error);
}

TEST(segment, corrupted_header_crc_is_an_error) {
    byte_buffer wire;
    encode_segments(wire, envelopes({10}), false);
    wire[4] ^= std::byte{0x01};
    try {
        decode_all(wire, false, wire.size());
        FAIL();
    } catch (const protocol_error& e) {
        EXPECT_EQ(e.code(), protocol_errc::bad_header_crc);
    }
}

TEST(segment, corrupted_payload_crc_is_an_error) {
    for (bool lz4 : {false, true}) {
        byte_buffer wire;
        encode_segments(wire, envelopes({1000}), lz4);
        wire[wire.size() / 2] ^= std::byte{0x40};
        try {
            decode_all(wire, lz4, wire.size());
            FAIL() << lz4;
        } catch (const protocol_error& e) {
            EXPECT_EQ(e.code(), protocol_errc::bad_payload_crc);
        }
    }
}

TEST(segment, lz4_compresses_compressible_payloads_only) {
    byte_buffer zeros;
    write_envelope(zeros, 5, 0, 1, opcode::result, [](byte_writer& w) { w.raw(byte_buffer(10000)); });
    byte_buffer wire;
    encode_segments(wire, zeros, true);
    EXPECT_LT(wire.size(), 1000u);
    EXPECT_GT(decode_segment_header(wire, true)->uncompressed_length, 0u);

    std::mt19937 rng(1);
    byte_buffer noise;
    write_envelope(noise, 5, 0, 1, opcode::result, [&](byte_writer& w) {
        for (int i = 0; i < 1000; ++i) w.u8(static_cast<std::uint8_t>(rng()));
    });
    wire.clear();
    encode_segments(wire, noise, true);
    EXPECT_EQ(decode_segment_header(wire, true)->uncompressed_length, 0u);  // sent as-is
}

TEST(segment, self_contained_segment_inside_a_large_envelope_is_an_error) {
    auto big = envelopes({200000});
    byte_buffer wire;
    encode_segment(wire, bytes_view(big).subspan(0, 1000), false, false);
    encode_segment(wire, envelopes({1}), true, false);
    EXPECT_THROW(decode_all(wire, false, wire.size()), protocol_error);
}

TEST(segment, self_contained_segment_ending_inside_an_envelope_is_an_error) {
    auto two = envelopes({40, 40});
    for (std::size_t cut : {std::size_t{5}, envelope_header_size + 40 + 4, two.size() - 1}) {
        byte_buffer wire;
        encode_segment(wire, bytes_view(two).subspan(0, cut), true, false);
        try {
            decode_all(wire, false, wire.size());
            ADD_FAILURE() << "no error at " << cut;
        } catch (const protocol_error& e) {
            EXPECT_EQ(e.code(), protocol_errc::malformed) << cut;
            EXPECT_NE(std::string(e.what()).find("self-contained"), std::string::npos) << e.what();
        }
    }
}

// A large envelope's segments may cut anywhere, even inside its header;
// its body is gathered from them whole, whatever the reads' sizes (a read
// ending while a segment is only partly cut moves the rest of the buffer).
TEST(segment, large_envelope_split_anywhere_is_gathered_whole) {
    auto big = envelopes({300000});
    for (std::size_t first : {std::size_t{4}, envelope_header_size, std::size_t{1000}}) {
        byte_buffer wire;
        encode_segment(wire, bytes_view(big).subspan(0, first), false, false);
        for (std::size_t pos = first; pos < big.size(); pos += max_segment_payload)
            encode_segment(wire, bytes_view(big).subspan(pos, std::min(max_segment_payload, big.size() - pos)), false,
                           false);
        encode_segment(wire, envelopes({7, 0}), true, false);  // then small ones again
        for (std::size_t chunk : {wire.size(), std::size_t{4096}, std::size_t{65537}}) {
            auto got = decode_all(wire, false, chunk);
            ASSERT_EQ(got.size(), 3u) << first << " " << chunk;
            ASSERT_EQ(got[0].body.size(), 300000u);
            EXPECT_TRUE(std::equal(got[0].body.begin(), got[0].body.end(), big.begin() + envelope_header_size));
            EXPECT_EQ(got[1].body.size(), 7u);
            EXPECT_EQ(got[2].body.size(), 0u);
        }
    }
}

// Feeding more bytes before every envelope of a segment was taken keeps
// the rest of that segment readable.
TEST(segment, feeding_between_envelopes_of_one_segment_keeps_the_rest) {
    byte_buffer wire;
    encode_segment(wire, envelopes({100, 200, 300}), true, false);
    byte_buffer more;
    encode_segment(more, envelopes({50}), true, false);
    frame_decoder d;
    d.enable_segments(false);
    d.feed(wire);
    auto a = d.next();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->body.size(), 100u);
    byte_buffer filler(200000, std::byte{0});  // forces the buffer to move or grow
    d.feed(more);
    auto space = d.prepare(filler.size());
    EXPECT_GE(space.size(), filler.size());
    auto b = d.next();
    auto c = d.next();
    auto e = d.next();
    ASSERT_TRUE(b && c && e);
    EXPECT_EQ(b->body.size(), 200u);
    EXPECT_EQ(c->body.size(), 300u);
    EXPECT_EQ(e->body.size(), 50u);
    EXPECT_EQ(b->body[1], std::byte{7});
    EXPECT_FALSE(d.next());
}

TEST(segment, crc32_matches_the_bitwise_definition_at_every_length) {
    // Reference: bit-at-a-time CRC32 (IEEE, reflected) seeded with FA 2D 55 CA.
    auto reference = [](bytes_view data) {
        std::uint32_t crc = 0xFFFFFFFFu;
        auto step = [&](std::uint8_t b) {
            crc ^= b;
            for (int k = 0; k < 8; ++k) crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        };
        for (unsigned b : {0xFAu, 0x2Du, 0x55u, 0xCAu}) step(static_cast<std::uint8_t>(b));
        for (auto b : data) step(static_cast<std::uint8_t>(b));
        return ~crc;
    };
    byte_buffer data;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(segment_crc32(data), reference(data)) << i;
        EXPECT_EQ(segment_crc32_portable(data), reference(data)) << i;
        data.push_back(static_cast<std::byte>(i * 37 + 11));
    }
}

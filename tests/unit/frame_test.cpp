#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra::protocol;

namespace {
byte_buffer response(std::int16_t stream, opcode op, std::string_view body, std::uint8_t version = 4) {
    byte_buffer out;
    byte_writer w(out);
    encode_envelope_header(w, {version, true, 0, stream, op, static_cast<std::uint32_t>(body.size())});
    w.raw(as_bytes(body));
    return out;
}
}  // namespace

TEST(frame, header_layout_matches_spec_2_4) {
    byte_buffer out;
    write_envelope(out, 5, frame_flags::tracing, 0x0102, opcode::query, [](byte_writer& w) { w.i32(7); });
    const byte_buffer expected{std::byte{0x05}, std::byte{0x02}, std::byte{0x01}, std::byte{0x02}, std::byte{0x07},
                               std::byte{0},    std::byte{0},    std::byte{0},    std::byte{4},    std::byte{0},
                               std::byte{0},    std::byte{0},    std::byte{7}};
    EXPECT_EQ(out, expected);
}

TEST(frame, decoder_handles_one_byte_at_a_time) {
    auto wire = response(3, opcode::ready, "");
    auto second = response(-1, opcode::event, "xyz");
    wire.insert(wire.end(), second.begin(), second.end());
    frame_decoder d;
    std::vector<envelope> got;
    for (auto b : wire) {
        d.feed(bytes_view(&b, 1));
        while (auto e = d.next()) got.push_back(std::move(*e));
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].header.stream, 3);
    EXPECT_EQ(got[0].header.opcode, opcode::ready);
    EXPECT_TRUE(got[0].header.is_response);
    EXPECT_EQ(got[1].header.stream, -1);
    EXPECT_EQ(as_chars(got[1].body), "xyz");
}

TEST(frame, decoder_handles_many_envelopes_in_one_read) {
    byte_buffer wire;
    for (int i = 0; i < 100; ++i) {
        auto r = response(static_cast<std::int16_t>(i), opcode::result, std::string(static_cast<std::size_t>(i), 'a'));
        wire.insert(wire.end(), r.begin(), r.end());
    }
    frame_decoder d;
    d.feed(wire);
    for (int i = 0; i < 100; ++i) {
        auto e = d.next();
        ASSERT_TRUE(e);
        EXPECT_EQ(e->header.stream, i);
        EXPECT_EQ(e->body.size(), static_cast<std::size_t>(i));
    }
    EXPECT_FALSE(d.next());
}

TEST(frame, oversized_body_is_refused_before_buffering) {
    byte_buffer wire;
    byte_writer w(wire);
    encode_envelope_header(w, {4, true, 0, 1, opcode::result, 1000});
    frame_decoder d(100);
    d.feed(wire);
    EXPECT_THROW(d.next(), protocol_error);
}

TEST(frame, unknown_opcode_is_an_error) {
    auto wire = response(1, opcode::ready, "");
    wire[4] = std::byte{0x04};  // no such opcode
    frame_decoder d;
    d.feed(wire);
    EXPECT_THROW(d.next(), protocol_error);
}

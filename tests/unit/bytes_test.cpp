#include <async_cassandra/protocol/bytes.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra::protocol;

namespace {
byte_buffer bytes_of(std::initializer_list<int> v) {
    byte_buffer b;
    for (int x : v) b.push_back(static_cast<std::byte>(x));
    return b;
}
}  // namespace

TEST(bytes, writer_encodes_big_endian_notation) {
    byte_buffer out;
    byte_writer w(out);
    w.u16(0x0102);
    w.i32(-2);
    w.string("ab");
    w.long_string("c");
    w.bytes(as_bytes("xy"));
    w.null_bytes();
    w.unset_value();
    EXPECT_EQ(out, bytes_of({0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x02, 'a',  'b',  0,    0,    0,    1,   'c',
                             0,    0,    0,    2,    'x',  'y',  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}));
}

TEST(bytes, reader_round_trips_and_reports_null) {
    auto in = bytes_of({0x00, 0x03, 'a', 'b', 'c', 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1});
    byte_reader r(in);
    EXPECT_EQ(r.string(), "abc");
    EXPECT_FALSE(r.bytes().has_value());
    EXPECT_EQ(r.i64(), static_cast<std::int64_t>(0x8000000000000001ull));
    EXPECT_TRUE(r.empty());
}

TEST(bytes, truncated_read_names_the_field_and_offset) {
    auto in = bytes_of({0x00, 0x05, 'a'});
    byte_reader r(in);
    try {
        (void)r.string("keyspace name");
        FAIL() << "expected protocol_error";
    } catch (const protocol_error& e) {
        EXPECT_EQ(e.code(), protocol_errc::truncated);
        EXPECT_NE(std::string(e.what()).find("keyspace name"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("offset 2"), std::string::npos);
    }
}

TEST(bytes, string_longer_than_a_short_is_refused) {
    byte_buffer out;
    byte_writer w(out);
    EXPECT_THROW(w.string(std::string(70000, 'x')), protocol_error);
    EXPECT_TRUE(out.empty());
}

#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;

namespace {
byte_buffer b(std::initializer_list<int> v) {
    byte_buffer out;
    for (int x : v) out.push_back(static_cast<std::byte>(x));
    return out;
}
void append(byte_buffer& out, std::initializer_list<int> v) {
    for (int x : v) out.push_back(static_cast<std::byte>(x));
}
}  // namespace

TEST(messages, startup_is_a_string_map) {
    byte_buffer out;
    byte_writer w(out);
    encode_startup(w, {{"CQL_VERSION", "3.0.0"}});
    auto expected = b({0, 1, 0, 11});
    for (char c : std::string_view("CQL_VERSION")) expected.push_back(std::byte(c));
    append(expected, {0, 5, '3', '.', '0', '.', '0'});
    EXPECT_EQ(out, expected);
}

TEST(messages, query_flags_are_a_byte_in_v4_and_an_int_in_v5) {
    std::string value = "\x01";
    value_ref vals[] = {value_ref::of(as_bytes(value)), value_ref::null(), value_ref::unset()};
    query_parameters p;
    p.consistency_level = consistency::quorum;
    p.values = vals;
    p.page_size = 100;
    byte_buffer v4, v5;
    byte_writer w4(v4), w5(v5);
    encode_query(w4, "S", p, 4);
    encode_query(w5, "S", p, 5);
    // [long string] query, [consistency], flags (values|page_size), [short] n, values, page size.
    auto e4 = b({0, 0,    0,    1,    'S',  0,    4,    0x05, 0,    3, 0, 0, 0,  1,
                 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 100});
    auto e5 = b({0, 0, 0, 1,    'S',  0,    4,    0,    0,    0,    0x05, 0, 3, 0, 0,
                 0, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 100});
    EXPECT_EQ(v4, e4);
    EXPECT_EQ(v5, e5);
}

TEST(messages, v5_only_parameters_follow_the_timestamp) {
    query_parameters p;
    p.consistency_level = consistency::one;
    p.serial_consistency = consistency::local_serial;
    p.default_timestamp = 1;
    p.keyspace = "ks";
    p.now_in_seconds = 2;
    byte_buffer out;
    byte_writer w(out);
    encode_query_parameters(w, p, 5);
    auto e = b({0, 1, 0, 0, 0x01, 0xB0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 'k', 's', 0, 0, 0, 2});
    EXPECT_EQ(out, e);
    byte_buffer v4;
    byte_writer w4(v4);
    EXPECT_THROW(encode_query_parameters(w4, p, 4), protocol_error);
}

TEST(messages, unavailable_error_details) {
    auto body = b({0, 0, 0x10, 0x00, 0, 2, 'n', 'o', 0, 4, 0, 0, 0, 3, 0, 0, 0, 1});
    byte_reader r(body);
    auto e = decode_error(r, 5);
    EXPECT_EQ(e.code, 0x1000);
    EXPECT_EQ(e.message, "no");
    EXPECT_EQ(e.consistency_level, consistency::quorum);
    EXPECT_EQ(e.required, 3);
    EXPECT_EQ(e.alive, 1);
}

TEST(messages, read_failure_v5_carries_the_reason_map) {
    auto body = b({0, 0, 0x13, 0x00, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 4, 127, 0, 0, 2, 0, 1, 0});
    byte_reader r(body);
    auto e = decode_error(r, 5);
    ASSERT_EQ(e.reason_map.size(), 1u);
    EXPECT_EQ(e.reason_map[0].first, "127.0.0.2");
    EXPECT_EQ(e.reason_map[0].second, 1);
    EXPECT_FALSE(e.data_present);
}

TEST(messages, nested_types_decode) {
    // map<text, frozen<list<tuple<int, blob>>>>
    auto body = b({0, 0x21, 0, 0x0D, 0, 0x20, 0, 0x31, 0, 2, 0, 0x09, 0, 0x03});
    byte_reader r(body);
    auto t = decode_type(r);
    EXPECT_EQ(to_string(t), "map<text, list<tuple<int, blob>>>");
    EXPECT_TRUE(r.empty());
}

TEST(messages, hostile_type_nesting_is_refused) {
    byte_buffer body;
    for (int i = 0; i < 1000; ++i) append(body, {0, 0x20});
    append(body, {0, 0x09});
    byte_reader r(body);
    EXPECT_THROW(decode_type(r), protocol_error);
}

TEST(messages, unknown_type_id_is_named) {
    auto body = b({0, 0x99});
    byte_reader r(body);
    try {
        decode_type(r);
        FAIL();
    } catch (const protocol_error& e) {
        EXPECT_NE(std::string(e.what()).find("0x0099"), std::string::npos);
    }
}

TEST(messages, supported_is_a_string_multimap) {
    auto body = b({0, 1, 0, 1, 'C', 0, 2, 0, 1, 'a', 0, 1, 'b'});
    byte_reader r(body);
    auto m = decode_supported(r);
    ASSERT_EQ(m["C"].size(), 2u);
    EXPECT_EQ(m["C"][1], "b");
}

TEST(messages, schema_change_table) {
    byte_buffer body;
    byte_writer w(body);
    w.string("CREATED");
    w.string("TABLE");
    w.string("ks");
    w.string("t");
    byte_reader r(body);
    auto s = decode_schema_change(r);
    EXPECT_EQ(s.change_type, "CREATED");
    EXPECT_EQ(s.keyspace, "ks");
    EXPECT_EQ(s.name, "t");
}

// Request bodies, byte for byte against the layouts of spec 4.1 (v4 and v5).
#include "wire.hpp"

#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

namespace {
template <class Fn>
byte_buffer encode(Fn fn) {
    byte_buffer out;
    byte_writer w(out);
    fn(w);
    return out;
}
template <class Fn>
void expect_refused(Fn fn, protocol_errc code, std::string_view mentions) {
    byte_buffer out;
    byte_writer w(out);
    try {
        fn(w);
        ADD_FAILURE() << "encoded";
    } catch (const protocol_error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
    }
}
const std::string one = "\x01";
}  // namespace

TEST(requests, startup_options_are_a_string_map) {
    auto out = encode([](byte_writer& w) { encode_startup(w, {{"CQL_VERSION", "3.0.0"}, {"COMPRESSION", "snappy"}}); });
    EXPECT_EQ(out, hx("00 02") + str("CQL_VERSION") + str("3.0.0") + str("COMPRESSION") + str("snappy"));
}

TEST(requests, options_body_is_empty) {
    EXPECT_TRUE(encode([](byte_writer& w) { encode_options(w); }).empty());
}

TEST(requests, auth_response_is_one_bytes_token) {
    const std::string token("\0cassandra\0cassandra", 20);
    EXPECT_EQ(encode([&](byte_writer& w) { encode_auth_response(w, as_bytes(token)); }),
              hx("00 00 00 14") + txt(token));
    EXPECT_EQ(encode([](byte_writer& w) { encode_auth_response(w, bytes_view{}); }), hx("00 00 00 00"));
    EXPECT_EQ(encode([](byte_writer& w) { encode_auth_response(w, std::nullopt); }), hx("ff ff ff ff"));
}

TEST(requests, register_is_a_string_list) {
    const std::string_view types[] = {event_type::topology_change, event_type::status_change,
                                      event_type::schema_change};
    EXPECT_EQ(encode([&](byte_writer& w) { encode_register(w, types); }),
              hx("00 03") + str("TOPOLOGY_CHANGE") + str("STATUS_CHANGE") + str("SCHEMA_CHANGE"));
    EXPECT_EQ(encode([](byte_writer& w) { encode_register(w, {}); }), hx("00 00"));
}

TEST(requests, query_without_parameters) {
    query_parameters p;
    p.consistency_level = consistency::one;
    EXPECT_EQ(encode([&](byte_writer& w) { encode_query(w, "SELECT", p, 4); }),
              hx("00 00 00 06") + txt("SELECT") + hx("0001 00"));
    EXPECT_EQ(encode([&](byte_writer& w) { encode_query(w, "SELECT", p, 5); }),
              hx("00 00 00 06") + txt("SELECT") + hx("0001 00000000"));
    EXPECT_EQ(encode([&](byte_writer& w) { encode_query(w, "", p, 5); }), hx("00 00 00 00 0001 00000000"));
}

TEST(requests, every_query_flag_in_wire_order_v5) {
    const std::string ps = "PS";
    value_ref vals[] = {value_ref::of(as_bytes(one)), value_ref::null(), value_ref::unset(), value_ref::of({})};
    std::string_view names[] = {"a", "b", "c", "d"};
    query_parameters p;
    p.consistency_level = consistency::local_quorum;
    p.values = vals;
    p.names = names;
    p.skip_metadata = true;
    p.page_size = 5000;
    p.paging_state = as_bytes(ps);
    p.serial_consistency = consistency::local_serial;
    p.default_timestamp = 0x0102030405060708;
    p.keyspace = "ks";
    p.now_in_seconds = 1700000000;
    auto out = encode([&](byte_writer& w) { encode_query_parameters(w, p, 5); });
    // <consistency><flags 0x1FF: all nine><n>(<name><value>)x4<page size><paging state>
    // <serial consistency><timestamp><keyspace><now_in_seconds>
    auto expected = hx("0006 000001ff 0004") + str("a") + hx("00000001 01") + str("b") + hx("ffffffff") + str("c") +
                    hx("fffffffe") + str("d") + hx("00000000") + hx("00001388") + hx("00000002") + txt("PS") +
                    hx("0009") + hx("0102030405060708") + str("ks") + hx("6553f100");
    EXPECT_EQ(out, expected);
}

TEST(requests, every_v4_query_flag_fits_a_byte) {
    const std::string ps = "P";
    value_ref vals[] = {value_ref::unset()};
    std::string_view names[] = {"x"};
    query_parameters p;
    p.consistency_level = consistency::all;
    p.values = vals;
    p.names = names;
    p.skip_metadata = true;
    p.page_size = 1;
    p.paging_state = as_bytes(ps);
    p.serial_consistency = consistency::serial;
    p.default_timestamp = 0;
    auto out = encode([&](byte_writer& w) { encode_query_parameters(w, p, 4); });
    EXPECT_EQ(
        out, hx("0005 7f 0001") + str("x") + hx("fffffffe 00000001 00000001") + txt("P") + hx("0008 0000000000000000"));
}

TEST(requests, page_size_and_values_are_omitted_when_unset) {
    query_parameters p;
    p.page_size = 0;
    p.paging_state = bytes_view{};  // an empty paging state is still sent
    EXPECT_EQ(encode([&](byte_writer& w) { encode_query_parameters(w, p, 4); }), hx("000a 08 00000000"));
}

TEST(requests, v5_only_query_fields_are_refused_on_v4) {
    query_parameters p;
    p.keyspace = "ks";
    expect_refused([&](byte_writer& w) { encode_query_parameters(w, p, 4); }, protocol_errc::malformed, "v5");
    p.keyspace = {};
    p.now_in_seconds = 1;
    expect_refused([&](byte_writer& w) { encode_query_parameters(w, p, 4); }, protocol_errc::malformed, "v5");
}

TEST(requests, value_count_limits) {
    std::vector<value_ref> vals(65535, value_ref::null());
    query_parameters p;
    p.values = vals;
    auto out = encode([&](byte_writer& w) { encode_query_parameters(w, p, 5); });
    EXPECT_EQ(out.size(), 2 + 4 + 2 + 65535 * 4u);
    EXPECT_EQ(out[6], std::byte{0xff});
    EXPECT_EQ(out[7], std::byte{0xff});
    vals.push_back(value_ref::null());
    p.values = vals;
    expect_refused([&](byte_writer& w) { encode_query_parameters(w, p, 5); }, protocol_errc::value_too_large, "65536");
}

TEST(requests, names_must_match_values_and_timestamps_be_positive) {
    value_ref vals[] = {value_ref::null(), value_ref::null()};
    std::string_view names[] = {"a"};
    query_parameters p;
    p.values = vals;
    p.names = names;
    expect_refused([&](byte_writer& w) { encode_query_parameters(w, p, 5); }, protocol_errc::malformed,
                   "1 names for 2");
    query_parameters q;
    q.default_timestamp = -1;
    expect_refused([&](byte_writer& w) { encode_query_parameters(w, q, 5); }, protocol_errc::malformed, "timestamp");
}

TEST(requests, prepare_v4_is_just_the_query) {
    EXPECT_EQ(encode([](byte_writer& w) { encode_prepare(w, "SELECT 1", {}, 4); }), hx("00000008") + txt("SELECT 1"));
    expect_refused([](byte_writer& w) { encode_prepare(w, "q", "ks", 4); }, protocol_errc::malformed, "v5");
}

TEST(requests, prepare_v5_has_flags_and_optional_keyspace) {
    EXPECT_EQ(encode([](byte_writer& w) { encode_prepare(w, "q", {}, 5); }),
              hx("00000001") + txt("q") + hx("00000000"));
    EXPECT_EQ(encode([](byte_writer& w) { encode_prepare(w, "q", "ks", 5); }),
              hx("00000001") + txt("q") + hx("00000001") + str("ks"));
}

TEST(requests, execute_v4_and_v5) {
    const auto id = hx("cafe");
    const auto meta = hx("beef01");
    value_ref vals[] = {value_ref::of(as_bytes(one))};
    query_parameters p;
    p.consistency_level = consistency::quorum;
    p.values = vals;
    p.skip_metadata = true;
    EXPECT_EQ(encode([&](byte_writer& w) { encode_execute(w, id, meta, p, 4); }),
              hx("0002 cafe 0004 03 0001 00000001 01"));
    EXPECT_EQ(encode([&](byte_writer& w) { encode_execute(w, id, meta, p, 5); }),
              hx("0002 cafe 0003 beef01 0004 00000003 0001 00000001 01"));
}

TEST(requests, batch_v4_mixes_simple_and_prepared_statements) {
    const auto id = hx("abcd");
    value_ref v1[] = {value_ref::of(as_bytes(one)), value_ref::unset()};
    value_ref v2[] = {value_ref::null()};
    const batch_statement stmts[] = {{false, "INSERT", {}, v1}, {true, {}, id, v2}, {false, "U", {}, {}}};
    batch_parameters b;
    b.type = batch_type::unlogged;
    b.statements = stmts;
    b.consistency_level = consistency::two;
    b.serial_consistency = consistency::local_serial;
    b.default_timestamp = 42;
    auto out = encode([&](byte_writer& w) { encode_batch(w, b, 4); });
    // <type><n> <kind 0><long string><n><values> <kind 1><short bytes id><n><values> ...
    // <consistency><flags byte 0x30><serial><timestamp>
    auto expected = hx("01 0003") + hx("00 00000006") + txt("INSERT") + hx("0002 00000001 01 fffffffe") +
                    hx("01 0002 abcd 0001 ffffffff") + hx("00 00000001") + txt("U") + hx("0000") +
                    hx("0002 30 0009 000000000000002a");
    EXPECT_EQ(out, expected);
}

TEST(requests, batch_v5_has_int_flags_keyspace_and_now) {
    const batch_statement stmts[] = {{false, "Q", {}, {}}};
    batch_parameters b;
    b.type = batch_type::counter;
    b.statements = stmts;
    b.consistency_level = consistency::one;
    b.keyspace = "ks";
    b.now_in_seconds = 7;
    EXPECT_EQ(encode([&](byte_writer& w) { encode_batch(w, b, 5); }),
              hx("02 0001 00 00000001") + txt("Q") + hx("0000 0001 00000180") + str("ks") + hx("00000007"));
    batch_parameters logged;
    EXPECT_EQ(encode([&](byte_writer& w) { encode_batch(w, logged, 5); }), hx("00 0000 000a 00000000"));
    EXPECT_EQ(encode([&](byte_writer& w) { encode_batch(w, logged, 4); }), hx("00 0000 000a 00"));
}

TEST(requests, batch_limits) {
    batch_parameters b;
    b.keyspace = "ks";
    expect_refused([&](byte_writer& w) { encode_batch(w, b, 4); }, protocol_errc::malformed, "v5");
    std::vector<batch_statement> many(65536, batch_statement{false, "Q", {}, {}});
    batch_parameters big;
    big.statements = many;
    expect_refused([&](byte_writer& w) { encode_batch(w, big, 5); }, protocol_errc::value_too_large,
                   "BATCH statements");
    std::vector<value_ref> vals(65536, value_ref::null());
    const batch_statement wide[] = {{false, "Q", {}, vals}};
    big.statements = wide;
    expect_refused([&](byte_writer& w) { encode_batch(w, big, 5); }, protocol_errc::value_too_large, "values");
}

TEST(requests, over_long_strings_are_refused) {
    const std::string long_name(70000, 'k');
    expect_refused([&](byte_writer& w) { encode_prepare(w, "q", long_name, 5); }, protocol_errc::value_too_large,
                   "string");
}

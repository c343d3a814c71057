// READY, AUTHENTICATE, SUPPORTED, AUTH_CHALLENGE, AUTH_SUCCESS, the response
// prefix and EVENT, from bytes spelled by hand after spec 4.2.
#include "wire.hpp"

#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

TEST(responses, ready_has_an_empty_body) {
    byte_buffer body;
    byte_reader r(body);
    decode_ready(r);
    EXPECT_TRUE(r.empty());
}

TEST(responses, authenticate_names_the_authenticator) {
    auto body = str("org.apache.cassandra.auth.PasswordAuthenticator");
    byte_reader r(body);
    EXPECT_EQ(decode_authenticate(r), "org.apache.cassandra.auth.PasswordAuthenticator");
    expect_truncations_refused(body, [](byte_reader& rr) { (void)decode_authenticate(rr); });
}

TEST(responses, supported_is_a_string_multimap) {
    auto body = hx("0002") + str("COMPRESSION") + hx("0002") + str("snappy") + str("lz4") + str("CQL_VERSION") +
                hx("0001") + str("3.4.7");
    byte_reader r(body);
    auto m = decode_supported(r);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m["COMPRESSION"], (std::vector<std::string>{"snappy", "lz4"}));
    EXPECT_EQ(m["CQL_VERSION"], (std::vector<std::string>{"3.4.7"}));
    expect_truncations_refused(body, [](byte_reader& rr) { (void)decode_supported(rr); });
}

TEST(responses, supported_refuses_a_list_longer_than_its_body) {
    auto body = hx("0001") + str("K") + hx("ffff") + str("v");
    byte_reader r(body);
    EXPECT_THROW(decode_supported(r), protocol_error);
}

TEST(responses, auth_tokens_may_be_empty_or_null) {
    auto token = hx("00000003 010203");
    byte_reader r1(token);
    auto t = decode_auth_challenge(r1);
    ASSERT_TRUE(t);
    EXPECT_EQ(byte_buffer(t->begin(), t->end()), hx("010203"));
    expect_truncations_refused(token, [](byte_reader& rr) { (void)decode_auth_challenge(rr); });

    for (const char* null_len : {"ffffffff", "fffffffe", "80000000"}) {
        auto body = hx(null_len);
        byte_reader r(body);
        EXPECT_FALSE(decode_auth_success(r)) << null_len;
    }
    auto empty = hx("00000000");
    byte_reader r2(empty);
    auto e = decode_auth_success(r2);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->empty());
    // A length beyond the body is a truncation, not an allocation.
    auto lie = hx("7fffffff 00");
    byte_reader r3(lie);
    EXPECT_THROW(decode_auth_success(r3), protocol_error);
}

TEST(responses, prefix_holds_tracing_id_warnings_and_custom_payload) {
    auto body = hx("000102030405060708090a0b0c0d0e0f") + hx("0002") + str("w1") + str("w2") + hx("0002") + str("k") +
                hx("00000002 abcd") + str("n") + hx("ffffffff") + hx("00000001");
    const auto flags = static_cast<std::uint8_t>(frame_flags::tracing | frame_flags::warning |
                                                 frame_flags::custom_payload);
    byte_reader r(body);
    auto p = decode_response_prefix(r, flags);
    ASSERT_TRUE(p.tracing_id);
    EXPECT_EQ((*p.tracing_id)[15], std::byte{0x0f});
    EXPECT_EQ(p.warnings, (std::vector<std::string>{"w1", "w2"}));
    ASSERT_EQ(p.custom_payload.size(), 2u);
    EXPECT_EQ(p.custom_payload[0].first, "k");
    EXPECT_EQ(byte_buffer(p.custom_payload[0].second->begin(), p.custom_payload[0].second->end()), hx("abcd"));
    EXPECT_FALSE(p.custom_payload[1].second);
    EXPECT_EQ(r.remaining(), 4u);  // the message itself
    auto prefix = byte_buffer(body.begin(), body.end() - 4);
    expect_truncations_refused(prefix, [&](byte_reader& rr) { (void)decode_response_prefix(rr, flags); });
}

TEST(responses, prefix_is_empty_without_flags) {
    auto body = hx("00000001");
    byte_reader r(body);
    auto p = decode_response_prefix(r, frame_flags::compression | frame_flags::use_beta);
    EXPECT_FALSE(p.tracing_id);
    EXPECT_EQ(r.position(), 0u);
}

// ---- EVENT -------------------------------------------------------------------

TEST(events, topology_change_with_ipv4) {
    auto body = str("TOPOLOGY_CHANGE") + str("NEW_NODE") + hx("04 0a000102 00002352");
    byte_reader r(body);
    auto e = std::get<topology_change_event>(decode_event(r));
    EXPECT_EQ(e.change, "NEW_NODE");
    EXPECT_EQ(e.node, (inet_endpoint{"10.0.1.2", 9042}));
    EXPECT_TRUE(r.empty());
    expect_truncations_refused(body, [](byte_reader& rr) { (void)decode_event(rr); });
}

TEST(events, status_change_with_ipv6) {
    auto body = str("STATUS_CHANGE") + str("DOWN") + hx("10 20010db8000000000000000000000001 0000ffff");
    byte_reader r(body);
    auto e = std::get<status_change_event>(decode_event(r));
    EXPECT_EQ(e.change, "DOWN");
    EXPECT_EQ(e.node, (inet_endpoint{"2001:db8::1", 65535}));
    expect_truncations_refused(body, [](byte_reader& rr) { (void)decode_event(rr); });

    auto up = str("STATUS_CHANGE") + str("UP") + hx("10 00000000000000000000000000000001 00002352");
    byte_reader r2(up);
    EXPECT_EQ(std::get<status_change_event>(decode_event(r2)).node, (inet_endpoint{"::1", 9042}));
}

TEST(events, schema_change_of_every_target) {
    struct target_case {
        byte_buffer options;
        schema_change expected;
    };
    const target_case cases[] = {
        {str("KEYSPACE") + str("ks"), {"CREATED", "KEYSPACE", "ks", "", {}}},
        {str("TABLE") + str("ks") + str("t"), {"CREATED", "TABLE", "ks", "t", {}}},
        {str("TYPE") + str("ks") + str("address"), {"CREATED", "TYPE", "ks", "address", {}}},
        {str("FUNCTION") + str("ks") + str("f") + hx("0002") + str("int") + str("frozen<list<text>>"),
         {"CREATED", "FUNCTION", "ks", "f", {"int", "frozen<list<text>>"}}},
        {str("AGGREGATE") + str("ks") + str("agg") + hx("0000"), {"CREATED", "AGGREGATE", "ks", "agg", {}}},
    };
    for (const auto& c : cases) {
        auto body = str("SCHEMA_CHANGE") + str("CREATED") + c.options;
        byte_reader r(body);
        auto s = std::get<schema_change>(decode_event(r));
        EXPECT_EQ(s.target, c.expected.target);
        EXPECT_EQ(s.keyspace, c.expected.keyspace);
        EXPECT_EQ(s.name, c.expected.name);
        EXPECT_EQ(s.arg_types, c.expected.arg_types);
        EXPECT_TRUE(r.empty()) << s.target;
        expect_truncations_refused(body, [](byte_reader& rr) { (void)decode_event(rr); });
    }
}

TEST(events, malformed_events_are_refused) {
    const byte_buffer bodies[] = {
        str("NODE_EXPLODED") + str("x"),                                  // unknown event type
        str("STATUS_CHANGE") + str("UP") + hx("05 0102030405 00000001"),  // 5-byte address
        str("STATUS_CHANGE") + str("UP") + hx("04 7f000001 00010000"),    // port beyond 65535
        str("STATUS_CHANGE") + str("UP") + hx("04 7f000001 ffffffff"),    // negative port
        str("SCHEMA_CHANGE") + str("CREATED") + str("VIEW") + str("ks"),  // unknown target
    };
    for (const auto& body : bodies) {
        byte_reader r(body);
        try {
            decode_event(r);
            ADD_FAILURE() << "decoded";
        } catch (const protocol_error& e) {
            EXPECT_EQ(e.code(), protocol_errc::malformed) << e.what();
            EXPECT_NE(std::string(e.what()).find("at offset"), std::string::npos) << e.what();
        }
    }
}

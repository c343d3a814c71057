// ERROR bodies of every code in spec section 8, v4 and v5 layouts.
#include "wire.hpp"

#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

namespace {
byte_buffer head(std::int32_t code, std::string_view message = "m") {
    byte_buffer out;
    byte_writer(out).i32(code);
    return out + str(message);
}
error_response decode(const byte_buffer& body, int version, bool whole = true) {
    byte_reader r(body);
    auto e = decode_error(r, version);
    if (whole) {
        EXPECT_TRUE(r.empty()) << "0x" << std::hex << e.code << " left " << r.remaining() << " bytes";
    }
    return e;
}
auto decoder(int version) {
    return [version](byte_reader& r) { (void)decode_error(r, version); };
}
}  // namespace

TEST(errors, codes_with_only_a_message) {
    for (std::int32_t code :
         {0x0000, 0x000A, 0x0100, 0x1001, 0x1002, 0x1003, 0x1600, 0x2000, 0x2100, 0x2200, 0x2300, 0x7777}) {
        for (int version : {4, 5}) {
            auto body = head(code, "what happened");
            auto e = decode(body, version);
            EXPECT_EQ(e.code, code);
            EXPECT_EQ(e.message, "what happened");
            EXPECT_FALSE(e.consistency_level);
            expect_truncations_refused(body, decoder(version));
        }
    }
}

TEST(errors, unavailable) {
    auto body = head(error_codes::unavailable) + hx("0006 00000002 00000001");
    for (int version : {4, 5}) {
        auto e = decode(body, version);
        EXPECT_EQ(e.consistency_level, consistency::local_quorum);
        EXPECT_EQ(e.required, 2);
        EXPECT_EQ(e.alive, 1);
        expect_truncations_refused(body, decoder(version));
    }
}

TEST(errors, write_timeout) {
    auto body = head(error_codes::write_timeout) + hx("0001 00000000 00000001") + str("BATCH_LOG");
    for (int version : {4, 5}) {
        auto e = decode(body, version);
        EXPECT_EQ(e.consistency_level, consistency::one);
        EXPECT_EQ(e.received, 0);
        EXPECT_EQ(e.block_for, 1);
        EXPECT_EQ(e.write_type, "BATCH_LOG");
        EXPECT_FALSE(e.contentions);
        expect_truncations_refused(body, decoder(version));
    }
}

TEST(errors, write_timeout_cas_contentions_are_v5) {
    auto body = head(error_codes::write_timeout) + hx("0008 00000001 00000002") + str("CAS") + hx("0003");
    auto e5 = decode(body, 5);
    EXPECT_EQ(e5.consistency_level, consistency::serial);
    EXPECT_EQ(e5.contentions, 3);
    // Without contentions the v5 body still decodes (older servers omit them).
    expect_truncations_refused(body, decoder(5), {body.size() - 2});
    // v4 defines no contentions: the trailing short is left unread.
    auto e4 = decode(body, 4, false);
    EXPECT_FALSE(e4.contentions);
    EXPECT_EQ(e4.write_type, "CAS");
}

TEST(errors, read_timeout) {
    auto body = head(error_codes::read_timeout) + hx("0004 00000001 00000002 00");
    for (int version : {4, 5}) {
        auto e = decode(body, version);
        EXPECT_EQ(e.consistency_level, consistency::quorum);
        EXPECT_EQ(e.received, 1);
        EXPECT_EQ(e.block_for, 2);
        EXPECT_FALSE(e.data_present);
        expect_truncations_refused(body, decoder(version));
    }
}

TEST(errors, read_failure_v4_counts_failures) {
    auto body = head(error_codes::read_failure) + hx("0005 00000001 00000003 00000002 01");
    auto e = decode(body, 4);
    EXPECT_EQ(e.consistency_level, consistency::all);
    EXPECT_EQ(e.num_failures, 2);
    EXPECT_TRUE(e.reason_map.empty());
    EXPECT_TRUE(e.data_present);
    expect_truncations_refused(body, decoder(4));
}

TEST(errors, read_failure_v5_maps_ipv4_and_ipv6_endpoints_to_reasons) {
    auto body = head(error_codes::read_failure) + hx("0004 00000001 00000003") + hx("00000003") +
                hx("04 7f000002 0001") + hx("10 fe800000000000000000000000000001 0002") + hx("04 0a000001 01f7") +
                hx("01");
    auto e = decode(body, 5);
    EXPECT_EQ(e.num_failures, 3);
    ASSERT_EQ(e.reason_map.size(), 3u);
    EXPECT_EQ(e.reason_map[0], (std::pair<std::string, std::uint16_t>{"127.0.0.2", 1}));
    EXPECT_EQ(e.reason_map[1], (std::pair<std::string, std::uint16_t>{"fe80::1", 2}));
    EXPECT_EQ(e.reason_map[2].second, static_cast<std::uint16_t>(failure_reason::index_build_in_progress));
    EXPECT_TRUE(e.data_present);
    expect_truncations_refused(body, decoder(5));
}

TEST(errors, write_failure_v4_and_v5) {
    auto v4 = head(error_codes::write_failure) + hx("0001 00000000 00000001 00000001") + str("SIMPLE");
    auto e4 = decode(v4, 4);
    EXPECT_EQ(e4.num_failures, 1);
    EXPECT_EQ(e4.write_type, "SIMPLE");
    expect_truncations_refused(v4, decoder(4));

    auto v5 = head(error_codes::write_failure) + hx("0001 00000000 00000001 00000001 04 7f000001 0005") + str("CDC");
    auto e5 = decode(v5, 5);
    ASSERT_EQ(e5.reason_map.size(), 1u);
    EXPECT_EQ(e5.reason_map[0].first, "127.0.0.1");
    EXPECT_EQ(e5.reason_map[0].second, static_cast<std::uint16_t>(failure_reason::node_down));
    EXPECT_EQ(e5.write_type, "CDC");
    expect_truncations_refused(v5, decoder(5));
    // The same bytes are not a v4 body: its write type would start inside the map.
    byte_reader r(v5);
    EXPECT_THROW(decode_error(r, 4), protocol_error);
}

TEST(errors, reason_map_lies_are_refused) {
    auto huge = head(error_codes::read_failure) + hx("0001 00000000 00000001 7fffffff 04 7f000001 0000 00");
    auto negative = head(error_codes::write_failure) + hx("0001 00000000 00000001 ffffffff");
    auto bad_address = head(error_codes::read_failure) + hx("0001 00000000 00000001 00000001 06 010203040506 0000 00");
    for (const auto* body : {&huge, &negative, &bad_address}) {
        byte_reader r(*body);
        try {
            decode_error(r, 5);
            ADD_FAILURE() << "decoded";
        } catch (const protocol_error& e) {
            EXPECT_EQ(e.code(), protocol_errc::malformed) << e.what();
            EXPECT_NE(std::string(e.what()).find("reason map"), std::string::npos) << e.what();
        }
    }
}

TEST(errors, function_failure) {
    auto body = head(error_codes::function_failure) + str("ks") + str("my_fn") + hx("0002") + str("int") + str("text");
    for (int version : {4, 5}) {
        auto e = decode(body, version);
        EXPECT_EQ(e.keyspace, "ks");
        EXPECT_EQ(e.function, "my_fn");
        EXPECT_EQ(e.arg_types, (std::vector<std::string>{"int", "text"}));
        expect_truncations_refused(body, decoder(version));
    }
}

TEST(errors, cas_write_unknown) {
    auto body = head(error_codes::cas_write_unknown) + hx("0009 00000001 00000002");
    auto e = decode(body, 5);
    EXPECT_EQ(e.consistency_level, consistency::local_serial);
    EXPECT_EQ(e.received, 1);
    EXPECT_EQ(e.block_for, 2);
    expect_truncations_refused(body, decoder(5));
}

TEST(errors, already_exists_table_and_keyspace) {
    auto table = head(error_codes::already_exists) + str("ks") + str("t");
    EXPECT_EQ(decode(table, 4).table, "t");
    auto keyspace = head(error_codes::already_exists) + str("ks") + str("");
    auto e = decode(keyspace, 5);
    EXPECT_EQ(e.keyspace, "ks");
    EXPECT_TRUE(e.table.empty());
    expect_truncations_refused(table, decoder(4));
}

TEST(errors, unprepared_carries_the_id) {
    auto body = head(error_codes::unprepared) + hx("0004 00ff10fe");
    auto e = decode(body, 5);
    EXPECT_EQ(e.unprepared_id, std::string("\x00\xff\x10\xfe", 4));
    expect_truncations_refused(body, decoder(4));
}

TEST(errors, unknown_consistency_is_refused_with_its_offset) {
    auto body = head(error_codes::unavailable) + hx("00ff 00000001 00000000");
    byte_reader r(body);
    try {
        decode_error(r, 5);
        ADD_FAILURE();
    } catch (const protocol_error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown consistency level 255 at offset 7"), std::string::npos)
            << e.what();
    }
}

TEST(errors, failure_reasons_have_names) {
    EXPECT_EQ(to_string(failure_reason::read_too_many_tombstones), "READ_TOO_MANY_TOMBSTONES");
    EXPECT_EQ(to_string(failure_reason::retry_on_different_transaction_system),
              "RETRY_ON_DIFFERENT_TRANSACTION_SYSTEM");
    EXPECT_EQ(to_string(failure_reason::index_build_in_progress), "INDEX_BUILD_IN_PROGRESS");
    EXPECT_EQ(to_string(static_cast<failure_reason>(0x0042)), "UNKNOWN(0x0042)");
}

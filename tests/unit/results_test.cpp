// RESULT bodies of every kind (spec 4.2.5), spelled by hand, v4 and v5.
#include "wire.hpp"

#include <async_cassandra/protocol/messages.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

namespace {
byte_buffer view_bytes(bytes_view v) { return {v.begin(), v.end()}; }

void expect_malformed(const byte_buffer& body, int version, std::string_view mentions) {
    byte_reader r(body);
    try {
        decode_result(r, version);
        ADD_FAILURE() << "decoded";
    } catch (const protocol_error& e) {
        EXPECT_EQ(e.code(), protocol_errc::malformed) << e.what();
        EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
    }
}
auto decoder(int version) {
    return [version](byte_reader& r) { (void)decode_result(r, version); };
}

// Rows: global table spec, a paging state, (int k, text v), rows (1, "a") and (2, null).
const byte_buffer rows_with_metadata = hx("00000002") + hx("00000003 00000002 00000003 aabbcc") + str("ks") + str("t") +
                                       str("k") + hx("0009") + str("v") + hx("000d") + hx("00000002") +
                                       hx("00000004 00000001 00000001 61") + hx("00000004 00000002 ffffffff");
}  // namespace

TEST(results, void_and_set_keyspace) {
    auto v = hx("00000001");
    byte_reader r1(v);
    EXPECT_TRUE(std::holds_alternative<void_result>(decode_result(r1, 4)));
    auto ks = hx("00000003") + str("my_ks");
    byte_reader r2(ks);
    EXPECT_EQ(std::get<set_keyspace_result>(decode_result(r2, 5)).keyspace, "my_ks");
    expect_truncations_refused(v, decoder(4));
    expect_truncations_refused(ks, decoder(5));
}

TEST(results, unknown_kind_is_refused) {
    expect_malformed(hx("00000006"), 5, "unknown kind 6");
    expect_malformed(hx("00000000"), 4, "at offset 0");
}

TEST(results, rows_with_global_metadata_and_paging_state) {
    for (int version : {4, 5}) {
        byte_reader r(rows_with_metadata);
        auto rows = std::get<rows_result>(decode_result(r, version));
        const auto& m = rows.metadata;
        EXPECT_EQ(m.column_count, 2);
        ASSERT_TRUE(m.paging_state);
        EXPECT_EQ(view_bytes(*m.paging_state), hx("aabbcc"));
        ASSERT_EQ(m.columns.size(), 2u);
        EXPECT_EQ(m.columns[1].keyspace, "ks");
        EXPECT_EQ(m.columns[1].table, "t");
        EXPECT_EQ(m.columns[1].name, "v");
        EXPECT_EQ(m.columns[1].type.id, type_id::varchar);
        EXPECT_EQ(rows.rows_count, 2);
        EXPECT_EQ(view_bytes(rows.content), hx("00000004 00000001 00000001 61 00000004 00000002 ffffffff"));
        EXPECT_TRUE(r.empty());
        expect_truncations_refused(rows_with_metadata, decoder(version));
    }
}

TEST(results, rows_with_a_table_spec_per_column) {
    auto body = hx("00000002 00000000 00000001") + str("ks") + str("t") + str("c") + hx("0002") + hx("00000001") +
                hx("00000008 0000000000000007");
    byte_reader r(body);
    auto rows = std::get<rows_result>(decode_result(r, 4));
    ASSERT_EQ(rows.metadata.columns.size(), 1u);
    EXPECT_EQ(rows.metadata.columns[0].table, "t");
    EXPECT_EQ(rows.metadata.columns[0].type.id, type_id::bigint);
    expect_truncations_refused(body, decoder(4));
}

TEST(results, rows_without_metadata) {
    auto body = hx("00000002 00000006 00000001 00000001 ff") + hx("00000001 00000000");
    byte_reader r(body);
    auto rows = std::get<rows_result>(decode_result(r, 5));
    EXPECT_TRUE(rows.metadata.columns.empty());
    EXPECT_EQ(rows.metadata.column_count, 1);
    EXPECT_EQ(view_bytes(*rows.metadata.paging_state), hx("ff"));
    EXPECT_EQ(rows.rows_count, 1);
    expect_truncations_refused(body, decoder(5));
}

TEST(results, rows_with_changed_metadata_carry_the_new_id) {
    auto body = hx("00000002 00000009 00000001 0002 0102") + str("ks") + str("t") + str("c") + hx("0009") +
                hx("00000000");
    byte_reader r(body);
    auto rows = std::get<rows_result>(decode_result(r, 5));
    ASSERT_TRUE(rows.metadata.new_metadata_id);
    EXPECT_EQ(view_bytes(*rows.metadata.new_metadata_id), hx("0102"));
    EXPECT_EQ(rows.metadata.columns.size(), 1u);
    EXPECT_EQ(rows.rows_count, 0);
    expect_truncations_refused(body, decoder(5));
}

TEST(results, lying_counts_are_refused_without_allocating) {
    // 2^31-1 rows of 2 columns in a body of a few bytes.
    expect_malformed(hx("00000002 00000004 00000002 7fffffff 00000000"), 5, "rows content cell count");
    expect_malformed(hx("00000002 00000004 00000002 80000000"), 5, "rows count");
    expect_malformed(hx("00000002 00000001 7fffffff") + str("ks") + str("t"), 5, "column count");
    expect_malformed(hx("00000002 00000000 ffffffff"), 4, "negative");
    expect_malformed(hx("00000002 00000001 00000001") + str("ks") + str("t") + str("u") + hx("0030") + str("ks") +
                         str("u") + hx("ffff"),
                     4, "udt field count");
}

TEST(results, columns_but_no_rows_cost_nothing) {
    // Zero columns: any number of rows holds no cells (SELECT of nothing).
    auto body = hx("00000002 00000004 00000000 7fffffff");
    byte_reader r(body);
    EXPECT_EQ(std::get<rows_result>(decode_result(r, 5)).rows_count, 0x7fffffff);
}

namespace {
// Prepared metadata: global spec ks.t, bind markers (k int, v text), partition key = marker 0.
const byte_buffer prepared_variables = hx("00000001 00000002 00000001 0000") + str("ks") + str("t") + str("k") +
                                       hx("0009") + str("v") + hx("000d");
}  // namespace

TEST(results, prepared_v4_has_no_result_metadata_id) {
    auto body = hx("00000004 0002 1234") + prepared_variables + hx("00000004 00000000");
    byte_reader r(body);
    auto p = std::get<prepared_result>(decode_result(r, 4));
    EXPECT_EQ(view_bytes(p.id), hx("1234"));
    EXPECT_FALSE(p.result_metadata_id);
    EXPECT_EQ(p.variables.pk_indexes, (std::vector<std::uint16_t>{0}));
    ASSERT_EQ(p.variables.columns.size(), 2u);
    EXPECT_EQ(p.variables.columns[0].name, "k");
    EXPECT_EQ(p.variables.columns[0].keyspace, "ks");
    EXPECT_EQ(p.variables.columns[1].type.id, type_id::varchar);
    EXPECT_EQ(p.result_metadata.flags, rows_flags::no_metadata);
    EXPECT_TRUE(p.result_metadata.columns.empty());
    EXPECT_TRUE(r.empty());
    expect_truncations_refused(body, decoder(4));
}

TEST(results, prepared_v5_has_result_metadata_id_and_result_columns) {
    auto body = hx("00000004 0002 1234 0003 aabbcc") + prepared_variables + hx("00000001 00000001") + str("ks") +
                str("t") + str("v") + hx("000d");
    byte_reader r(body);
    auto p = std::get<prepared_result>(decode_result(r, 5));
    EXPECT_EQ(view_bytes(p.id), hx("1234"));
    ASSERT_TRUE(p.result_metadata_id);
    EXPECT_EQ(view_bytes(*p.result_metadata_id), hx("aabbcc"));
    ASSERT_EQ(p.result_metadata.columns.size(), 1u);
    EXPECT_EQ(p.result_metadata.columns[0].name, "v");
    EXPECT_TRUE(r.empty());
    expect_truncations_refused(body, decoder(5));
}

TEST(results, prepared_with_composite_partition_key_and_per_column_specs) {
    auto body = hx("00000004 0001 01 0000") + hx("00000000 00000002 00000002 0001 0000") + str("ks") + str("t") +
                str("a") + hx("0009") + str("ks") + str("t") + str("b") + hx("0009") + hx("00000004 00000000");
    byte_reader r(body);
    auto p = std::get<prepared_result>(decode_result(r, 5));
    EXPECT_TRUE(view_bytes(*p.result_metadata_id).empty());
    EXPECT_EQ(p.variables.pk_indexes, (std::vector<std::uint16_t>{1, 0}));
    EXPECT_EQ(p.variables.columns[1].name, "b");
    expect_truncations_refused(body, decoder(5));
}

TEST(results, prepared_refuses_bad_partition_key_indexes) {
    expect_malformed(hx("00000004 0001 01 00000001 00000001 00000001 0001") + str("ks") + str("t") + str("a") +
                         hx("0009 00000004 00000000"),
                     4, "prepared pk index");
    expect_malformed(hx("00000004 0001 01 00000000 00000000 7fffffff"), 4, "prepared pk count");
}

TEST(results, schema_change_result) {
    auto body = hx("00000005") + str("DROPPED") + str("FUNCTION") + str("ks") + str("fn") + hx("0001") + str("int");
    byte_reader r(body);
    auto s = std::get<schema_change>(decode_result(r, 5));
    EXPECT_EQ(s.change_type, "DROPPED");
    EXPECT_EQ(s.arg_types, (std::vector<std::string>{"int"}));
    expect_truncations_refused(body, decoder(4));
}

TEST(results, every_native_type_id) {
    for (std::uint16_t id = 0x0001; id <= 0x0015; ++id) {
        byte_buffer body{std::byte{0}, static_cast<std::byte>(id)};
        byte_reader r(body);
        if (id == 0x000A) {  // was text before v3; no longer an id
            EXPECT_THROW(decode_type(r), protocol_error);
            continue;
        }
        EXPECT_EQ(static_cast<std::uint16_t>(decode_type(r).id), id);
        EXPECT_TRUE(r.empty());
    }
}

TEST(results, collection_udt_tuple_and_custom_types) {
    auto body = hx("0030") + str("ks") + str("addr") + hx("0003") + str("street") + hx("000d") + str("tags") +
                hx("0022 000d") + str("m") + hx("0021 0009 0031 0002 0003 0004");
    byte_reader r(body);
    auto t = decode_type(r);
    EXPECT_EQ(t.id, type_id::udt);
    EXPECT_EQ(t.name, "addr");
    EXPECT_EQ(t.field_names, (std::vector<std::string>{"street", "tags", "m"}));
    EXPECT_EQ(to_string(t.params[2]), "map<int, tuple<blob, boolean>>");
    expect_truncations_refused(body, [](byte_reader& rr) { (void)decode_type(rr); });

    auto custom = hx("0000") + str("com.example.Opaque");
    byte_reader rc(custom);
    auto c = decode_type(rc);
    EXPECT_EQ(c.id, type_id::custom);
    EXPECT_EQ(c.custom_class, "com.example.Opaque");
}

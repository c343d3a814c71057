#include <async_cassandra/result_set.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;

namespace {
// RESULT Rows: (name text, n int, big bigint), two rows, the second with nulls.
byte_buffer rows_body(bool more_pages = false) {
    byte_buffer body;
    byte_writer w(body);
    w.i32(2);  // kind: rows
    w.i32(rows_flags::global_tables_spec | (more_pages ? rows_flags::has_more_pages : 0));
    w.i32(3);  // columns
    if (more_pages) w.bytes(as_bytes("PS"));
    w.string("ks");
    w.string("t");
    w.string("name");
    w.u16(0x000D);
    w.string("n");
    w.u16(0x0009);
    w.string("big");
    w.u16(0x0002);
    w.i32(2);  // rows
    w.bytes(as_bytes("héllo"));
    w.bytes(as_bytes(std::string("\x80\x00\x00\x00", 4)));
    w.bytes(as_bytes(std::string("\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8)));
    w.bytes(as_bytes(""));
    w.null_bytes();
    w.null_bytes();
    return body;
}
}  // namespace

TEST(result_set, rows_are_read_in_place) {
    auto rs = result_set::from_body(rows_body(), 0, 5);
    ASSERT_EQ(rs.kind(), async_cassandra::result_kind::rows);
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs.columns()[1].name, "n");
    EXPECT_EQ(rs.columns()[0].keyspace, "ks");
    auto r0 = rs.first_row();
    EXPECT_EQ(r0.get<std::string_view>(0), "héllo");
    EXPECT_EQ(r0.get<std::int32_t>("n"), std::numeric_limits<std::int32_t>::min());
    EXPECT_EQ(r0.get<std::int64_t>(2), std::numeric_limits<std::int64_t>::max());
    auto r1 = rs.row(1);
    EXPECT_EQ(r1.get<std::string>(0), "");
    EXPECT_TRUE(r1.is_null(1));
    EXPECT_EQ(r1.get<std::optional<std::int32_t>>(1), std::nullopt);
    EXPECT_FALSE(rs.has_more_pages());
}

TEST(result_set, range_for_visits_every_row_in_order) {
    auto rs = result_set::from_body(rows_body(), 0, 5);
    std::vector<std::string> names;
    std::vector<bool> n_null;
    for (auto row : rs) {
        names.push_back(row.get<std::string>(0));
        n_null.push_back(row.is_null(1));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"héllo", ""}));
    EXPECT_EQ(n_null, (std::vector<bool>{false, true}));
    EXPECT_EQ(std::distance(rs.begin(), rs.end()), 2);
    result_set empty;
    EXPECT_EQ(empty.begin(), empty.end());
}

TEST(result_set, type_mismatch_names_column_and_both_types) {
    auto rs = result_set::from_body(rows_body(), 0, 5);
    try {
        (void)rs.first_row().get<std::int64_t>("n");
        FAIL();
    } catch (const value_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("'n'"), std::string::npos) << m;
        EXPECT_NE(m.find("int"), std::string::npos) << m;
        EXPECT_NE(m.find("int64"), std::string::npos) << m;
    }
    EXPECT_THROW((void)rs.row(1).get<std::int32_t>(1), value_error);  // null without optional
    EXPECT_THROW((void)rs.row(2), value_error);
    EXPECT_THROW((void)rs.first_row().get<std::int32_t>(7), value_error);
    EXPECT_THROW((void)rs.first_row().get<std::int32_t>("missing"), value_error);
}

TEST(result_set, paging_state_is_kept) {
    auto rs = result_set::from_body(rows_body(true), 0, 5);
    ASSERT_TRUE(rs.has_more_pages());
    EXPECT_EQ(*rs.paging_state(), "PS");
}

TEST(result_set, lying_row_count_is_refused_without_allocating) {
    byte_buffer body;
    byte_writer w(body);
    w.i32(2);
    w.i32(rows_flags::global_tables_spec);
    w.i32(1);
    w.string("ks");
    w.string("t");
    w.string("c");
    w.u16(0x0009);
    w.i32(0x7FFFFFFF);  // rows
    EXPECT_THROW(result_set::from_body(body, 0, 5), protocol_error);
}

TEST(result_set, every_truncation_is_an_error_not_a_crash) {
    auto full = rows_body(true);
    for (std::size_t n = 0; n < full.size(); ++n) {
        byte_buffer cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_THROW(result_set::from_body(cut, 0, 5), protocol_error) << n;
    }
}

TEST(result_set, set_keyspace_and_schema_change) {
    byte_buffer body;
    byte_writer w(body);
    w.i32(3);
    w.string("ks1");
    auto rs = result_set::from_body(body, 0, 5);
    EXPECT_EQ(rs.kind(), async_cassandra::result_kind::set_keyspace);
    EXPECT_EQ(rs.keyspace(), "ks1");
}

TEST(result_set, rows_without_columns_are_refused) {
    byte_buffer body;
    byte_writer w(body);
    w.i32(2);
    w.i32(rows_flags::global_tables_spec);
    w.i32(0);  // no columns
    w.string("ks");
    w.string("t");
    w.i32(0x7FFFFFFF);  // yet two billion rows
    EXPECT_THROW(result_set::from_body(body, 0, 5), protocol_error);
}

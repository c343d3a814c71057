// Building statements without a server: named values, per-statement
// options, prepared binding checked against marker types, batches, and the
// result-side pieces (metadata supplied by a prepared statement, LWT
// [applied], tracing id).
#include "wire.hpp"

#include <async_cassandra/batch.hpp>
#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/statement.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::protocol;
using namespace wire;

namespace {

column_spec col(std::string name, type_id id, std::vector<data_type> params = {}) {
    column_spec c;
    c.keyspace = "ks";
    c.table = "t";
    c.name = std::move(name);
    c.type.id = id;
    c.type.params = std::move(params);
    return c;
}

// A prepared statement as a PREPARE of
// "INSERT INTO t (k, v, tags) VALUES (:k, :v, :tags)" would describe it.
prepared_statement make_prepared(std::vector<column_spec> result_columns = {}) {
    auto state = std::make_shared<detail::prepared_state>();
    state->id = hx("0102");
    state->result_metadata_id = hx("0a0b");
    state->result_columns = std::make_shared<const std::vector<column_spec>>(std::move(result_columns));
    data_type text;
    text.id = type_id::varchar;
    auto data = std::make_shared<detail::prepared_data>(
        "INSERT INTO t (k, v, tags) VALUES (:k, :v, :tags)", "ks",
        std::vector<column_spec>{col("k", type_id::int_), col("v", type_id::varchar),
                                 col("tags", type_id::list, {text})},
        std::vector<std::uint16_t>{0}, state);
    request_options defaults;
    defaults.consistency_level = consistency::quorum;
    defaults.idempotent = true;
    return prepared_statement(data, std::make_shared<const request_options>(defaults));
}

std::string what_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const value_error& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

}  // namespace

TEST(statement, named_values_keep_their_names_in_order) {
    statement st("INSERT INTO t (k, v) VALUES (:k, :v)");
    st.bind_named("v", std::string("x")).bind_named("k", std::int32_t{7});
    ASSERT_EQ(st.names().size(), 2u);
    EXPECT_EQ(st.names()[0], "v");
    EXPECT_EQ(st.names()[1], "k");
    EXPECT_EQ(st.values()[1], encode_value(std::int32_t{7}));

    // What the session sends: the names flag (0x40) and each name before its value.
    std::vector<value_ref> refs;
    for (const auto& v : st.values()) refs.push_back(value_ref::of(v.bytes()));
    std::vector<std::string_view> names(st.names().begin(), st.names().end());
    query_parameters p;
    p.consistency_level = consistency::one;
    p.values = refs;
    p.names = names;
    byte_buffer out;
    byte_writer w(out);
    encode_query_parameters(w, p, 4);
    EXPECT_EQ(out, hx("0001 41 0002") + str("v") + hx("00000001") + txt("x") + str("k") + hx("00000004 00000007"));
}

TEST(statement, positional_and_named_values_do_not_mix) {
    statement a("SELECT * FROM t WHERE k = ? AND c = :c");
    a.bind(std::int32_t{1});
    EXPECT_NE(what_of([&] { a.bind_named("c", std::int32_t{2}); }).find("not both"), std::string::npos);
    statement b("SELECT * FROM t WHERE k = :k");
    b.bind_named("k", std::int32_t{1});
    EXPECT_THROW(b.bind(std::int32_t{2}), value_error);
    EXPECT_NO_THROW(b.bind());  // nothing bound: nothing mixed
}

TEST(statement, options_chain_and_read_back) {
    statement st("SELECT * FROM t");
    st.set_consistency(consistency::local_quorum)
        .set_serial_consistency(consistency::local_serial)
        .set_page_size(10)
        .set_paging_state("PS")
        .set_default_timestamp(1234)
        .set_timeout(std::chrono::milliseconds(250))
        .set_idempotent()
        .set_keyspace("ks")
        .set_tracing()
        .set_custom_payload({{"k", {std::byte{1}}}})
        .set_now_in_seconds(99);
    EXPECT_EQ(st.get_consistency(), consistency::local_quorum);
    EXPECT_EQ(st.serial_consistency(), consistency::local_serial);
    EXPECT_EQ(st.page_size(), 10);
    EXPECT_EQ(st.paging_state(), "PS");
    EXPECT_EQ(st.default_timestamp(), 1234);
    EXPECT_EQ(st.timeout(), std::chrono::milliseconds(250));
    EXPECT_TRUE(st.is_idempotent());
    EXPECT_EQ(st.keyspace(), "ks");
    EXPECT_TRUE(st.tracing());
    ASSERT_EQ(st.payload().size(), 1u);
    EXPECT_EQ(st.now_in_seconds(), 99);
}

TEST(statement, custom_payload_is_a_bytes_map) {
    custom_payload payload{{"a", {std::byte{1}, std::byte{2}}}, {"b", {}}};
    byte_buffer out;
    byte_writer w(out);
    encode_custom_payload(w, payload);
    EXPECT_EQ(out, hx("0002") + str("a") + hx("00000002 0102") + str("b") + hx("00000000"));
}

TEST(prepared, bind_checks_count_and_types_before_anything_is_sent) {
    auto ps = make_prepared();
    auto b = ps.bind(std::int32_t{1}, "text", std::vector<std::string>{"x"});
    ASSERT_EQ(b.values().size(), 3u);
    EXPECT_EQ(b.values()[1], encode_value(std::string("text")));
    // The prepared statement's defaults carry over.
    EXPECT_EQ(b.get_consistency(), consistency::quorum);
    EXPECT_TRUE(b.is_idempotent());

    auto m = what_of([&] { (void)ps.bind(std::string("1"), "text", std::vector<std::string>{}); });
    EXPECT_NE(m.find("'k'"), std::string::npos) << m;
    EXPECT_NE(m.find("int"), std::string::npos) << m;
    EXPECT_NE(m.find("std::string"), std::string::npos) << m;
    // Recursively: list<text> is not std::vector<std::int32_t>.
    m = what_of([&] { (void)ps.bind(std::int32_t{1}, "t", std::vector<std::int32_t>{}); });
    EXPECT_NE(m.find("'tags'"), std::string::npos) << m;
    EXPECT_NE(m.find("list<text>"), std::string::npos) << m;
    EXPECT_NE(m.find("std::vector<std::int32_t>"), std::string::npos) << m;
    // Exact widths: a bigint value does not go into an int marker.
    EXPECT_THROW((void)ps.bind(std::int64_t{1}, "t", std::vector<std::string>{}), value_error);
    m = what_of([&] { (void)ps.bind(std::int32_t{1}); });
    EXPECT_NE(m.find("1 values bound, the statement has 3"), std::string::npos) << m;
    EXPECT_THROW((void)prepared_statement().bind(1), value_error);
}

TEST(prepared, null_unset_and_optional_fit_any_marker) {
    auto ps = make_prepared();
    auto b = ps.bind(std::optional<std::int32_t>{}, std::nullopt, unset);
    EXPECT_TRUE(b.values()[0].is_null());
    EXPECT_TRUE(b.values()[1].is_null());
    EXPECT_TRUE(b.values()[2].is_unset());
    // An optional of the wrong type is still the wrong type.
    EXPECT_THROW((void)ps.bind(std::optional<std::string>{}, std::nullopt, unset), value_error);
}

TEST(prepared, bind_by_name_or_index_leaves_the_rest_unset) {
    auto ps = make_prepared();
    auto b = ps.bind();
    b.bind_named("v", std::string("x")).bind_at(0, std::int32_t{5});
    EXPECT_EQ(b.values()[0], encode_value(std::int32_t{5}));
    EXPECT_EQ(b.values()[1], encode_value(std::string("x")));
    EXPECT_TRUE(b.values()[2].is_unset());
    auto m = what_of([&] { b.bind_named("nope", 1); });
    EXPECT_NE(m.find("'nope'"), std::string::npos) << m;
    EXPECT_NE(m.find("k, v, tags"), std::string::npos) << m;
    EXPECT_THROW(b.bind_at(3, 1), value_error);
    EXPECT_THROW(b.bind_named("k", std::string("x")), value_error);
}

TEST(batch, holds_simple_and_bound_statements_but_no_named_values) {
    auto ps = make_prepared();
    batch b(batch_type::unlogged);
    b.add(statement("INSERT INTO t (k) VALUES (?)").bind(std::int32_t{1}))
        .add(ps.bind(std::int32_t{2}, "v", std::vector<std::string>{}))
        .set_consistency(consistency::quorum)
        .set_default_timestamp(5);
    EXPECT_EQ(b.size(), 2u);
    EXPECT_EQ(b.type(), batch_type::unlogged);
    EXPECT_TRUE(std::holds_alternative<bound_statement>(b.entries()[1]));
    EXPECT_EQ(b.get_consistency(), consistency::quorum);
    statement named("INSERT INTO t (k) VALUES (:k)");
    named.bind_named("k", std::int32_t{1});
    EXPECT_THROW(b.add(named), value_error);
}

namespace {
// RESULT Rows with `flags` and `columns` (int), one row of `cells`.
byte_buffer rows(std::int32_t flags, const std::vector<std::string>& names, const byte_buffer& cells,
                 const byte_buffer& after_count = {}) {
    byte_buffer body;
    byte_writer w(body);
    w.i32(2);
    w.i32(flags);
    w.i32(static_cast<std::int32_t>(names.size()));
    body = body + after_count;
    if (!(flags & rows_flags::no_metadata)) {
        w.string("ks");
        w.string("t");
        for (const auto& n : names) {
            w.string(n);
            w.u16(n == "[applied]" ? 0x0004 : 0x0009);
        }
    }
    w.i32(1);
    return body + cells;
}
}  // namespace

// A request borrows the current state without a reference count: a state
// replaced later stays valid while the statement's data lives, and each
// stripe's copy of the result columns has a count of its own.
TEST(prepared, replaced_states_stay_valid_and_stripes_count_apart) {
    auto p = make_prepared({col("a", type_id::int_)});
    auto& d = *p.data();
    const auto& first = d.state.get();
    EXPECT_EQ(first.id, hx("0102"));
    ASSERT_TRUE(first.stripe_columns[0]);
    EXPECT_EQ(first.stripe_columns[0].get(), first.result_columns.get());  // the same columns...
    {
        auto copy = first.stripe_columns[1];  // ...counted apart: stripe 0's count does not move
        EXPECT_EQ(first.stripe_columns[0].use_count(), 1);
        EXPECT_EQ(first.stripe_columns[1].use_count(), 2);
    }
    EXPECT_EQ(first.columns_here().get(), first.result_columns.get());
    auto next = std::make_shared<detail::prepared_state>();
    next->id = hx("0102");
    next->result_metadata_id = hx("0c0d");
    d.state.publish(next);
    EXPECT_EQ(d.state.get().result_metadata_id, hx("0c0d"));
    EXPECT_EQ(first.result_metadata_id, hx("0a0b"));  // still readable (kept)
    EXPECT_EQ(p.result_metadata_id().size(), 2u);
    EXPECT_TRUE(p.result_columns().empty());  // the new state has no columns
}

TEST(result_set, rows_without_metadata_use_the_prepared_columns) {
    auto body = rows(rows_flags::no_metadata, {"a", "b"}, hx("00000004 00000001 00000004 00000002"));
    auto cols = std::make_shared<const std::vector<column_spec>>(
        std::vector<column_spec>{col("a", type_id::int_), col("b", type_id::int_)});
    auto rs = result_set::from_body(body, 0, 5, cols);
    ASSERT_EQ(rs.columns().size(), 2u);
    EXPECT_EQ(rs.first_row().get<std::int32_t>("b"), 2);
    EXPECT_EQ(rs.shared_columns(), cols);  // shared, not copied
    EXPECT_FALSE(rs.new_metadata_id());
    // Without columns, or with another count, the rows cannot be read.
    EXPECT_THROW(result_set::from_body(body, 0, 5), protocol_error);
    auto one = std::make_shared<const std::vector<column_spec>>(std::vector<column_spec>{col("a", type_id::int_)});
    EXPECT_THROW(result_set::from_body(body, 0, 5, one), protocol_error);
}

TEST(result_set, changed_metadata_brings_its_id_and_columns) {
    auto body = rows(rows_flags::global_tables_spec | rows_flags::metadata_changed, {"a", "b", "c"},
                     hx("00000004 00000001 00000004 00000002 ffffffff"), hx("0002 beef"));
    auto old = std::make_shared<const std::vector<column_spec>>(std::vector<column_spec>{col("a", type_id::int_)});
    auto rs = result_set::from_body(body, 0, 5, old);
    ASSERT_TRUE(rs.new_metadata_id());
    EXPECT_EQ(*rs.new_metadata_id(), hx("beef"));
    EXPECT_EQ(rs.columns().size(), 3u);
    EXPECT_EQ(rs.columns()[2].name, "c");
    EXPECT_TRUE(rs.first_row().is_null(2));
}

TEST(result_set, a_v4_result_with_the_v5_metadata_changed_flag_is_refused) {
    auto body = rows(rows_flags::global_tables_spec | rows_flags::metadata_changed, {"a"}, hx("00000004 00000001"),
                     hx("0002 beef"));
    try {
        (void)result_set::from_body(body, 0, 4);
        FAIL() << "a v4 RESULT with metadata_changed was accepted";
    } catch (const protocol_error& e) {
        EXPECT_NE(std::string(e.what()).find("v4 RESULT"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(result_set::from_body(body, 0, 5).new_metadata_id());  // v5's own flag
}

TEST(result_set, was_applied_reads_the_applied_column) {
    auto applied = result_set::from_body(rows(rows_flags::global_tables_spec, {"[applied]"}, hx("00000001 01")), 0, 5);
    EXPECT_TRUE(applied.was_applied());
    auto refused = result_set::from_body(
        rows(rows_flags::global_tables_spec, {"[applied]", "v"}, hx("00000001 00 00000004 0000002a")), 0, 5);
    EXPECT_FALSE(refused.was_applied());
    EXPECT_EQ(refused.first_row().get<std::int32_t>("v"), 42);
    // Not an LWT: no [applied] column, or no rows at all.
    auto plain = result_set::from_body(rows(rows_flags::global_tables_spec, {"v"}, hx("00000004 00000001")), 0, 5);
    EXPECT_TRUE(plain.was_applied());
    byte_buffer void_body;
    byte_writer(void_body).i32(1);
    EXPECT_TRUE(result_set::from_body(void_body, 0, 5).was_applied());
}

TEST(result_set, tracing_id_and_custom_payload_from_the_prefix) {
    byte_buffer body = hx("00112233445566778899aabbccddeeff") + hx("0001") + str("p") + hx("00000001 07");
    byte_writer(body).i32(1);  // Void
    auto rs = result_set::from_body(body, frame_flags::tracing | frame_flags::custom_payload, 5);
    ASSERT_TRUE(rs.tracing_id());
    EXPECT_EQ(rs.tracing_id()->to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    ASSERT_EQ(rs.payload().size(), 1u);
    EXPECT_EQ(rs.payload()[0].first, "p");
    EXPECT_EQ(rs.payload()[0].second, std::vector<std::byte>{std::byte{7}});
}

// Schema metadata from hand-built system_schema rows.
#include "cluster/schema_builder.hpp"

#include <server_protocol/server_protocol.hpp>

#include "type_util.hpp"

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::detail;
namespace pr = async_cassandra::protocol;

namespace {

const data_type text = of(type_id::varchar);

// A Rows result of `columns` (name, type) holding `rows`.
result_set rows(const std::vector<std::pair<std::string, data_type>>& columns,
                const std::vector<std::vector<encoded_value>>& rows) {
    pr::server::rows_header h;
    for (const auto& [name, type] : columns) h.columns.push_back({"system_schema", "t", name, type});
    pr::byte_buffer body;
    pr::byte_writer w(body);
    pr::server::begin_rows_result(w, h, static_cast<std::int32_t>(rows.size()));
    for (const auto& row : rows)
        for (const auto& v : row) {
            if (v.is_null())
                w.null_bytes();
            else
                w.bytes(v.bytes());
        }
    return result_set::from_body(std::move(body), 0, 5);
}

using strmap = std::map<std::string, std::string>;
using strs = std::vector<std::string>;

result_set keyspaces(const std::vector<std::tuple<std::string, bool, strmap>>& ks) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& [name, durable, repl] : ks)
        r.push_back({encode_value(name), encode_value(durable), encode_value(repl)});
    return rows({{"keyspace_name", text},
                 {"durable_writes", of(type_id::boolean)},
                 {"replication", of(type_id::map, {text, text})}},
                r);
}

result_set tables(const std::vector<std::pair<std::string, std::string>>& ts) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& [ks, t] : ts) r.push_back({encode_value(ks), encode_value(t)});
    return rows({{"keyspace_name", text}, {"table_name", text}}, r);
}

struct col {
    std::string ks, table, name, order, kind;
    std::int32_t position;
    std::string type;
};
result_set columns(const std::vector<col>& cs) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& c : cs)
        r.push_back({encode_value(c.ks), encode_value(c.table), encode_value(c.name), encode_value(c.order),
                     encode_value(c.kind), encode_value(c.position), encode_value(c.type)});
    return rows({{"keyspace_name", text},
                 {"table_name", text},
                 {"column_name", text},
                 {"clustering_order", text},
                 {"kind", text},
                 {"position", of(type_id::int_)},
                 {"type", text}},
                r);
}

result_set types(const std::vector<std::tuple<std::string, std::string, strs, strs>>& ts) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& [ks, name, fields, field_types] : ts)
        r.push_back({encode_value(ks), encode_value(name), encode_value(fields), encode_value(field_types)});
    return rows({{"keyspace_name", text},
                 {"type_name", text},
                 {"field_names", of(type_id::list, {text})},
                 {"field_types", of(type_id::list, {text})}},
                r);
}

schema_build_result build(const result_set& k, const result_set& t, const result_set& c, const result_set& u) {
    return build_schema({&k, 1}, {&t, 1}, {&c, 1}, {&u, 1});
}

const strmap simple3{{"class", "org.apache.cassandra.locator.SimpleStrategy"}, {"replication_factor", "3"}};

TEST(schema_builder, keyspace_table_columns_and_types) {
    const auto k = keyspaces({{"app", false, simple3}, {"other", true, simple3}});
    const auto t = tables({{"app", "events"}});
    // Out of order on purpose: positions and names decide.
    const auto c = columns({
        {"app", "events", "v", "none", "regular", -1, "frozen<map<text, list<int>>>"},
        {"app", "events", "day", "none", "partition_key", 1, "date"},
        {"app", "events", "id", "none", "partition_key", 0, "int"},
        {"app", "events", "at", "desc", "clustering", 0, "timestamp"},
        {"app", "events", "seq", "asc", "clustering", 1, "int"},
        {"app", "events", "home", "none", "regular", -1, "frozen<address>"},
        {"app", "events", "emb", "none", "regular", -1, "vector<float, 3>"},
        {"app", "events", "note", "none", "static", -1, "text"},
        {"app", "a_view", "x", "none", "regular", -1, "int"},  // a view's column: ignored
    });
    const auto u = types({{"app", "address", {"street", "where"}, {"text", "frozen<point>"}},
                          {"app", "point", {"x", "y"}, {"int", "int"}}});
    const auto s = build(k, t, c, u);
    EXPECT_TRUE(s.errors.empty()) << s.errors.front();
    ASSERT_EQ(s.keyspaces.size(), 2u);
    const auto& app = s.keyspaces.at("app");
    EXPECT_FALSE(app.durable_writes);
    EXPECT_EQ(app.replication, simple3);
    ASSERT_EQ(app.user_types.size(), 2u);
    const auto& address = app.user_types.at("address");
    EXPECT_EQ(address.field_names, (strs{"street", "where"}));
    ASSERT_EQ(address.field_types.size(), 2u);
    EXPECT_EQ(address.field_types[1].id, type_id::udt);
    EXPECT_EQ(address.field_types[1].field_names, (strs{"x", "y"}));

    ASSERT_EQ(app.tables.size(), 1u);
    const auto& e = app.tables.at("events");
    ASSERT_EQ(e.partition_key.size(), 2u);
    EXPECT_EQ(e.partition_key[0], (column_metadata{"id", of(type_id::int_)}));
    EXPECT_EQ(e.partition_key[1], (column_metadata{"day", of(type_id::date)}));
    ASSERT_EQ(e.clustering_columns.size(), 2u);
    EXPECT_EQ(e.clustering_columns[0].name, "at");
    EXPECT_EQ(e.clustering_columns[0].order, clustering_order::descending);
    EXPECT_EQ(e.clustering_columns[1].order, clustering_order::ascending);
    ASSERT_EQ(e.static_columns.size(), 1u);
    EXPECT_EQ(e.static_columns[0].name, "note");
    ASSERT_EQ(e.regular_columns.size(), 3u);
    EXPECT_EQ(e.regular_columns[0].name, "emb");
    EXPECT_EQ(e.regular_columns[0].type.dimension, 3);
    EXPECT_EQ(e.regular_columns[1].name, "home");
    EXPECT_EQ(e.regular_columns[1].type.name, "address");
    EXPECT_EQ(e.regular_columns[1].type.params.size(), 2u);
    EXPECT_EQ(e.regular_columns[2].type, of(type_id::map, {text, of(type_id::list, {of(type_id::int_)})}));
    EXPECT_TRUE(s.keyspaces.at("other").tables.empty());
}

TEST(schema_builder, pages_are_read_in_order) {
    const auto k1 = keyspaces({{"a", true, simple3}}), k2 = keyspaces({{"b", true, simple3}});
    const result_set ks[] = {k1, k2};
    const auto t = tables({{"b", "t"}});
    const auto c1 = columns({{"b", "t", "k", "none", "partition_key", 0, "text"}});
    const auto c2 = columns({{"b", "t", "v", "none", "regular", -1, "blob"}});
    const result_set cs[] = {c1, c2};
    const auto u = types({});
    const auto s = build_schema(ks, {&t, 1}, cs, {&u, 1});
    EXPECT_TRUE(s.errors.empty());
    ASSERT_EQ(s.keyspaces.size(), 2u);
    const auto& tb = s.keyspaces.at("b").tables.at("t");
    EXPECT_EQ(tb.partition_key.size(), 1u);
    EXPECT_EQ(tb.regular_columns.size(), 1u);
}

bool mentions(const std::vector<std::string>& errors, const std::string& what) {
    for (const auto& e : errors)
        if (e.find(what) != std::string::npos) return true;
    return false;
}

TEST(schema_builder, bad_rows_are_left_out_with_a_reason) {
    const auto k = keyspaces({{"app", true, simple3}});
    const auto t = tables({{"app", "bad_type"},
                           {"app", "uses_bad_udt"},
                           {"app", "no_key"},
                           {"app", "bad_order"},
                           {"app", "good"},
                           {"ghost", "t"}});
    const auto c = columns({
        {"app", "bad_type", "k", "none", "partition_key", 0, "map<int>"},
        {"app", "uses_bad_udt", "k", "none", "partition_key", 0, "int"},
        {"app", "uses_bad_udt", "v", "none", "regular", -1, "frozen<broken>"},
        {"app", "no_key", "v", "none", "regular", -1, "int"},
        {"app", "bad_order", "k", "none", "partition_key", 0, "int"},
        {"app", "bad_order", "c", "sideways", "clustering", 0, "int"},
        {"app", "good", "k", "none", "partition_key", 0, "int"},
        {"ghost", "t", "k", "none", "partition_key", 0, "int"},
    });
    const auto u = types({{"app", "broken", {"a", "b"}, {"int"}},
                          {"app", "loop1", {"a"}, {"frozen<loop2>"}},
                          {"app", "loop2", {"a"}, {"frozen<loop1>"}},
                          {"nowhere", "x", {"a"}, {"int"}}});
    const auto s = build(k, t, c, u);
    const auto& app = s.keyspaces.at("app");
    EXPECT_EQ(app.tables.size(), 1u);
    EXPECT_TRUE(app.tables.count("good"));
    EXPECT_TRUE(app.user_types.empty());
    EXPECT_TRUE(mentions(s.errors, "table app.bad_type left out: column 'k': CQL type 'map<int>'")) << s.errors[0];
    EXPECT_TRUE(mentions(s.errors, "table app.uses_bad_udt left out: column 'v'"));
    EXPECT_TRUE(mentions(s.errors, "table app.no_key left out: no partition key"));
    EXPECT_TRUE(mentions(s.errors, "clustering_order 'sideways'"));
    EXPECT_TRUE(mentions(s.errors, "table ghost.t left out"));
    EXPECT_TRUE(mentions(s.errors, "user type app.broken left out: 2 field names but 1 field types"));
    EXPECT_TRUE(mentions(s.errors, "user type app.loop1 left out"));
    EXPECT_TRUE(mentions(s.errors, "user types of keyspace nowhere"));
}

// t0 ... t<n-1>: t<i> has a field of type t<i+1>; the last one an int.
result_set type_chain(std::size_t n) {
    std::vector<std::tuple<std::string, std::string, strs, strs>> ts;
    for (std::size_t i = 0; i < n; ++i) {
        const auto field = i + 1 < n ? "frozen<t" + std::to_string(i + 1) + ">" : std::string("int");
        ts.emplace_back("app", "t" + std::to_string(i), strs{"f"}, strs{field});
    }
    return types(ts);
}

TEST(schema_builder, user_types_nested_deeper_than_the_limit_are_left_out) {
    // The limit counts levels over the whole chain, as the protocol's
    // decoder does (64 below the outer type), not afresh in each type.
    const auto k = keyspaces({{"app", true, simple3}});
    const auto t = tables({}), c = columns({});
    const auto s = build(k, t, c, type_chain(200));
    const auto& udts = s.keyspaces.at("app").user_types;
    EXPECT_EQ(udts.size(), 64u);  // t136 (64 levels: t137 ... t199, then int) to t199
    EXPECT_TRUE(udts.count("t136"));
    EXPECT_FALSE(udts.count("t135"));
    EXPECT_TRUE(mentions(s.errors, "user type app.t135 left out: nested more than 64 levels")) << s.errors[0];
    EXPECT_TRUE(mentions(s.errors, "user type app.t0 left out: field 'f' uses user type app.t1, which is left out"));
}

TEST(schema_builder, a_long_chain_of_user_types_does_not_exhaust_the_stack) {
    const auto k = keyspaces({{"app", true, simple3}});
    const auto t = tables({{"app", "x"}});
    const auto c = columns({{"app", "x", "k", "none", "partition_key", 0, "int"},
                            {"app", "x", "deep", "none", "regular", -1, "frozen<t0>"},
                            {"app", "x", "fine", "none", "regular", -1, "frozen<t19999>"}});
    const auto s = build(k, t, c, type_chain(20000));
    const auto& app = s.keyspaces.at("app");
    EXPECT_EQ(app.user_types.size(), 64u);
    EXPECT_TRUE(app.tables.empty());
    EXPECT_TRUE(mentions(s.errors, "table app.x left out: column 'deep'"));
}

TEST(schema_builder, a_long_cycle_of_user_types_is_left_out) {
    std::vector<std::tuple<std::string, std::string, strs, strs>> ts;
    for (int i = 0; i < 20000; ++i)
        ts.emplace_back("app", "t" + std::to_string(i), strs{"f"},
                        strs{"frozen<t" + std::to_string((i + 1) % 20000) + ">"});
    const auto k = keyspaces({{"app", true, simple3}});
    const auto t = tables({}), c = columns({});
    const auto s = build(k, t, c, types(ts));
    EXPECT_TRUE(s.keyspaces.at("app").user_types.empty());
    EXPECT_EQ(s.errors.size(), 20000u);
    EXPECT_TRUE(mentions(s.errors, "which uses it in turn")) << s.errors[0];
}

TEST(schema_builder, user_types_that_expand_beyond_the_node_limit_are_left_out) {
    // t<i> has two fields of type t<i-1>: each level doubles the tree a
    // column of that type carries (t40 would hold 2^41 nodes).
    std::vector<std::tuple<std::string, std::string, strs, strs>> ts{{"app", "t0", {"a"}, {"int"}}};
    for (int i = 1; i <= 40; ++i) {
        const auto field = "frozen<t" + std::to_string(i - 1) + ">";
        ts.emplace_back("app", "t" + std::to_string(i), strs{"a", "b"}, strs{field, field});
    }
    const auto k = keyspaces({{"app", true, simple3}});
    const auto t = tables({}), c = columns({});
    const auto s = build(k, t, c, types(ts));
    const auto& udts = s.keyspaces.at("app").user_types;
    EXPECT_EQ(udts.size(), 15u);  // t14 holds 3 * 2^14 - 1 = 49,151 nodes; t15 98,303
    EXPECT_TRUE(udts.count("t14"));
    EXPECT_TRUE(mentions(s.errors, "user type app.t15 left out: more than 65536 type nodes")) << s.errors[0];
}

TEST(schema_builder, rows_of_the_wrong_shape_are_reported) {
    // keyspaces rows without a replication column.
    const auto k = rows({{"keyspace_name", text}}, {{encode_value(std::string("x"))}});
    const auto t = tables({}), c = columns({}), u = types({});
    const auto s = build(k, t, c, u);
    EXPECT_TRUE(s.keyspaces.empty());
    ASSERT_EQ(s.errors.size(), 1u);
    EXPECT_NE(s.errors[0].find("system_schema.keyspaces row 0"), std::string::npos) << s.errors[0];
}

}  // namespace

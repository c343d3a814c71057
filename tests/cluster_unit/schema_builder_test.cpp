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

result_set views(const std::vector<std::tuple<std::string, std::string, std::string, std::string, bool>>& vs) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& [ks, name, base, where, all] : vs)
        r.push_back({encode_value(ks), encode_value(name), encode_value(base), encode_value(where), encode_value(all)});
    return rows({{"keyspace_name", text},
                 {"view_name", text},
                 {"base_table_name", text},
                 {"where_clause", text},
                 {"include_all_columns", of(type_id::boolean)}},
                r);
}

result_set indexes(const std::vector<std::tuple<std::string, std::string, std::string, std::string, strmap>>& is) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& [ks, table, name, kind, options] : is)
        r.push_back(
            {encode_value(ks), encode_value(table), encode_value(name), encode_value(kind), encode_value(options)});
    return rows({{"keyspace_name", text},
                 {"table_name", text},
                 {"index_name", text},
                 {"kind", text},
                 {"options", of(type_id::map, {text, text})}},
                r);
}

struct fn {
    std::string ks, name;
    strs arg_names, arg_types;
    std::string return_type, language, body;
    bool called_on_null;
};
result_set functions(const std::vector<fn>& fs) {
    std::vector<std::vector<encoded_value>> r;
    for (const auto& f : fs)
        r.push_back({encode_value(f.ks), encode_value(f.name), encode_value(f.arg_names), encode_value(f.arg_types),
                     encode_value(f.return_type), encode_value(f.language), encode_value(f.body),
                     encode_value(f.called_on_null)});
    return rows({{"keyspace_name", text},
                 {"function_name", text},
                 {"argument_names", of(type_id::list, {text})},
                 {"argument_types", of(type_id::list, {text})},
                 {"return_type", text},
                 {"language", text},
                 {"body", text},
                 {"called_on_null_input", of(type_id::boolean)}},
                r);
}

struct agg {
    std::string ks, name;
    strs arg_types;
    std::string state_func, state_type;
    std::optional<std::string> final_func, initcond;
    std::string return_type;
};
result_set aggregates(const std::vector<agg>& as) {
    auto opt = [](const std::optional<std::string>& v) { return v ? encode_value(*v) : encoded_value::null_value(); };
    std::vector<std::vector<encoded_value>> r;
    for (const auto& a : as)
        r.push_back({encode_value(a.ks), encode_value(a.name), encode_value(a.arg_types), encode_value(a.state_func),
                     encode_value(a.state_type), opt(a.final_func), opt(a.initcond), encode_value(a.return_type)});
    return rows({{"keyspace_name", text},
                 {"aggregate_name", text},
                 {"argument_types", of(type_id::list, {text})},
                 {"state_func", text},
                 {"state_type", text},
                 {"final_func", text},
                 {"initcond", text},
                 {"return_type", text}},
                r);
}

schema_build_result build(const result_set& k, const result_set& t, const result_set& c, const result_set& u) {
    return build_schema({{&k, 1}, {&t, 1}, {&c, 1}, {&u, 1}});
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
    const auto s = build_schema({ks, {&t, 1}, cs, {&u, 1}});
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

// A keyspace with a table, a view on it, an index, two overloads of a
// function and an aggregate, each object as system_schema lists it.
struct objects_fixture {
    result_set k = keyspaces({{"app", true, simple3}});
    result_set t = tables({{"app", "users"}});
    result_set c = columns({
        {"app", "users", "id", "none", "partition_key", 0, "int"},
        {"app", "users", "email", "none", "regular", -1, "text"},
        {"app", "users", "home", "none", "regular", -1, "frozen<point>"},
        {"app", "by_email", "email", "none", "partition_key", 0, "text"},
        {"app", "by_email", "id", "asc", "clustering", 0, "int"},
        {"app", "by_email", "home", "none", "regular", -1, "frozen<point>"},
    });
    result_set u = types({{"app", "point", {"x", "y"}, {"int", "int"}}});
    result_set v = views({{"app", "by_email", "users", "email IS NOT NULL AND id IS NOT NULL", true}});
    result_set i = indexes(
        {{"app", "users", "users_home", "COMPOSITES", {{"target", "home"}}},
         {"app", "users", "users_sai", "CUSTOM", {{"target", "email"}, {"class_name", "StorageAttachedIndex"}}}});
    result_set f = functions({
        {"app", "plus", {"a", "b"}, {"int", "int"}, "int", "java", "return a + b;", false},
        {"app", "plus", {"a", "p"}, {"int", "frozen<point>"}, "int", "java", "return a + p.getInt(\"x\");", true},
        {"app", "plus_more", {"a"}, {"int"}, "int", "java", "return a;", true},
    });
    result_set a = aggregates({
        {"app", "total", {"int"}, "plus", "int", std::nullopt, "0", "int"},
        {"app", "total", {"frozen<point>"}, "plus", "int", "plus_more", std::nullopt, "int"},
    });

    schema_build_result build() const {
        return build_schema({{&k, 1}, {&t, 1}, {&c, 1}, {&u, 1}, {&v, 1}, {&i, 1}, {&f, 1}, {&a, 1}});
    }
};

TEST(schema_builder, views_indexes_functions_and_aggregates) {
    const auto s = objects_fixture{}.build();
    EXPECT_TRUE(s.errors.empty()) << s.errors.front();
    const auto& app = s.keyspaces.at("app");
    const auto point = app.user_types.at("point");

    ASSERT_EQ(app.tables.size(), 1u);  // the view is not a table
    const auto& users = app.tables.at("users");
    EXPECT_EQ(users.views, (strs{"by_email"}));
    ASSERT_EQ(app.views.size(), 1u);
    const auto& view = app.views.at("by_email");
    EXPECT_EQ(view.base_table, "users");
    EXPECT_EQ(view.where_clause, "email IS NOT NULL AND id IS NOT NULL");
    EXPECT_TRUE(view.include_all_columns);
    ASSERT_EQ(view.partition_key.size(), 1u);
    EXPECT_EQ(view.partition_key[0], (column_metadata{"email", text}));
    ASSERT_EQ(view.clustering_columns.size(), 1u);
    EXPECT_EQ(view.clustering_columns[0].name, "id");
    ASSERT_EQ(view.regular_columns.size(), 1u);
    EXPECT_EQ(view.regular_columns[0].type.field_names, (strs{"x", "y"}));

    ASSERT_EQ(users.indexes.size(), 2u);
    const auto& home = users.indexes.at("users_home");
    EXPECT_EQ(home.kind, index_kind::composites);
    EXPECT_EQ(home.target, "home");
    const auto& sai = users.indexes.at("users_sai");
    EXPECT_EQ(sai.kind, index_kind::custom);
    EXPECT_EQ(sai.target, "email");
    EXPECT_EQ(sai.options.at("class_name"), "StorageAttachedIndex");

    ASSERT_EQ(app.functions.size(), 3u);
    const auto& plus = app.functions.at("plus(int,int)");
    EXPECT_EQ(plus.name, "plus");
    EXPECT_EQ(plus.signature, "plus(int,int)");
    EXPECT_EQ(plus.argument_names, (strs{"a", "b"}));
    EXPECT_EQ(plus.argument_types, (std::vector<data_type>{of(type_id::int_), of(type_id::int_)}));
    EXPECT_EQ(plus.return_type, of(type_id::int_));
    EXPECT_EQ(plus.language, "java");
    EXPECT_EQ(plus.body, "return a + b;");
    EXPECT_FALSE(plus.called_on_null_input);
    const auto& plus_point = app.functions.at("plus(int,frozen<point>)");
    EXPECT_EQ(plus_point.argument_types[1].field_names, (strs{"x", "y"}));
    EXPECT_TRUE(plus_point.called_on_null_input);
    // Lookup by name: every overload, and not plus_more.
    const auto overloads = app.functions_named("plus");
    ASSERT_EQ(overloads.size(), 2u);
    EXPECT_EQ(overloads[0]->signature, "plus(int,frozen<point>)");
    EXPECT_EQ(overloads[1]->signature, "plus(int,int)");
    EXPECT_EQ(app.functions_named("plus_more").size(), 1u);
    EXPECT_TRUE(app.functions_named("plu").empty());

    ASSERT_EQ(app.aggregates.size(), 2u);
    const auto& total = app.aggregates.at("total(int)");
    EXPECT_EQ(total.argument_types, (std::vector<data_type>{of(type_id::int_)}));
    EXPECT_EQ(total.state_function, "plus");
    EXPECT_EQ(total.state_type, of(type_id::int_));
    EXPECT_EQ(total.final_function, "");
    EXPECT_EQ(total.initial_condition, std::optional<std::string>("0"));
    EXPECT_EQ(total.return_type, of(type_id::int_));
    const auto& total_point = app.aggregates.at("total(frozen<point>)");
    EXPECT_EQ(total_point.final_function, "plus_more");
    EXPECT_FALSE(total_point.initial_condition);
    EXPECT_EQ(app.aggregates_named("total").size(), 2u);
}

TEST(schema_builder, a_server_without_the_object_tables_gives_tables_only) {
    objects_fixture o;
    const auto s = build_schema({{&o.k, 1}, {&o.t, 1}, {&o.c, 1}, {&o.u, 1}});
    EXPECT_TRUE(s.errors.empty()) << s.errors.front();
    const auto& app = s.keyspaces.at("app");
    EXPECT_EQ(app.tables.size(), 1u);
    EXPECT_TRUE(app.views.empty() && app.functions.empty() && app.aggregates.empty());
    EXPECT_TRUE(app.tables.at("users").indexes.empty());
}

TEST(schema_builder, bad_views_indexes_functions_and_aggregates_are_left_out_with_a_reason) {
    objects_fixture o;
    o.c = columns({
        {"app", "users", "id", "none", "partition_key", 0, "int"},
        {"app", "bad_view", "v", "none", "regular", -1, "int"},  // no partition key
        {"app", "typo_view", "k", "none", "partition_key", 0, "frozen<nope>"},
        {"app", "good_view", "id", "none", "partition_key", 0, "int"},
    });
    o.v = views({{"app", "bad_view", "users", "v IS NOT NULL", false},
                 {"app", "typo_view", "users", "k IS NOT NULL", false},
                 {"app", "good_view", "users", "id IS NOT NULL", false}});
    o.i = indexes({{"app", "users", "odd_kind", "SIDEWAYS", {{"target", "id"}}},
                   {"app", "nowhere", "lost_index", "KEYS", {{"target", "k"}}},
                   {"app", "users", "fine", "KEYS", {{"target", "keys(m)"}}}});
    o.f = functions({
        {"app", "short", {"a"}, {"int", "int"}, "int", "java", "", true},
        {"app", "bad_arg", {"a"}, {"list<int"}, "int", "java", "", true},
        {"app", "bad_ret", {"a"}, {"int"}, "frozen<nope>", "java", "", true},
        {"ghost", "f", {}, {}, "int", "java", "", true},
        {"app", "ok", {}, {}, "int", "java", "return 1;", true},
    });
    o.a = aggregates({
        {"app", "bad_state", {"int"}, "ok", "map<int>", std::nullopt, std::nullopt, "int"},
        {"app", "no_state", {"int"}, "", "int", std::nullopt, std::nullopt, "int"},
        {"app", "bad_arg", {"tuple<>"}, "ok", "int", std::nullopt, std::nullopt, "int"},
    });
    // A row missing a column it must have: named by keyspace and name.
    const auto broken = rows({{"keyspace_name", text}, {"function_name", text}},
                             {{encode_value(std::string("app")), encode_value(std::string("half"))}});
    const result_set fs[] = {o.f, broken};
    const auto s = build_schema({{&o.k, 1}, {&o.t, 1}, {&o.c, 1}, {&o.u, 1}, {&o.v, 1}, {&o.i, 1}, fs, {&o.a, 1}});
    const auto& app = s.keyspaces.at("app");
    EXPECT_EQ(app.views.size(), 1u);
    EXPECT_EQ(app.tables.at("users").views, (strs{"good_view"}));
    EXPECT_EQ(app.tables.at("users").indexes.size(), 1u);
    EXPECT_EQ(app.tables.at("users").indexes.at("fine").kind, index_kind::keys);
    EXPECT_EQ(app.tables.at("users").indexes.at("fine").target, "keys(m)");
    ASSERT_EQ(app.functions.size(), 1u);
    EXPECT_TRUE(app.functions.count("ok()"));
    EXPECT_TRUE(app.aggregates.empty());
    for (const char* e : {
             "view app.bad_view left out: no partition key column",
             "view app.typo_view left out: column 'k'",
             "index app.odd_kind left out: kind 'SIDEWAYS'",
             "index app.lost_index left out: its table app.nowhere is not in the metadata",
             "function app.short(int,int) left out: 1 argument names but 2 argument types",
             "function app.bad_arg(list<int) left out: argument type 1: CQL type 'list<int'",
             "function app.bad_ret(int) left out: return type: ",
             "function ghost.f() left out: its keyspace is not in system_schema.keyspaces",
             "aggregate app.bad_state(int) left out: state type: CQL type 'map<int>'",
             "aggregate app.no_state(int) left out: no state function",
             "aggregate app.bad_arg(tuple<>) left out: argument type 1",
             "system_schema.functions row 5 (app.half): ",
         })
        EXPECT_TRUE(mentions(s.errors, e)) << e;
    EXPECT_EQ(s.errors.size(), 12u);
}

}  // namespace

// CQL type strings as system_schema writes them.
#include "cluster/cql_type.hpp"

#include "type_util.hpp"

#include <gtest/gtest.h>

using namespace async_cassandra;
using namespace async_cassandra::detail;

namespace {


data_type parsed(std::string_view text, const udt_resolver& resolve = {}) {
    auto r = parse_cql_type(text, resolve);
    EXPECT_TRUE(r) << r.error;
    return r.type;
}

TEST(cql_type, native_types) {
    const std::pair<const char*, type_id> cases[] = {
        {"ascii", type_id::ascii},       {"bigint", type_id::bigint},       {"blob", type_id::blob},
        {"boolean", type_id::boolean},   {"counter", type_id::counter},     {"date", type_id::date},
        {"decimal", type_id::decimal},   {"double", type_id::double_},      {"duration", type_id::duration},
        {"float", type_id::float_},      {"inet", type_id::inet},           {"int", type_id::int_},
        {"smallint", type_id::smallint}, {"text", type_id::varchar},        {"varchar", type_id::varchar},
        {"time", type_id::time},         {"timestamp", type_id::timestamp}, {"timeuuid", type_id::timeuuid},
        {"tinyint", type_id::tinyint},   {"uuid", type_id::uuid},           {"varint", type_id::varint},
    };
    for (const auto& [text, id] : cases) EXPECT_EQ(parsed(text), of(id)) << text;
    EXPECT_EQ(parsed(" BigInt "), of(type_id::bigint));
}

TEST(cql_type, collections_tuples_vectors_and_frozen) {
    EXPECT_EQ(parsed("frozen<map<text, list<int>>>"),
              of(type_id::map, {of(type_id::varchar), of(type_id::list, {of(type_id::int_)})}));
    EXPECT_EQ(parsed("set<frozen<tuple<int, text, blob>>>"),
              of(type_id::set, {of(type_id::tuple, {of(type_id::int_), of(type_id::varchar), of(type_id::blob)})}));
    auto v = of(type_id::vector, {of(type_id::float_)});
    v.dimension = 3;
    EXPECT_EQ(parsed("vector<float, 3>"), v);
    auto nested = of(type_id::vector, {of(type_id::list, {of(type_id::int_)})});
    nested.dimension = 2;
    EXPECT_EQ(parsed("vector<list<int>,2>"), nested);
    EXPECT_EQ(to_string(parsed("map<text,frozen<list<int>>>")), "map<text, list<int>>");
}

TEST(cql_type, custom_types_in_quotes) {
    auto t = parsed("'org.apache.cassandra.db.marshal.DynamicCompositeType(s=>UTF8Type)'");
    EXPECT_EQ(t.id, type_id::custom);
    EXPECT_EQ(t.custom_class, "org.apache.cassandra.db.marshal.DynamicCompositeType(s=>UTF8Type)");
    // Known marshal classes become the type they name.
    EXPECT_EQ(parsed("'org.apache.cassandra.db.marshal.Int32Type'"), of(type_id::int_));
    EXPECT_EQ(parsed("'it''s'").custom_class, "it's");
}

TEST(cql_type, user_types) {
    const auto plain = parsed("address");
    EXPECT_EQ(plain.id, type_id::udt);
    EXPECT_EQ(plain.name, "address");
    EXPECT_EQ(parsed("\"My\"\"Type\"").name, "My\"Type");
    EXPECT_EQ(parsed("Address").name, "address");  // unquoted names fold to lower case
    const auto qualified = parsed("ks.\"Point\"");
    EXPECT_EQ(qualified.keyspace, "ks");
    EXPECT_EQ(qualified.name, "Point");

    udt_resolver resolve = [](std::string_view ks, std::string_view name) -> std::optional<data_type> {
        if (name != "point" || !ks.empty()) return std::nullopt;
        data_type t;
        t.id = type_id::udt;
        t.keyspace = "ks";
        t.name = "point";
        t.field_names = {"x"};
        t.params = {of(type_id::int_)};
        return t;
    };
    const auto list = parsed("list<frozen<point>>", resolve);
    ASSERT_EQ(list.params.size(), 1u);
    EXPECT_EQ(list.params[0].field_names, std::vector<std::string>{"x"});
    const auto unknown = parse_cql_type("list<frozen<nope>>", resolve);
    EXPECT_FALSE(unknown);
    EXPECT_NE(unknown.error.find("unknown type 'nope'"), std::string::npos) << unknown.error;
    EXPECT_NE(unknown.error.find("offset 12"), std::string::npos) << unknown.error;
}

TEST(cql_type, malformed_strings_say_what_and_where) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "expected a type, found the end at offset 0"},
        {"map<int>", "expected ',' and the value type of the map, found '>' at offset 7"},
        {"list<int", "expected '>' closing list<, found the end at offset 8"},
        {"list<int>>", "unexpected '>' after the type at offset 9"},
        {"int<text>", "unexpected '<'"},
        {"udt<int>", "'udt' takes no type parameters at offset 0"},
        {"tuple<int text>", "expected ',' or '>', found 't' at offset 10"},
        {"vector<float>", "dimension of the vector"},
        {"vector<float, 0>", "vector dimension from 1"},
        {"vector<float, 99999999999>", "vector dimension from 1"},
        {"vector<float, -1>", "vector dimension from 1"},
        {"list<>", "expected a type, found '>' at offset 5"},
        {"'unterminated", "unterminated quoted custom type"},
        {"\"open", "unterminated quoted name"},
        {"\"\"", "empty quoted name"},
        {"ks.", "expected a type, found the end"},
        {"map<int, text", "expected '>' closing map<, found the end"},
        {"list<in$t>", "found '$'"},
    };
    for (const auto& [text, want] : cases) {
        const auto r = parse_cql_type(text);
        EXPECT_FALSE(r) << text;
        EXPECT_NE(r.error.find(want), std::string::npos) << text << " -> " << r.error;
        EXPECT_NE(r.error.find("'" + std::string(text) + "'"), std::string::npos) << r.error;
    }
}

TEST(cql_type, deep_nesting_is_refused) {
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "list<";
    deep += "int";
    for (int i = 0; i < 100; ++i) deep += ">";
    const auto r = parse_cql_type(deep);
    EXPECT_FALSE(r);
    EXPECT_NE(r.error.find("nested more than 64"), std::string::npos) << r.error;
}

}  // namespace

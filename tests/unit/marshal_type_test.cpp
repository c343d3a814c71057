// Cassandra marshal class names (custom types) to data_type.
#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/result_set.hpp>

#include <gtest/gtest.h>

using namespace async_cassandra;
using protocol::parse_marshal_type;
using protocol::protocol_error;

namespace {
const std::string pkg = "org.apache.cassandra.db.marshal.";

std::string error_of(const std::string& name) {
    try {
        (void)parse_marshal_type(name);
    } catch (const protocol_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a protocol_error for " << name;
    return "";
}
}  // namespace

TEST(marshal_type, vector_as_cassandra_5_sends_it) {
    const auto t = parse_marshal_type(pkg + "VectorType(" + pkg + "FloatType , 3)");
    EXPECT_EQ(t.id, type_id::vector);
    ASSERT_EQ(t.params.size(), 1u);
    EXPECT_EQ(t.params[0].id, type_id::float_);
    EXPECT_EQ(t.dimension, 3);
    EXPECT_EQ(to_string(t), "vector<float, 3>");
    const auto vv = parse_marshal_type(pkg + "VectorType(" + pkg + "VectorType(" + pkg + "Int32Type , 2) , 2)");
    EXPECT_EQ(to_string(vv), "vector<vector<int, 2>, 2>");
}

TEST(marshal_type, every_native_class) {
    const std::pair<const char*, type_id> cases[] = {
        {"AsciiType", type_id::ascii},
        {"LongType", type_id::bigint},
        {"BytesType", type_id::blob},
        {"BooleanType", type_id::boolean},
        {"CounterColumnType", type_id::counter},
        {"DecimalType", type_id::decimal},
        {"DoubleType", type_id::double_},
        {"DurationType", type_id::duration},
        {"FloatType", type_id::float_},
        {"InetAddressType", type_id::inet},
        {"Int32Type", type_id::int_},
        {"ShortType", type_id::smallint},
        {"ByteType", type_id::tinyint},
        {"SimpleDateType", type_id::date},
        {"TimeType", type_id::time},
        {"TimestampType", type_id::timestamp},
        {"DateType", type_id::timestamp},
        {"TimeUUIDType", type_id::timeuuid},
        {"UUIDType", type_id::uuid},
        {"UTF8Type", type_id::varchar},
        {"IntegerType", type_id::varint},
    };
    for (const auto& [name, id] : cases) {
        EXPECT_EQ(parse_marshal_type(pkg + name).id, id) << name;
        EXPECT_EQ(parse_marshal_type(name).id, id) << name;  // the package is optional
    }
}

TEST(marshal_type, collections_tuples_frozen_and_reversed) {
    const auto t = parse_marshal_type(pkg + "MapType(" + pkg + "UTF8Type," + pkg + "FrozenType(" + pkg + "ListType(" +
                                      pkg + "Int32Type)))");
    EXPECT_EQ(to_string(t), "map<text, list<int>>");
    EXPECT_EQ(to_string(parse_marshal_type("SetType(ReversedType(LongType))")), "set<bigint>");
    EXPECT_EQ(to_string(parse_marshal_type("TupleType(Int32Type, UTF8Type,BooleanType)")), "tuple<int, text, boolean>");
}

TEST(marshal_type, user_type_names_are_hex) {
    // As sent for vector<frozen<"Addr">, 1> with fields "Street" text, n int.
    const auto t = parse_marshal_type(pkg + "VectorType(" + pkg + "FrozenType(" + pkg +
                                      "UserType(ac_types_probe,41646472,537472656574:" + pkg + "UTF8Type,6e:" + pkg +
                                      "Int32Type)) , 1)");
    ASSERT_EQ(t.id, type_id::vector);
    const auto& u = t.params.at(0);
    EXPECT_EQ(u.id, type_id::udt);
    EXPECT_EQ(u.keyspace, "ac_types_probe");
    EXPECT_EQ(u.name, "Addr");
    EXPECT_EQ(u.field_names, (std::vector<std::string>{"Street", "n"}));
    ASSERT_EQ(u.params.size(), 2u);
    EXPECT_EQ(u.params[0].id, type_id::varchar);
    EXPECT_EQ(u.params[1].id, type_id::int_);
}

TEST(marshal_type, unknown_classes_stay_custom) {
    const auto t = parse_marshal_type("com.example.Foo");
    EXPECT_EQ(t.id, type_id::custom);
    EXPECT_EQ(t.custom_class, "com.example.Foo");
    const std::string dynamic = pkg + "DynamicCompositeType(a=>" + pkg + "BytesType,b=>" + pkg + "UTF8Type)";
    EXPECT_EQ(parse_marshal_type(dynamic).custom_class, dynamic);
    const auto nested = parse_marshal_type("VectorType(com.example.Foo(x(y), z), 2)");
    ASSERT_EQ(nested.id, type_id::vector);
    EXPECT_EQ(nested.params[0].id, type_id::custom);
    EXPECT_EQ(nested.params[0].custom_class, "com.example.Foo(x(y), z)");
}

TEST(marshal_type, malformed_names_are_protocol_errors_with_the_offset) {
    EXPECT_NE(error_of(pkg + "ListType(").find("offset"), std::string::npos);
    EXPECT_NE(error_of("ListType(Int32Type").find("expected ')' at offset 18"), std::string::npos);
    EXPECT_NE(error_of("VectorType(FloatType, 0)").find("dimension"), std::string::npos);
    EXPECT_NE(error_of("VectorType(FloatType, x)").find("dimension"), std::string::npos);
    EXPECT_NE(error_of("VectorType(FloatType, 99999999999)").find("dimension"), std::string::npos);
    EXPECT_NE(error_of("VectorType(FloatType, 3) junk").find("unexpected 'j'"), std::string::npos);
    EXPECT_NE(error_of("MapType(Int32Type)").find("takes 2 type parameter"), std::string::npos);
    EXPECT_NE(error_of("ListType(Int32Type, Int32Type)").find("takes 1"), std::string::npos);
    EXPECT_NE(error_of("UserType(ks,4g,61:Int32Type)").find("not hex"), std::string::npos);
    EXPECT_NE(error_of("UserType(ks,616,61:Int32Type)").find("not hex"), std::string::npos);
    EXPECT_NE(error_of("VectorType(com.example.Foo((x), 2").find("unbalanced"), std::string::npos);
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "ListType(";
    deep += "Int32Type";
    for (int i = 0; i < 100; ++i) deep += ")";
    EXPECT_NE(error_of(deep).find("nested more than 64 levels"), std::string::npos);
}

TEST(marshal_type, a_vector_column_in_rows_metadata) {
    protocol::byte_buffer body;
    protocol::byte_writer w(body);
    w.i32(2);  // rows
    w.i32(protocol::rows_flags::global_tables_spec);
    w.i32(1);
    w.string("ks");
    w.string("t");
    w.string("v");
    w.u16(0x0000);  // custom
    w.string(pkg + "VectorType(" + pkg + "FloatType , 2)");
    w.i32(1);
    w.i32(8);
    for (auto b : {0x3f, 0x80, 0, 0, 0x40, 0, 0, 0}) w.u8(static_cast<std::uint8_t>(b));
    auto rs = result_set::from_body(std::move(body), 0, 5);
    EXPECT_EQ(to_string(rs.columns()[0].type), "vector<float, 2>");
    EXPECT_EQ((rs.first_row().get<std::array<float, 2>>("v")), (std::array<float, 2>{1.0f, 2.0f}));
}

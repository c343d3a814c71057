// Collections, tuples, UDTs and vectors, byte for byte (spec 5.12-5.14,
// 5.21, 5.25, 6), and every malformed cell an error rather than a crash.
#include "value_test_util.hpp"

#include <list>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

using namespace value_test;
namespace ac = async_cassandra;

namespace {
struct point {
    std::int32_t x = 0;
    std::optional<std::int32_t> y;
    bool operator==(const point&) const = default;
};
struct address {
    std::string street;
    std::optional<point> where;
    std::vector<std::string> tags;
    bool operator==(const address&) const = default;
};
struct only_y {
    std::optional<std::int32_t> y;
};
}  // namespace

template <>
struct async_cassandra::udt_traits<point> {
    static constexpr auto fields = std::make_tuple(udt_field("x", &point::x), udt_field("y", &point::y));
};
template <>
struct async_cassandra::udt_traits<only_y> {
    static constexpr auto fields = std::make_tuple(udt_field("y", &only_y::y));
};
template <>
struct async_cassandra::udt_traits<address> {
    static constexpr std::string_view name = "address";
    static constexpr auto fields = std::make_tuple(
        udt_field("street", &address::street), udt_field("where", &address::where), udt_field("tags", &address::tags));
};

namespace {
data_type point_type() { return udt_of("point", {{"x", type(type_id::int_)}, {"y", type(type_id::int_)}}); }
data_type address_type() {
    return udt_of(
        "address",
        {{"street", type(type_id::varchar)}, {"where", point_type()}, {"tags", list_of(type(type_id::varchar))}});
}
}  // namespace

TEST(value_composites, list_and_set_are_a_count_then_bytes_items) {
    EXPECT_EQ(encoded(std::vector<std::int32_t>{1, 2}),
              "00000002"
              "00000004"
              "00000001"
              "00000004"
              "00000002");
    EXPECT_EQ(encoded(std::vector<std::int32_t>{}), "00000000");
    EXPECT_EQ(encoded(std::list<std::string>{"a", ""}),
              "00000002"
              "00000001"
              "61"
              "00000000");
    EXPECT_EQ(encoded(std::set<std::string>{"b", "a"}),
              "00000002"
              "00000001"
              "61"
              "00000001"
              "62");
    EXPECT_EQ(encoded(std::vector<std::optional<std::int32_t>>{1, std::nullopt}),
              "00000002"
              "00000004"
              "00000001"
              "ffffffff");
    EXPECT_EQ(encoded(std::unordered_set<std::int8_t>{5}),
              "00000001"
              "00000001"
              "05");

    const auto li = list_of(type(type_id::int_));
    const auto cell = hex(
        "00000002"
        "00000004"
        "00000001"
        "00000004"
        "00000002");
    EXPECT_EQ(decoded<std::vector<std::int32_t>>(li, cell), (std::vector<std::int32_t>{1, 2}));
    EXPECT_EQ(decoded<std::list<std::int32_t>>(li, cell), (std::list<std::int32_t>{1, 2}));
    EXPECT_EQ(decoded<std::set<std::int32_t>>(set_of(type(type_id::int_)), cell), (std::set<std::int32_t>{1, 2}));
    EXPECT_EQ(decoded<std::unordered_set<std::int32_t>>(li, cell).size(), 2u);
    EXPECT_TRUE(decoded<std::vector<std::int32_t>>(li, hex("00000000")).empty());
    const auto with_null = hex(
        "00000002"
        "00000004"
        "00000001"
        "ffffffff");
    EXPECT_EQ(decoded<std::vector<std::optional<std::int32_t>>>(li, with_null),
              (std::vector<std::optional<std::int32_t>>{1, std::nullopt}));
    EXPECT_NE(error_of([&] { (void)decoded<std::vector<std::int32_t>>(li, with_null); }).find("element 1: null"),
              std::string::npos);
}

TEST(value_composites, map_is_a_count_then_key_value_pairs) {
    EXPECT_EQ(encoded(std::map<std::string, std::int32_t>{{"a", 1}}),
              "00000001"
              "00000001"
              "61"
              "00000004"
              "00000001");
    EXPECT_EQ(encoded(std::unordered_map<std::int32_t, std::optional<bool>>{{7, std::nullopt}}),
              "00000001"
              "00000004"
              "00000007"
              "ffffffff");
    const auto t = map_of(type(type_id::varchar), type(type_id::int_));
    const auto cell = hex(
        "00000002"
        "00000001"
        "61"
        "00000004"
        "00000001"
        "00000001"
        "62"
        "00000004"
        "00000002");
    EXPECT_EQ((decoded<std::map<std::string, std::int32_t>>(t, cell)),
              (std::map<std::string, std::int32_t>{{"a", 1}, {"b", 2}}));
    EXPECT_EQ((decoded<std::unordered_map<std::string_view, std::int32_t>>(t, cell).at("b")), 2);
}

TEST(value_composites, nested_collections_round_trip) {
    using nested = std::map<std::string, std::vector<std::optional<std::int32_t>>>;
    const nested v{{"a", {1, std::nullopt, 3}}, {"", {}}};
    const auto t = map_of(type(type_id::varchar), list_of(type(type_id::int_)));
    const auto e = ac::encode_value(v);
    const bytes cell(e.bytes().begin(), e.bytes().end());
    EXPECT_EQ(to_hex(cell),
              "00000002"
              "00000000"
              ""
              "00000004"
              "00000000"
              "00000001"
              "61"
              "00000018"
              "00000003"
              "00000004"
              "00000001"
              "ffffffff"
              "00000004"
              "00000003");
    EXPECT_EQ(decoded<nested>(t, cell), v);
}

TEST(value_composites, tuple_is_its_components_as_bytes) {
    EXPECT_EQ(encoded(std::make_tuple(std::int32_t{1}, std::string("a"))),
              "00000004"
              "00000001"
              "00000001"
              "61");
    EXPECT_EQ(encoded(std::tuple<std::int32_t, std::optional<std::string>>{1, std::nullopt}),
              "00000004"
              "00000001"
              "ffffffff");
    EXPECT_EQ(encoded(std::make_tuple("x", 1.5f)),
              "00000001"
              "78"
              "00000004"
              "3fc00000");
    const auto t = tuple_of({type(type_id::int_), type(type_id::varchar)});
    using tup = std::tuple<std::int32_t, std::optional<std::string>>;
    EXPECT_EQ(decoded<tup>(t, hex("00000004"
                                  "00000001"
                                  "00000001"
                                  "61")),
              (tup{1, "a"}));
    EXPECT_EQ(decoded<tup>(t, hex("00000004"
                                  "00000001"
                                  "ffffffff")),
              (tup{1, std::nullopt}));
    // A tuple cell may stop early: the missing components are null.
    EXPECT_EQ(decoded<tup>(t, hex("00000004"
                                  "00000001")),
              (tup{1, std::nullopt}));
    EXPECT_THROW((void)decoded<tup>(t, hex("00000004"
                                           "00000001"
                                           "ffffffff"
                                           "ffffffff")),
                 ac::value_error);
}

TEST(value_composites, udt_is_its_fields_as_bytes_in_order) {
    const address a{"Main St", point{1, std::nullopt}, {"home"}};
    EXPECT_EQ(encoded(a),
              "00000007"
              "4d61696e205374"
              "0000000c"
              "00000004"
              "00000001"
              "ffffffff"
              "0000000c"
              "00000001"
              "00000004"
              "686f6d65");
    const auto t = address_type();
    const auto cell = hex(
        "00000007"
        "4d61696e205374"
        "0000000c"
        "00000004"
        "00000001"
        "ffffffff"
        "0000000c"
        "00000001"
        "00000004"
        "686f6d65");
    EXPECT_EQ(decoded<address>(t, cell), a);
    // Fewer values than fields: the rest are null.
    const auto partial = decoded<address>(t, hex("00000001"
                                                 "78"));
    EXPECT_EQ(partial.street, "x");
    EXPECT_FALSE(partial.where.has_value());
    EXPECT_TRUE(partial.tags.empty());  // Cassandra stores an empty collection as null
}

TEST(value_composites, vector_of_fixed_size_elements_is_concatenated) {
    EXPECT_EQ(encoded(std::array<float, 3>{1.0f, 2.0f, 3.0f}),
              "3f800000"
              "40000000"
              "40400000");
    EXPECT_EQ(encoded(std::array<std::int64_t, 1>{2}), "0000000000000002");
    EXPECT_EQ(encoded(std::array<bool, 2>{true, false}), "0100");
    EXPECT_EQ(encoded(std::array<std::array<std::int32_t, 2>, 2>{{{1, 2}, {3, 4}}}),
              "00000001"
              "00000002"
              "00000003"
              "00000004");
    const auto t = vector_of(type(type_id::float_), 3);
    EXPECT_EQ((decoded<std::array<float, 3>>(t, hex("3f800000"
                                                    "40000000"
                                                    "40400000"))),
              (std::array<float, 3>{1.0f, 2.0f, 3.0f}));
    EXPECT_EQ((decoded<std::vector<float>>(t, hex("3f800000"
                                                  "40000000"
                                                  "40400000"))),
              (std::vector<float>{1.0f, 2.0f, 3.0f}));
    const auto vv = vector_of(vector_of(type(type_id::int_), 2), 2);
    EXPECT_EQ((decoded<std::array<std::array<std::int32_t, 2>, 2>>(vv, hex("00000001"
                                                                           "00000002"
                                                                           "00000003"
                                                                           "00000004"))),
              (std::array<std::array<std::int32_t, 2>, 2>{{{1, 2}, {3, 4}}}));
}

TEST(value_composites, vector_of_variable_size_elements_has_vint_sizes) {
    // As Cassandra 5.0 writes them (checked against the server): each element
    // after its [unsigned vint] size.
    EXPECT_EQ(encoded(std::array<std::string, 2>{"ab", "c"}),
              "02"
              "6162"
              "01"
              "63");
    EXPECT_EQ(encoded(std::array<std::int16_t, 2>{1, 2}),
              "02"
              "0001"
              "02"
              "0002");
    EXPECT_EQ(encoded(std::array<std::vector<std::int32_t>, 1>{{{1, 2}}}),
              "14"
              "00000002"
              "00000004"
              "00000001"
              "00000004"
              "00000002");
    EXPECT_EQ(encoded(std::array<point, 1>{point{1, 2}}),
              "10"
              "00000004"
              "00000001"
              "00000004"
              "00000002");
    const std::string long_text(200, 'a');
    EXPECT_EQ(encoded(std::array<std::string, 1>{long_text}).substr(0, 6), "80c861");
    const auto t = vector_of(type(type_id::varchar), 2);
    EXPECT_EQ((decoded<std::array<std::string, 2>>(t, hex("02"
                                                          "6162"
                                                          "01"
                                                          "63"))),
              (std::array<std::string, 2>{"ab", "c"}));
    EXPECT_EQ((decoded<std::array<std::string, 2>>(t, hex("00"
                                                          "00"))),
              (std::array<std::string, 2>{"", ""}));
    bytes long_cell = hex("80c8");
    long_cell.resize(2 + 200, std::byte{'a'});
    long_cell.push_back(std::byte{0});
    EXPECT_EQ((decoded<std::array<std::string, 2>>(t, long_cell))[0], long_text);
}

TEST(value_composites, type_checks_are_recursive_and_name_both_types) {
    const auto lt = list_of(type(type_id::varchar));
    const auto cell = hex(
        "00000001"
        "00000001"
        "61");
    const auto m = error_of([&] { (void)decoded<std::vector<std::int32_t>>(lt, cell); });
    EXPECT_NE(m.find("list<text>"), std::string::npos) << m;
    EXPECT_NE(m.find("std::vector<std::int32_t>"), std::string::npos) << m;
    EXPECT_EQ(decoded<std::vector<std::string>>(lt, cell), std::vector<std::string>{"a"});
    const auto mt = map_of(type(type_id::varchar), type(type_id::int_));
    EXPECT_THROW((void)(decoded<std::map<std::string, std::int64_t>>(mt, hex("00000000"))), ac::value_error);
    EXPECT_THROW((void)(decoded<std::map<std::int32_t, std::int32_t>>(mt, hex("00000000"))), ac::value_error);
    EXPECT_THROW((void)(decoded<std::vector<std::string>>(mt, hex("00000000"))), ac::value_error);
    const auto tt = tuple_of({type(type_id::int_), type(type_id::varchar)});
    EXPECT_THROW((void)(decoded<std::tuple<std::int32_t>>(tt, hex("00000004"
                                                                  "00000001"))),
                 ac::value_error);
    EXPECT_THROW((void)(decoded<std::tuple<std::int32_t, std::int32_t>>(tt, hex("00000004"
                                                                                "00000001"))),
                 ac::value_error);
    const auto vt = vector_of(type(type_id::float_), 3);
    EXPECT_THROW((void)(decoded<std::array<float, 4>>(vt, hex("3f800000"
                                                              "40000000"
                                                              "40400000"))),
                 ac::value_error);
    EXPECT_THROW((void)(decoded<std::array<double, 3>>(vt, hex("3f800000"
                                                               "40000000"
                                                               "40400000"))),
                 ac::value_error);
    // A struct field the UDT lacks, or of another type.
    const auto other = udt_of("point", {{"x", type(type_id::int_)}, {"z", type(type_id::int_)}});
    const auto um = error_of([&] { (void)decoded<point>(other, hex("")); });
    EXPECT_NE(um.find("ks.point"), std::string::npos) << um;
    EXPECT_NE(um.find("struct {x: std::int32_t, y: std::optional<std::int32_t>}"), std::string::npos) << um;
    const auto wrong = udt_of("point", {{"x", type(type_id::bigint)}, {"y", type(type_id::int_)}});
    EXPECT_THROW((void)decoded<point>(wrong, hex("")), ac::value_error);
    EXPECT_NE(error_of([&] { (void)decoded<address>(point_type(), hex("")); }).find("address"), std::string::npos);
}

TEST(value_composites, malformed_cells_are_errors_saying_what_and_where) {
    const auto li = list_of(type(type_id::int_));
    auto err = [&](const data_type& t, std::string_view h) {
        return error_of([&] { (void)decoded<std::vector<std::optional<std::int32_t>>>(t, hex(h)); });
    };
    // A count the bytes cannot hold: refused before anything is allocated.
    EXPECT_NE(err(li,
                  "7fffffff"
                  "00000004")
                  .find("cannot fit"),
              std::string::npos);
    EXPECT_NE(err(li, "ffffffff").find("negative count"), std::string::npos);
    EXPECT_NE(err(li, "000001").find("4-byte count"), std::string::npos);
    EXPECT_NE(err(li,
                  "00000001"
                  "fffffffe")
                  .find("invalid length -2"),
              std::string::npos);
    EXPECT_NE(err(li,
                  "00000001"
                  "00000005"
                  "00000001")
                  .find("exceeds"),
              std::string::npos);
    EXPECT_NE(err(li,
                  "00000002"
                  "00000004"
                  "00000001"
                  "0000")
                  .find("4-byte length"),
              std::string::npos);
    EXPECT_NE(err(li,
                  "00000001"
                  "00000004"
                  "00000001"
                  "00")
                  .find("after the last item"),
              std::string::npos);
    EXPECT_NE(err(li,
                  "00000000"
                  "00")
                  .find("after the last item"),
              std::string::npos);
    EXPECT_NE(err(li,
                  "00000001"
                  "00000003"
                  "000001")
                  .find("element 0: expected 4 bytes"),
              std::string::npos);

    const auto mt = map_of(type(type_id::int_), type(type_id::int_));
    EXPECT_THROW((void)(decoded<std::map<std::int32_t, std::int32_t>>(mt, hex("00000001"
                                                                              "00000004"
                                                                              "00000001"))),
                 ac::value_error);
    EXPECT_THROW((void)(decoded<std::map<std::int32_t, std::int32_t>>(mt, hex("10000000"
                                                                              "00000000"
                                                                              "00000000"))),
                 ac::value_error);

    const auto vf = vector_of(type(type_id::float_), 3);
    EXPECT_NE(error_of([&] {
                  (void)decoded<std::array<float, 3>>(vf, hex("3f800000"
                                                              "40000000"));
              }).find("expected 3"),
              std::string::npos);
    const auto vt = vector_of(type(type_id::varchar), 2);
    using strs = std::array<std::string, 2>;
    EXPECT_THROW((void)decoded<strs>(vt, hex("02"
                                             "6162"
                                             "05"
                                             "63")),
                 ac::value_error);  // size past the end
    EXPECT_THROW((void)decoded<strs>(vt, hex("02"
                                             "6162"
                                             "c3e8")),
                 ac::value_error);  // truncated vint
    EXPECT_THROW((void)decoded<strs>(vt, hex("02"
                                             "6162"
                                             "01"
                                             "63"
                                             "00")),
                 ac::value_error);                                      // trailing
    EXPECT_THROW((void)decoded<strs>(vt, hex("00")), ac::value_error);  // too few bytes
    const auto huge = vector_of(type(type_id::varchar), 0x7fffffff);
    EXPECT_THROW((void)decoded<std::vector<std::string>>(huge, hex("0000")), ac::value_error);

    const auto tt = tuple_of({type(type_id::int_)});
    EXPECT_THROW((void)(decoded<std::tuple<std::int32_t>>(tt, hex("00000004"
                                                                  "000000"))),
                 ac::value_error);
    EXPECT_THROW((void)decoded<point>(point_type(), hex("00000004"
                                                        "00000001"
                                                        "00000004"
                                                        "00000002"
                                                        "00")),
                 ac::value_error);
}

TEST(value_composites, every_truncation_of_a_nested_cell_is_an_error) {
    using nested = std::map<std::string, std::vector<std::optional<std::int32_t>>>;
    const nested v{{"key", {1, std::nullopt, 3}}, {"k2", {}}};
    const auto t = map_of(type(type_id::varchar), list_of(type(type_id::int_)));
    const auto e = ac::encode_value(v);
    const bytes full(e.bytes().begin(), e.bytes().end());
    for (std::size_t n = 0; n < full.size(); ++n) {
        const bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_THROW((void)decoded<nested>(t, cut), ac::value_error) << n;
        const ac::value_view view(t, std::span<const std::byte>(cut));
        auto walk = [&] {
            for (const auto& [k, val] : view.entries()) {
                (void)k.as<std::string_view>();
                for (auto x : val.elements()) (void)x.as<std::optional<std::int32_t>>();
            }
        };
        EXPECT_THROW(walk(), ac::value_error) << n;
    }
    EXPECT_EQ(decoded<nested>(t, full), v);
}

TEST(value_composites, a_struct_needs_only_the_fields_it_lists) {
    const auto t = point_type();
    const auto cell = hex(
        "00000004"
        "00000001"
        "00000004"
        "00000002");
    EXPECT_EQ(decoded<only_y>(t, cell).y, 2);
    EXPECT_EQ(decoded<point>(t, cell), (point{1, 2}));
    // Null fields need std::optional members; null collections read as empty.
    const auto nulls = hex(
        "ffffffff"
        "ffffffff");
    EXPECT_EQ(decoded<only_y>(t, nulls).y, std::nullopt);
    EXPECT_NE(error_of([&] { (void)decoded<point>(t, nulls); }).find("field 'x': null"), std::string::npos);
}

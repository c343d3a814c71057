// The value formatter: every CQL type in the table, CSV and JSON styles,
// and the escaping each style needs.
#include "format.hpp"
#include "test_types.hpp"

#include <async_cassandra/date_time.hpp>
#include <async_cassandra/decimal.hpp>
#include <async_cassandra/duration.hpp>
#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/uuid.hpp>
#include <async_cassandra/value_codec.hpp>
#include <async_cassandra/varint.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace ac = async_cassandra;
using ac::data_type;
using ac::type_id;
using cql_test::type;
using cql_tool::value_style;

namespace {

// The value's text in the three styles.
struct texts {
    std::string table, csv, json;
};

texts all_styles(const data_type& t, const ac::encoded_value& v) {
    const ac::value_view view = v.is_null() ? ac::value_view(t, std::nullopt) : ac::value_view(t, v.bytes());
    return {cql_tool::format_value(view, value_style::table), cql_tool::format_value(view, value_style::csv),
            cql_tool::format_value(view, value_style::json)};
}

template <class T>
texts all_styles(const data_type& t, const T& value) {
    return all_styles(t, ac::encode_value(value));
}

void expect(const texts& got, const std::string& table, const std::string& csv, const std::string& json) {
    EXPECT_EQ(got.table, table);
    EXPECT_EQ(got.csv, csv);
    EXPECT_EQ(got.json, json);
}

std::vector<std::byte> raw(std::initializer_list<int> bytes) {
    std::vector<std::byte> out;
    for (int b : bytes) out.push_back(static_cast<std::byte>(b));
    return out;
}

}  // namespace

TEST(cql_format, text_types) {
    expect(all_styles(type(type_id::varchar), std::string("héllo")), "héllo", "héllo", "\"héllo\"");
    expect(all_styles(type(type_id::ascii), std::string("it's")), "it's", "it's", "\"it's\"");
    // Control characters: escaped in a table cell, raw for CSV (the writer quotes), JSON escapes.
    expect(all_styles(type(type_id::varchar), std::string("a\nb\t\"c\\\x01")), "a\\nb\\t\"c\\\\x01", "a\nb\t\"c\\\x01",
           "\"a\\nb\\t\\\"c\\\\\\u0001\"");
    expect(all_styles(type(type_id::varchar), std::string()), "", "", "\"\"");
}

TEST(cql_format, integers_and_counters) {
    expect(all_styles(type(type_id::tinyint), std::int8_t{-128}), "-128", "-128", "-128");
    expect(all_styles(type(type_id::smallint), std::int16_t{32767}), "32767", "32767", "32767");
    expect(all_styles(type(type_id::int_), std::int32_t{-2147483647 - 1}), "-2147483648", "-2147483648", "-2147483648");
    expect(all_styles(type(type_id::bigint), std::int64_t{9223372036854775807}), "9223372036854775807",
           "9223372036854775807", "9223372036854775807");
    expect(all_styles(type(type_id::counter), std::int64_t{-5}), "-5", "-5", "-5");
    expect(all_styles(type(type_id::varint), ac::varint::parse("-123456789012345678901234567890")),
           "-123456789012345678901234567890", "-123456789012345678901234567890", "-123456789012345678901234567890");
    expect(all_styles(type(type_id::decimal), ac::decimal::parse("-12.3450")), "-12.3450", "-12.3450", "-12.3450");
    expect(all_styles(type(type_id::decimal), ac::decimal::parse("1.5E-9")), "1.5E-9", "1.5E-9", "1.5E-9");
}

TEST(cql_format, booleans_and_floating_point) {
    expect(all_styles(type(type_id::boolean), true), "true", "true", "true");
    expect(all_styles(type(type_id::boolean), false), "false", "false", "false");
    expect(all_styles(type(type_id::float_), 1.1f), "1.1", "1.1", "1.1");  // shortest round-trip text
    expect(all_styles(type(type_id::double_), 0.1), "0.1", "0.1", "0.1");
    expect(all_styles(type(type_id::double_), -2.5e300), "-2.5e+300", "-2.5e+300", "-2.5e+300");
    // JSON has no NaN or infinities: they become strings there.
    expect(all_styles(type(type_id::double_), std::numeric_limits<double>::quiet_NaN()), "NaN", "NaN", "\"NaN\"");
    expect(all_styles(type(type_id::float_), -std::numeric_limits<float>::infinity()), "-Infinity", "-Infinity",
           "\"-Infinity\"");
}

TEST(cql_format, dates_and_times) {
    using namespace std::chrono;
    const sys_time<milliseconds> ts = sys_days(year(2024) / 2 / 29) + hours(13) + minutes(45) + seconds(1) +
                                      milliseconds(250);
    expect(all_styles(type(type_id::timestamp), ts), "2024-02-29 13:45:01.250Z", "2024-02-29 13:45:01.250Z",
           "\"2024-02-29 13:45:01.250Z\"");
    expect(all_styles(type(type_id::timestamp), sys_time<milliseconds>(milliseconds(-1))), "1969-12-31 23:59:59.999Z",
           "1969-12-31 23:59:59.999Z", "\"1969-12-31 23:59:59.999Z\"");
    // Beyond year 9999: milliseconds since the epoch, as a number would not fit the pattern.
    expect(all_styles(type(type_id::timestamp), std::int64_t{300000000000000}), "300000000000000", "300000000000000",
           "\"300000000000000\"");
    expect(all_styles(type(type_id::date), sys_days(year(1999) / 12 / 31)), "1999-12-31", "1999-12-31",
           "\"1999-12-31\"");
    expect(all_styles(type(type_id::time), nanoseconds(hours(23) + minutes(5) + seconds(7) + nanoseconds(42))),
           "23:05:07.000000042", "23:05:07.000000042", "\"23:05:07.000000042\"");
    expect(all_styles(type(type_id::duration), ac::duration{14, 3, 3'600'000'000'000}), "1y2mo3d1h", "1y2mo3d1h",
           "\"1y2mo3d1h\"");
}

TEST(cql_format, identifiers_addresses_and_bytes) {
    const auto id = ac::uuid::parse("550e8400-e29b-41d4-a716-446655440000");
    expect(all_styles(type(type_id::uuid), id), "550e8400-e29b-41d4-a716-446655440000",
           "550e8400-e29b-41d4-a716-446655440000", "\"550e8400-e29b-41d4-a716-446655440000\"");
    const auto tid = ac::uuid::parse("d2177dd0-eaa2-11de-a572-001b779c76e3");
    expect(all_styles(type(type_id::timeuuid), tid), "d2177dd0-eaa2-11de-a572-001b779c76e3",
           "d2177dd0-eaa2-11de-a572-001b779c76e3", "\"d2177dd0-eaa2-11de-a572-001b779c76e3\"");
    expect(all_styles(type(type_id::inet), ac::inet_address::parse("10.0.0.1")), "10.0.0.1", "10.0.0.1",
           "\"10.0.0.1\"");
    expect(all_styles(type(type_id::inet), ac::inet_address::parse("2001:db8::1")), "2001:db8::1", "2001:db8::1",
           "\"2001:db8::1\"");
    expect(all_styles(type(type_id::blob), raw({0x00, 0xab, 0xff})), "0x00abff", "0x00abff", "\"0x00abff\"");
    expect(all_styles(type(type_id::blob), std::vector<std::byte>{}), "0x", "0x", "\"0x\"");
    // A custom type we cannot interpret shows its bytes.
    data_type custom = type(type_id::custom);
    custom.custom_class = "org.example.Thing";
    expect(all_styles(custom, raw({0x01, 0x02})), "0x0102", "0x0102", "\"0x0102\"");
}

TEST(cql_format, null_at_top_level_and_nested) {
    expect(all_styles(type(type_id::int_), ac::encoded_value::null_value()), "null", "", "null");
    expect(all_styles(type(type_id::varchar), ac::encoded_value::null_value()), "null", "", "null");
    const auto l = type(type_id::list, {type(type_id::int_)});
    expect(all_styles(l, std::vector<std::optional<std::int32_t>>{1, std::nullopt}), "[1, null]", "[1, null]",
           "[1,null]");
}

TEST(cql_format, collections) {
    const auto text = type(type_id::varchar);
    expect(all_styles(type(type_id::list, {text}), std::vector<std::string>{"a", "it's", "x,y"}),
           "['a', 'it''s', 'x,y']", "['a', 'it''s', 'x,y']", "[\"a\",\"it's\",\"x,y\"]");
    expect(all_styles(type(type_id::set, {type(type_id::int_)}), std::set<std::int32_t>{3, 1, 2}), "{1, 2, 3}",
           "{1, 2, 3}", "[1,2,3]");
    expect(all_styles(type(type_id::list, {type(type_id::int_)}), std::vector<std::int32_t>{}), "[]", "[]", "[]");
    expect(all_styles(type(type_id::map, {text, type(type_id::int_)}),
                      std::map<std::string, std::int32_t>{{"a", 1}, {"b\"", 2}}),
           "{'a': 1, 'b\"': 2}", "{'a': 1, 'b\"': 2}", "{\"a\":1,\"b\\\"\":2}");
    // JSON object keys must be strings: other key types go as their CQL text.
    expect(all_styles(type(type_id::map, {type(type_id::int_), type(type_id::boolean)}),
                      std::map<std::int32_t, bool>{{1, true}, {20, false}}),
           "{1: true, 20: false}", "{1: true, 20: false}", "{\"1\":true,\"20\":false}");
    // Nested timestamps, dates, times and inets are quoted literals in CQL, as cqlsh shows them.
    using namespace std::chrono;
    expect(all_styles(type(type_id::list, {type(type_id::date)}), std::vector<sys_days>{sys_days(year(2000) / 1 / 2)}),
           "['2000-01-02']", "['2000-01-02']", "[\"2000-01-02\"]");
    // Nested text in a table cell keeps its control characters escaped.
    expect(all_styles(type(type_id::list, {text}), std::vector<std::string>{"a\nb"}), "['a\\nb']", "['a\nb']",
           "[\"a\\nb\"]");
    // Frozen collections inside collections.
    const auto nested = type(type_id::map, {text, type(type_id::list, {type(type_id::int_)})});
    expect(all_styles(nested, std::map<std::string, std::vector<std::int32_t>>{{"k", {1, 2}}}), "{'k': [1, 2]}",
           "{'k': [1, 2]}", "{\"k\":[1,2]}");
}

TEST(cql_format, tuples_udts_and_vectors) {
    const auto tup = type(type_id::tuple, {type(type_id::int_), type(type_id::varchar), type(type_id::boolean)});
    expect(all_styles(tup, std::make_tuple(std::int32_t{7}, std::string("seven"), std::optional<bool>())),
           "(7, 'seven', null)", "(7, 'seven', null)", "[7,\"seven\",null]");

    data_type udt = type(type_id::udt, {type(type_id::int_), type(type_id::varchar)});
    udt.keyspace = "ks";
    udt.name = "point";
    udt.field_names = {"x", "label"};
    // A UDT's bytes are a tuple's.
    expect(all_styles(udt, std::make_tuple(std::int32_t{5}, std::string("five"))), "{x: 5, label: 'five'}",
           "{x: 5, label: 'five'}", "{\"x\":5,\"label\":\"five\"}");

    data_type vec = type(type_id::vector, {type(type_id::float_)});
    vec.dimension = 3;
    expect(all_styles(vec, std::array<float, 3>{1.5f, -2.0f, 0.25f}), "[1.5, -2, 0.25]", "[1.5, -2, 0.25]",
           "[1.5,-2,0.25]");
    data_type tvec = type(type_id::vector, {type(type_id::varchar)});
    tvec.dimension = 2;
    expect(all_styles(tvec, std::array<std::string, 2>{"a", "b"}), "['a', 'b']", "['a', 'b']", "[\"a\",\"b\"]");
}

TEST(cql_format, malformed_bytes_become_a_note_not_an_exception) {
    const auto got = all_styles(type(type_id::int_), raw({0x01, 0x02}));
    EXPECT_EQ(got.table.rfind("<malformed int: ", 0), 0u) << got.table;
    EXPECT_EQ(got.json.front(), '"');  // still valid JSON
    EXPECT_EQ(got.json.back(), '"');
    const auto list = all_styles(type(type_id::list, {type(type_id::int_)}), raw({0x00, 0x00, 0x00, 0x05}));
    EXPECT_EQ(list.table.rfind("<malformed list<int>: ", 0), 0u) << list.table;
}

TEST(cql_format, json_strings_escape_and_repair_utf8) {
    std::string out;
    cql_tool::append_json_string(out, std::string_view("q\"b\\s/\b\f\r\x1f\x7f", 11));
    EXPECT_EQ(out, "\"q\\\"b\\\\s/\\b\\f\\r\\u001f\x7f\"");
    out.clear();
    cql_tool::append_json_string(out, "ok \xe2\x82\xac \xf0\x9f\x98\x80");  // euro sign, emoji: kept
    EXPECT_EQ(out, "\"ok \xe2\x82\xac \xf0\x9f\x98\x80\"");
    out.clear();
    // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate: each byte -> U+FFFD.
    cql_tool::append_json_string(out,
                                 "a\x80"
                                 "b\xe2\x82"
                                 "c\xc0\xaf"
                                 "d\xed\xa0\x80");
    EXPECT_EQ(out,
              "\"a\xef\xbf\xbd"
              "b\xef\xbf\xbd\xef\xbf\xbd"
              "c\xef\xbf\xbd\xef\xbf\xbd"
              "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    out.clear();
    cql_tool::append_json_string(out, std::string_view("\0", 1));
    EXPECT_EQ(out, "\"\\u0000\"");
}

TEST(cql_format, csv_fields_quote_only_when_needed) {
    const auto csv = [](std::string_view s) {
        std::string out;
        cql_tool::append_csv_field(out, s);
        return out;
    };
    EXPECT_EQ(csv("plain"), "plain");
    EXPECT_EQ(csv("a,b"), "\"a,b\"");
    EXPECT_EQ(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv("cr\r"), "\"cr\r\"");
    EXPECT_EQ(csv(" padded"), "\" padded\"");
    EXPECT_EQ(csv(""), "");
}

TEST(cql_format, display_width_counts_code_points) {
    EXPECT_EQ(cql_tool::display_width("abc"), 3u);
    EXPECT_EQ(cql_tool::display_width("h\xc3\xa9llo"), 5u);
    EXPECT_EQ(cql_tool::display_width("\xe2\x82\xac"), 1u);
    EXPECT_TRUE(cql_tool::is_numeric(type(type_id::decimal)));
    EXPECT_FALSE(cql_tool::is_numeric(type(type_id::varchar)));
}

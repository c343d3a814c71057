// Every CQL type written with bound values and read back from the real node,
// under v5 and v4, with and without LZ4. The values travel in simple
// statements, so the server parses them by the column types: the encoding
// must be exact.
#include "test_env.hpp"


#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace ac = async_cassandra;
using asio::awaitable;
using namespace std::chrono;

namespace {
struct point {
    std::int32_t x = 0;
    std::optional<std::int32_t> y;
    bool operator==(const point&) const = default;
};
struct address {
    std::string street;
    std::optional<std::int32_t> zip;
    std::optional<point> location;
    std::vector<std::string> tags;
    bool operator==(const address&) const = default;
};
}  // namespace

template <>
struct async_cassandra::udt_traits<point> {
    static constexpr auto fields = std::make_tuple(udt_field("x", &point::x), udt_field("y", &point::y));
};
template <>
struct async_cassandra::udt_traits<address> {
    static constexpr std::string_view name = "address";
    static constexpr auto fields = std::make_tuple(
        udt_field("street", &address::street), udt_field("zip", &address::zip),
        udt_field("location", &address::location), udt_field("tags", &address::tags));
};

namespace {

struct protocol_case {
    int version;
    bool lz4;
};
std::string name_of(const ::testing::TestParamInfo<protocol_case>& i) {
    return "v" + std::to_string(i.param.version) + (i.param.lz4 ? "_lz4" : "");
}

using ms_time = sys_time<milliseconds>;
using nested_map = std::map<std::string, std::vector<std::int32_t>>;
using tuple_t = std::tuple<std::int32_t, std::optional<std::string>, std::vector<std::int32_t>>;

// One row of the all-types table, as C++ values.
struct all_types {
    std::int32_t k = 0;
    std::string c_ascii;
    std::int64_t c_bigint = 0;
    std::vector<std::byte> c_blob;
    bool c_boolean = false;
    ac::date c_date;
    ac::decimal c_decimal;
    double c_double = 0;
    ac::duration c_duration;
    float c_float = 0;
    ac::inet_address c_inet4, c_inet6;
    std::int32_t c_int = 0;
    std::int16_t c_smallint = 0;
    std::string c_text;
    nanoseconds c_time{0};
    ms_time c_timestamp;
    ac::uuid c_timeuuid;
    std::int8_t c_tinyint = 0;
    ac::uuid c_uuid;
    ac::varint c_varint;
    std::vector<std::int32_t> c_list;
    std::set<std::string> c_set;
    std::map<std::string, std::int32_t> c_map;
    nested_map c_frozen_map;
    std::vector<std::set<std::int32_t>> c_list_of_sets;
    tuple_t c_tuple;
    address c_udt;
    std::array<float, 3> c_vec_float{};
    std::array<std::string, 2> c_vec_text;
    std::array<std::int16_t, 2> c_vec_smallint{};
};

constexpr const char* columns =
    "k, c_ascii, c_bigint, c_blob, c_boolean, c_date, c_decimal, c_double, c_duration, c_float, c_inet4, c_inet6, "
    "c_int, c_smallint, c_text, c_time, c_timestamp, c_timeuuid, c_tinyint, c_uuid, c_varint, c_list, c_set, c_map, "
    "c_frozen_map, c_list_of_sets, c_tuple, c_udt, c_vec_float, c_vec_text, c_vec_smallint";
constexpr int column_count = 31;

std::string insert_query() {
    std::string q = std::string("INSERT INTO all_types (") + columns + ") VALUES (?";
    for (int i = 1; i < column_count; ++i) q += ", ?";
    return q + ")";
}

ac::statement insert_of(const all_types& v) {
    ac::statement st(insert_query());
    st.bind(v.k, v.c_ascii, v.c_bigint, v.c_blob, v.c_boolean, v.c_date, v.c_decimal, v.c_double, v.c_duration,
            v.c_float, v.c_inet4, v.c_inet6, v.c_int, v.c_smallint, v.c_text, v.c_time, v.c_timestamp, v.c_timeuuid,
            v.c_tinyint, v.c_uuid, v.c_varint, v.c_list, v.c_set, v.c_map, v.c_frozen_map, v.c_list_of_sets, v.c_tuple,
            v.c_udt, v.c_vec_float, v.c_vec_text, v.c_vec_smallint);
    return st;
}

std::vector<std::byte> bytes_of(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

all_types max_row() {
    all_types v;
    v.k = 1;
    v.c_ascii = "ascii ~!";
    v.c_bigint = std::numeric_limits<std::int64_t>::max();
    v.c_blob = bytes_of(std::string("\x00\x01\xfe\xff", 4));
    v.c_boolean = true;
    v.c_date = ac::date{0xFFFFFFFF};
    v.c_decimal = ac::decimal::parse("123456789012345678901234567890.123456789");
    v.c_double = std::numeric_limits<double>::max();
    v.c_duration = {14, 3, 3'723'004'005'006};
    v.c_float = std::numeric_limits<float>::max();
    v.c_inet4 = ac::inet_address::parse("192.168.1.254");
    v.c_inet6 = ac::inet_address::parse("2001:db8::ff00:42:8329");
    v.c_int = std::numeric_limits<std::int32_t>::max();
    v.c_smallint = std::numeric_limits<std::int16_t>::max();
    v.c_text = "h\xC3\xA9llo w\xC3\xB6rld \xF0\x9F\x98\x80";
    v.c_time = ac::max_time_of_day;
    v.c_timestamp = ms_time(sys_days(2262y / April / 11));
    v.c_timeuuid = ac::uuid::parse("0bbf4aa0-ea5d-11f1-bc32-2718f666d9d6");
    v.c_tinyint = std::numeric_limits<std::int8_t>::max();
    v.c_uuid = ac::uuid::parse("b202f252-fb4e-4961-bc43-47d923658d9b");
    v.c_varint = ac::varint::parse("1267650600228229401496703205376");  // 2^100
    v.c_list = {1, 2, 2, 3};
    v.c_set = {"a", "b", ""};
    v.c_map = {{"x", 1}, {"y", std::numeric_limits<std::int32_t>::min()}};
    v.c_frozen_map = {{"k", {1, 2}}, {"empty", {}}};
    v.c_list_of_sets = {{1}, {2, 3}, {}};
    v.c_tuple = {7, "seven", {7, 7}};
    v.c_udt = {"Main St", 12345, point{1, 2}, {"home", "work"}};
    v.c_vec_float = {1.5f, -2.0f, 3.25f};
    v.c_vec_text = {"ab", ""};
    v.c_vec_smallint = {std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()};
    return v;
}

all_types min_row() {
    all_types v;
    v.k = 2;
    v.c_ascii = "";
    v.c_bigint = std::numeric_limits<std::int64_t>::min();
    v.c_boolean = false;
    v.c_date = ac::date{0};
    v.c_decimal = ac::decimal::parse("-0.000000001");
    v.c_double = -std::numeric_limits<double>::denorm_min();
    v.c_duration = {-1, -2, std::numeric_limits<std::int64_t>::min()};
    v.c_float = -std::numeric_limits<float>::infinity();
    v.c_inet4 = ac::inet_address::parse("0.0.0.0");
    v.c_inet6 = ac::inet_address::parse("::");
    v.c_int = std::numeric_limits<std::int32_t>::min();
    v.c_smallint = std::numeric_limits<std::int16_t>::min();
    v.c_text = "";
    v.c_time = nanoseconds(0);
    v.c_timestamp = ms_time(milliseconds(-62'135'596'800'000));  // 0001-01-01
    v.c_timeuuid = ac::uuid::parse("00000000-0000-1000-8000-000000000000");
    v.c_tinyint = std::numeric_limits<std::int8_t>::min();
    v.c_uuid = ac::uuid{};
    v.c_varint = ac::varint::parse("-1267650600228229401496703205377");
    // Empty collections: Cassandra keeps them as null, which reads back as empty.
    v.c_tuple = {0, std::nullopt, {}};
    v.c_udt = {"", std::nullopt, std::nullopt, {}};
    v.c_vec_float = {0.0f, -0.0f, std::numeric_limits<float>::denorm_min()};
    v.c_vec_text = {std::string(300, 'v'), "\xE2\x82\xAC"};
    v.c_vec_smallint = {0, -1};
    return v;
}

template <class T>
void expect_column(const ac::row_view& row, const char* name, const T& expected) {
    try {
        EXPECT_EQ(row.get<T>(name), expected) << name;
    } catch (const std::exception& e) {
        ADD_FAILURE() << name << ": " << e.what();
    }
}

void expect_row(const ac::row_view& row, const all_types& v) {
    expect_column(row, "k", v.k);
    expect_column(row, "c_ascii", v.c_ascii);
    expect_column(row, "c_bigint", v.c_bigint);
    expect_column(row, "c_blob", v.c_blob);
    expect_column(row, "c_boolean", v.c_boolean);
    expect_column(row, "c_date", v.c_date);
    expect_column(row, "c_decimal", v.c_decimal);
    expect_column(row, "c_double", v.c_double);
    expect_column(row, "c_duration", v.c_duration);
    expect_column(row, "c_float", v.c_float);
    expect_column(row, "c_inet4", v.c_inet4);
    expect_column(row, "c_inet6", v.c_inet6);
    expect_column(row, "c_int", v.c_int);
    expect_column(row, "c_smallint", v.c_smallint);
    expect_column(row, "c_text", v.c_text);
    expect_column(row, "c_time", v.c_time);
    expect_column(row, "c_timestamp", v.c_timestamp);
    expect_column(row, "c_timeuuid", v.c_timeuuid);
    expect_column(row, "c_tinyint", v.c_tinyint);
    expect_column(row, "c_uuid", v.c_uuid);
    expect_column(row, "c_varint", v.c_varint);
    expect_column(row, "c_list", v.c_list);
    expect_column(row, "c_set", v.c_set);
    expect_column(row, "c_map", v.c_map);
    expect_column(row, "c_frozen_map", v.c_frozen_map);
    expect_column(row, "c_list_of_sets", v.c_list_of_sets);
    expect_column(row, "c_tuple", v.c_tuple);
    expect_column(row, "c_udt", v.c_udt);
    expect_column(row, "c_vec_float", v.c_vec_float);
    expect_column(row, "c_vec_text", v.c_vec_text);
    expect_column(row, "c_vec_smallint", v.c_vec_smallint);
}

}  // namespace

class types : public ::testing::TestWithParam<protocol_case> {
protected:
    ac::cluster_config cfg() const {
        return test_env::config(GetParam().version, GetParam().lz4 ? ac::compression::lz4 : ac::compression::none);
    }
    std::string keyspace() const { return "ac_types_" + name_of({GetParam(), 0}); }
};

TEST_P(types, every_type_round_trips_through_the_server) {
    test_env::run(
        [&]() -> awaitable<void> {
            const auto config = cfg();
            auto cluster = co_await ac::cluster::connect(config);
            EXPECT_EQ(cluster.protocol_version(), GetParam().version);
            auto admin = co_await cluster.open_session();
            const auto ks = keyspace();
            co_await admin.execute("DROP KEYSPACE IF EXISTS " + ks);
            co_await admin.execute("CREATE KEYSPACE " + ks +
                                   " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            auto s = co_await cluster.open_session(ks);
            co_await s.execute("CREATE TYPE point (x int, y int)");
            co_await s.execute(
                "CREATE TYPE address (street text, zip int, location frozen<point>, tags frozen<list<text>>)");
            co_await s.execute(
                "CREATE TABLE all_types (k int PRIMARY KEY, c_ascii ascii, c_bigint bigint, c_blob blob, "
                "c_boolean boolean, c_date date, c_decimal decimal, c_double double, c_duration duration, "
                "c_float float, c_inet4 inet, c_inet6 inet, c_int int, c_smallint smallint, c_text text, "
                "c_time time, c_timestamp timestamp, c_timeuuid timeuuid, c_tinyint tinyint, c_uuid uuid, "
                "c_varint varint, c_list list<int>, c_set set<text>, c_map map<text, int>, "
                "c_frozen_map frozen<map<text, frozen<list<int>>>>, c_list_of_sets list<frozen<set<int>>>, "
                "c_tuple tuple<int, text, frozen<list<int>>>, c_udt frozen<address>, "
                "c_vec_float vector<float, 3>, c_vec_text vector<text, 2>, c_vec_smallint vector<smallint, 2>)");
            co_await s.execute("CREATE TABLE counters (k int PRIMARY KEY, c counter)");

            for (const auto& row : {max_row(), min_row()}) {
                auto st = insert_of(row);
                co_await s.execute(st);
            }
            // A row of nulls: every column but the key.
            ac::statement nulls(insert_query());
            nulls.bind(3);
            for (int i = 1; i < column_count; ++i) nulls.bind(std::nullopt);
            co_await s.execute(nulls);

            for (const auto& expected : {max_row(), min_row()}) {
                auto rs = co_await s.execute(
                    ac::statement(std::string("SELECT ") + columns + " FROM all_types WHERE k = ?").bind(expected.k));
                CO_ASSERT(rs.size() == 1u);
                expect_row(rs.first_row(), expected);
            }

            auto rs3 = co_await s.execute(ac::statement("SELECT * FROM all_types WHERE k = ?").bind(3));
            CO_ASSERT(rs3.size() == 1u);
            const auto r3 = rs3.first_row();
            for (std::size_t i = 0; i < r3.size(); ++i) {
                if (rs3.columns()[i].name != "k") {
                    EXPECT_TRUE(r3.is_null(i)) << rs3.columns()[i].name;
                }
            }
            EXPECT_TRUE(r3.get<std::vector<std::int32_t>>("c_list").empty());
            EXPECT_EQ(r3.get<std::optional<address>>("c_udt"), std::nullopt);
            EXPECT_EQ((r3.get<std::optional<std::array<float, 3>>>("c_vec_float")), std::nullopt);
            EXPECT_THROW((void)r3.get<ac::varint>("c_varint"), ac::value_error);

            // unset leaves a column as it was; null clears it.
            co_await s.execute(ac::statement("UPDATE all_types SET c_text = ?, c_int = ?, c_blob = ? WHERE k = ?")
                                   .bind(ac::unset, 42, std::nullopt, 1));
            auto after = co_await s.execute("SELECT c_text, c_int, c_blob FROM all_types WHERE k = 1");
            EXPECT_EQ(after.first_row().get<std::string>("c_text"), max_row().c_text);
            EXPECT_EQ(after.first_row().get<std::int32_t>("c_int"), 42);
            EXPECT_TRUE(after.first_row().is_null(2));

            // The types the server reports, and in-place walks over them.
            auto all = co_await s.execute("SELECT * FROM all_types WHERE k = 1");
            const auto row = all.first_row();
            EXPECT_EQ(ac::to_string(row.value("c_vec_float").type()), "vector<float, 3>");
            EXPECT_EQ(ac::to_string(row.value("c_vec_text").type()), "vector<text, 2>");
            EXPECT_EQ(ac::to_string(row.value("c_frozen_map").type()), "map<text, list<int>>");
            EXPECT_EQ(row.value("c_vec_text")[0].as<std::string_view>(), "ab");
            EXPECT_EQ(row.value("c_udt").field("location").field("y").as<std::int32_t>(), 2);
            EXPECT_EQ(row.value("c_tuple")[2].size(), 2u);
            EXPECT_EQ(row.get<std::vector<float>>("c_vec_float"), (std::vector<float>{1.5f, -2.0f, 3.25f}));
            std::size_t entries = 0, elements = 0;
            for (const auto& [key, list] : row.value("c_frozen_map").entries()) {
                EXPECT_FALSE(key.as<std::string_view>().empty());
                ++entries;
                for (auto e : list.elements()) elements += e.as<std::int32_t>() > 0 ? 1 : 0;
            }
            EXPECT_EQ(entries, 2u);
            EXPECT_EQ(elements, 2u);
            EXPECT_EQ(row.get<ac::varint>("c_varint").to_string(), "1267650600228229401496703205376");
            EXPECT_EQ(row.get<ac::decimal>("c_decimal").to_string(), "123456789012345678901234567890.123456789");
            EXPECT_EQ(row.get<sys_days>("c_date"), ac::date{0xFFFFFFFF}.to_sys_days());
            // A wrong C++ type is an error naming both types, never a misread.
            try {
                (void)row.get<std::vector<std::string>>("c_list");
                ADD_FAILURE() << "expected a value_error";
            } catch (const ac::value_error& e) {
                EXPECT_NE(std::string(e.what()).find("list<int>"), std::string::npos) << e.what();
            }

            // counter: only increments, by a bound bigint.
            co_await s.execute(ac::statement("UPDATE counters SET c = c + ? WHERE k = ?").bind(std::int64_t{5}, 1));
            co_await s.execute(ac::statement("UPDATE counters SET c = c + ? WHERE k = ?").bind(std::int64_t{-7}, 1));
            auto c = co_await s.execute("SELECT c FROM counters WHERE k = 1");
            EXPECT_EQ(c.first_row().get<std::int64_t>("c"), -2);

            // Server-side literals read back as the spec lays them out.
            co_await s.execute(
                "INSERT INTO all_types (k, c_date, c_time, c_duration, c_varint, c_decimal, c_inet6, c_timestamp) "
                "VALUES (4, '1970-01-02', '00:00:01.000000002', 1y2mo3d4h5m6s7ms8us9ns, -129, -1.50, '::1', "
                "'1970-01-01T00:00:00.001Z')");
            auto lit = co_await s.execute(
                "SELECT c_date, c_time, c_duration, c_varint, c_decimal, c_inet6, c_timestamp FROM all_types "
                "WHERE k = 4");
            const auto l = lit.first_row();
            EXPECT_EQ(l.get<sys_days>("c_date"), sys_days(1970y / January / 2));
            EXPECT_EQ(l.get<nanoseconds>("c_time"), seconds(1) + nanoseconds(2));
            EXPECT_EQ(ac::to_string(l.get<ac::duration>("c_duration")), "1y2mo3d4h5m6s7ms8us9ns");
            EXPECT_EQ(l.get<ac::varint>("c_varint"), ac::varint(-129));
            EXPECT_EQ(l.get<ac::decimal>("c_decimal").to_string(), "-1.50");
            EXPECT_EQ(l.get<ac::inet_address>("c_inet6").to_string(), "::1");
            EXPECT_EQ(l.get<ms_time>("c_timestamp"), ms_time(milliseconds(1)));

            co_await s.close();
            co_await admin.execute("DROP KEYSPACE " + ks);
            co_await cluster.close();
        },
        std::chrono::seconds(120));
}

INSTANTIATE_TEST_SUITE_P(protocols, types,
                         ::testing::Values(protocol_case{5, false}, protocol_case{5, true}, protocol_case{4, false},
                                           protocol_case{4, true}),
                         name_of);

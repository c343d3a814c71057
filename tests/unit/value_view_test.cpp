// value_view over rows: zero-copy walks of composites, and errors naming the column.
#include "value_test_util.hpp"

#include <server_protocol/server_protocol.hpp>
#include <async_cassandra/result_set.hpp>

#include <map>

using namespace value_test;
namespace ac = async_cassandra;
using ac::protocol::byte_writer;

namespace {
// Column types go out through the protocol layer's own [option] encoder.
using ac::protocol::server::encode_type;

// One row: (l list<int>, m map<text, list<int>>, tup tuple<int, text>, u udt, s text, nl list<int>).
ac::result_set one_row() {
    bytes body;
    byte_writer w(body);
    w.i32(2);
    w.i32(ac::protocol::rows_flags::global_tables_spec);
    const std::vector<std::pair<std::string, data_type>> cols = {
        {"l", list_of(type(type_id::int_))},
        {"m", map_of(type(type_id::varchar), list_of(type(type_id::int_)))},
        {"tup", tuple_of({type(type_id::int_), type(type_id::varchar)})},
        {"u", udt_of("pt", {{"x", type(type_id::int_)}, {"name", type(type_id::varchar)}})},
        {"s", type(type_id::varchar)},
        {"nl", list_of(type(type_id::int_))},
    };
    w.i32(static_cast<std::int32_t>(cols.size()));
    w.string("ks");
    w.string("t");
    for (const auto& [n, t] : cols) {
        w.string(n);
        encode_type(w, t);
    }
    w.i32(1);
    auto cell = [&](const ac::encoded_value& v) { w.bytes(v.bytes()); };
    cell(ac::encode_value(std::vector<std::optional<std::int32_t>>{10, std::nullopt, 30}));
    cell(ac::encode_value(std::map<std::string, std::vector<std::int32_t>>{{"a", {1}}, {"b", {2, 3}}}));
    cell(ac::encode_value(std::make_tuple(7, std::string("seven"))));
    cell(ac::encode_value(std::make_tuple(5, std::string("five"))));  // a UDT's bytes are a tuple's
    cell(ac::encode_value(std::string("text")));
    w.null_bytes();
    return ac::result_set::from_body(std::move(body), 0, 5);
}
}  // namespace

TEST(value_view, walks_collections_in_place) {
    const auto rs = one_row();
    const auto row = rs.first_row();
    const auto l = row.value("l");
    EXPECT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0].as<std::int32_t>(), 10);
    EXPECT_TRUE(l[1].is_null());
    EXPECT_EQ(l[2].type().id, type_id::int_);
    std::vector<std::optional<std::int32_t>> seen;
    for (auto e : l.elements()) seen.push_back(e.as<std::optional<std::int32_t>>());
    EXPECT_EQ(seen, (std::vector<std::optional<std::int32_t>>{10, std::nullopt, 30}));
    EXPECT_THROW((void)l[3], ac::value_error);

    const auto m = row.value(1);
    EXPECT_EQ(m.size(), 2u);
    std::map<std::string, std::size_t> sizes;
    for (const auto& [k, v] : m.entries()) sizes[std::string(k.as<std::string_view>())] = v.size();
    EXPECT_EQ(sizes, (std::map<std::string, std::size_t>{{"a", 1}, {"b", 2}}));
    EXPECT_THROW((void)m[0], ac::value_error);
    EXPECT_THROW((void)m.elements(), ac::value_error);
    EXPECT_THROW((void)l.entries(), ac::value_error);

    // The nested get<> the row offers reads the same.
    const auto mm = row.get<std::map<std::string, std::vector<std::optional<std::int32_t>>>>("m");
    EXPECT_EQ(mm.at("b"), (std::vector<std::optional<std::int32_t>>{2, 3}));
}

TEST(value_view, tuples_and_udts_by_position_and_name) {
    const auto rs = one_row();
    const auto row = rs.first_row();
    const auto tup = row.value("tup");
    EXPECT_EQ(tup.size(), 2u);
    EXPECT_EQ(tup[1].as<std::string_view>(), "seven");
    EXPECT_EQ((row.get<std::tuple<std::int32_t, std::string>>("tup")), std::make_tuple(7, std::string("seven")));
    const auto u = row.value("u");
    EXPECT_EQ(u.size(), 2u);
    EXPECT_EQ(u.field("name").as<std::string>(), "five");
    EXPECT_EQ(u.field("x").as<std::int32_t>(), 5);
    EXPECT_THROW((void)u.field("nope"), ac::value_error);
    EXPECT_THROW((void)tup.field("x"), ac::value_error);
    std::size_t n = 0;
    for (auto f : u.elements()) n += f.is_null() ? 0 : 1;
    EXPECT_EQ(n, 2u);
}

TEST(value_view, nulls_and_scalars) {
    const auto rs = one_row();
    const auto row = rs.first_row();
    const auto nl = row.value("nl");
    EXPECT_TRUE(nl.is_null());
    EXPECT_EQ(nl.size(), 0u);
    EXPECT_EQ(nl.elements().begin(), std::default_sentinel);
    // A null collection reads as an empty container, or nullopt.
    EXPECT_TRUE(row.get<std::vector<std::int32_t>>("nl").empty());
    EXPECT_EQ(row.get<std::optional<std::vector<std::int32_t>>>("nl"), std::nullopt);
    const auto s = row.value("s");
    EXPECT_EQ(s.as<std::string_view>(), "text");
    EXPECT_THROW((void)s.size(), ac::value_error);
    EXPECT_THROW((void)s[0], ac::value_error);
    EXPECT_THROW((void)row.value(6), ac::value_error);
    EXPECT_THROW((void)row.value("missing"), ac::value_error);
    EXPECT_TRUE(ac::value_view().is_null());
}

TEST(value_view, errors_name_the_column_and_both_types) {
    const auto rs = one_row();
    const auto row = rs.first_row();
    const auto top = error_of([&] { (void)row.get<std::vector<std::string>>("l"); });
    EXPECT_NE(top.find("column 'l' is list<int>, cannot read it as std::vector<std::string>"), std::string::npos)
        << top;
    const auto nested = error_of([&] { (void)row.value("m")[0]; });
    EXPECT_NE(nested.find("entries()"), std::string::npos) << nested;
    const auto inner = error_of([&] { (void)row.value("l")[0].as<std::string>(); });
    EXPECT_NE(inner.find("column 'l'"), std::string::npos) << inner;
    EXPECT_NE(inner.find("int"), std::string::npos) << inner;
    EXPECT_NE(inner.find("std::string"), std::string::npos) << inner;
    const auto null_elem = error_of([&] { (void)row.get<std::vector<std::int32_t>>("l"); });
    EXPECT_NE(null_elem.find("column 'l' (list<int>): element 1: null"), std::string::npos) << null_elem;
    const auto null_cell = error_of([&] { (void)row.get<std::int32_t>("nl"); });
    EXPECT_NE(null_cell.find("column 'nl'"), std::string::npos) << null_cell;
}

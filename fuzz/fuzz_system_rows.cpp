// The schema metadata built from system_schema rows (build_schema): the
// input is the rows themselves, one a line, so that the fuzzer reaches the
// builder's logic (user types naming user types, nesting, kinds, positions)
// rather than the RESULT decoder's checks (fuzz_result covers those).
//
//   k<keyspace>|<durable 0/1>|<key>=<value>,...           system_schema.keyspaces
//   t<keyspace>|<table>                                    system_schema.tables
//   c<keyspace>|<table>|<column>|<kind>|<order>|<type>|<position>   system_schema.columns
//   u<keyspace>|<type>|<field>,<field>...|<type>;<type>... system_schema.types
//   v<keyspace>|<view>|<base table>|<where>|<all 0/1>      system_schema.views
//   i<keyspace>|<table>|<index>|<kind>|<key>=<value>,...   system_schema.indexes
//   f<keyspace>|<function>|<name>,...|<type>;...|<return type>|<language>|<null input 0/1>
//   a<keyspace>|<aggregate>|<type>;...|<state func>|<state type>|<final func>|<initcond>|<return type>
// (an empty optional field is null)
//
// Each table's rows go into a real RESULT Rows body (read back with
// result_set::from_body, as the cluster does) split over pages at '\n\n'.
// build_schema must never throw, and what it builds is walked whole.
#include "row_text.hpp"
#include "cluster/schema_builder.hpp"

#include <server_protocol/server_protocol.hpp>
#include <async_cassandra/value_codec.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

using namespace async_cassandra;
namespace pr = async_cassandra::protocol;

namespace {

using fuzz_rows::of;
using fuzz_rows::split;

struct table_rows {
    std::vector<pr::column_spec> columns;
    std::vector<std::vector<encoded_value>> rows;
    std::vector<result_set> pages;

    explicit table_rows(const char* table, std::vector<std::pair<const char*, data_type>> cols) {
        for (auto& [name, type] : cols) columns.push_back({"system_schema", table, name, type});
    }
    void end_page() {
        pr::byte_buffer body;
        pr::byte_writer w(body);
        pr::server::rows_header h;
        h.columns = columns;
        pr::server::begin_rows_result(w, h, static_cast<std::int32_t>(rows.size()));
        for (const auto& row : rows)
            for (const auto& cell : row) {
                if (cell.is_null())
                    w.null_bytes();
                else
                    w.bytes(cell.bytes());
            }
        rows.clear();
        pages.push_back(result_set::from_body(std::move(body), 0, 5));
    }
};

std::size_t walk(const data_type& t, int depth = 0) {
    std::size_t n = 1 + t.name.size() + t.field_names.size();
    if (depth > 10000) __builtin_trap();  // build_schema bounds nesting
    for (const auto& p : t.params) n += walk(p, depth + 1);
    return n;
}

template <class T>
std::size_t walk_columns(const T& t) {
    std::size_t n = 0;
    for (const auto& c : t.partition_key) n += walk(c.type);
    for (const auto& c : t.clustering_columns) n += walk(c.type);
    for (const auto& c : t.static_columns) n += walk(c.type);
    for (const auto& c : t.regular_columns) n += walk(c.type);
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto text = of(type_id::varchar);
    table_rows keyspaces("keyspaces", {{"keyspace_name", text},
                                       {"durable_writes", of(type_id::boolean)},
                                       {"replication", of(type_id::map, {text, text})}});
    table_rows tables("tables", {{"keyspace_name", text}, {"table_name", text}});
    table_rows columns("columns", {{"keyspace_name", text},
                                   {"table_name", text},
                                   {"column_name", text},
                                   {"kind", text},
                                   {"clustering_order", text},
                                   {"type", text},
                                   {"position", of(type_id::int_)}});
    table_rows types("types", {{"keyspace_name", text},
                               {"type_name", text},
                               {"field_names", of(type_id::list, {text})},
                               {"field_types", of(type_id::list, {text})}});
    table_rows views("views", {{"keyspace_name", text},
                               {"view_name", text},
                               {"base_table_name", text},
                               {"where_clause", text},
                               {"include_all_columns", of(type_id::boolean)}});
    table_rows indexes("indexes", {{"keyspace_name", text},
                                   {"table_name", text},
                                   {"index_name", text},
                                   {"kind", text},
                                   {"options", of(type_id::map, {text, text})}});
    table_rows functions("functions", {{"keyspace_name", text},
                                       {"function_name", text},
                                       {"argument_names", of(type_id::list, {text})},
                                       {"argument_types", of(type_id::list, {text})},
                                       {"return_type", text},
                                       {"language", text},
                                       {"called_on_null_input", of(type_id::boolean)},
                                       {"body", text}});
    table_rows aggregates("aggregates", {{"keyspace_name", text},
                                         {"aggregate_name", text},
                                         {"argument_types", of(type_id::list, {text})},
                                         {"state_func", text},
                                         {"state_type", text},
                                         {"final_func", text},
                                         {"initcond", text},
                                         {"return_type", text}});
    table_rows* all_tables[] = {&keyspaces, &tables, &columns, &types, &views, &indexes, &functions, &aggregates};
    auto str = [](std::string_view s) { return encode_value(s); };
    auto opt = [](std::string_view s) { return s.empty() ? encoded_value::null_value() : encode_value(s); };
    auto flag = [](std::string_view s) { return s.empty() ? encoded_value::null_value() : encode_value(s == "1"); };
    auto string_map = [](std::string_view s) {
        std::map<std::string, std::string> m;
        if (!s.empty())
            for (auto kv : split(s, ',')) {
                auto eq = kv.find('=');
                m[std::string(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
            }
        return encode_value(m);
    };
    auto list = [](std::string_view s, char sep) {
        std::vector<std::string> v;
        if (!s.empty())
            for (auto p : split(s, sep)) v.emplace_back(p);
        return encode_value(v);
    };
    for (auto line : split(in, '\n')) {
        if (line.empty()) {  // a blank line ends every table's page
            for (auto* t : all_tables) t->end_page();
            continue;
        }
        const char what = line[0];
        auto f = split(line.substr(1), '|');
        f.resize(8);
        switch (what) {
            case 'k': keyspaces.rows.push_back({str(f[0]), flag(f[1]), string_map(f[2])}); break;
            case 't': tables.rows.push_back({str(f[0]), str(f[1])}); break;
            case 'c': {
                std::uint32_t digits = 0;  // wraps: any int32, negative ones too
                for (char ch : f[6])
                    digits = digits * 10u + (ch >= '0' && ch <= '9' ? static_cast<std::uint32_t>(ch - '0') : 0u);
                const auto pos = static_cast<std::int32_t>(digits);
                columns.rows.push_back({str(f[0]), str(f[1]), str(f[2]), str(f[3]),
                                        f[4].empty() ? encoded_value::null_value() : str(f[4]), str(f[5]),
                                        f[6].empty() ? encoded_value::null_value() : encode_value(pos)});
                break;
            }
            case 'u': types.rows.push_back({str(f[0]), str(f[1]), list(f[2], ','), list(f[3], ';')}); break;
            case 'v': views.rows.push_back({str(f[0]), str(f[1]), str(f[2]), opt(f[3]), flag(f[4])}); break;
            case 'i': indexes.rows.push_back({str(f[0]), str(f[1]), str(f[2]), opt(f[3]), string_map(f[4])}); break;
            case 'f':
                functions.rows.push_back({str(f[0]), str(f[1]), list(f[2], ','), list(f[3], ';'), opt(f[4]), opt(f[5]),
                                          flag(f[6]), str("return 1;")});
                break;
            case 'a':
                aggregates.rows.push_back(
                    {str(f[0]), str(f[1]), list(f[2], ';'), opt(f[3]), opt(f[4]), opt(f[5]), opt(f[6]), opt(f[7])});
                break;
            default: break;
        }
    }
    for (auto* t : all_tables) t->end_page();
    auto built = detail::build_schema({keyspaces.pages, tables.pages, columns.pages, types.pages, views.pages,
                                       indexes.pages, functions.pages, aggregates.pages});
    std::size_t n = built.errors.size();
    for (const auto& [name, ks] : built.keyspaces) {
        n += name.size() + ks.replication.size();
        for (const auto& [tn, table] : ks.tables) {
            n += tn.size() + walk_columns(table) + table.views.size();
            for (const auto& [in, ix] : table.indexes) n += in.size() + ix.target.size() + ix.options.size();
        }
        for (const auto& [vn, view] : ks.views) n += vn.size() + view.base_table.size() + walk_columns(view);
        for (const auto& [sig, fn] : ks.functions) {
            n += sig.size() + fn.argument_names.size() + walk(fn.return_type);
            for (const auto& t : fn.argument_types) n += walk(t);
        }
        for (const auto& [sig, ag] : ks.aggregates) {
            n += sig.size() + walk(ag.state_type) + walk(ag.return_type);
            for (const auto& t : ag.argument_types) n += walk(t);
        }
        for (const auto& [name, _] : ks.functions) n += ks.functions_named(name.substr(0, name.find('('))).size();
        for (const auto& [un, udt] : ks.user_types) {
            n += un.size() + udt.field_names.size();
            for (const auto& t : udt.field_types) n += walk(t);
        }
    }
    return n == static_cast<std::size_t>(-1) ? 1 : 0;
}

#include <async_cassandra/protocol/results.hpp>

#include <cstdio>

namespace async_cassandra::protocol {

result_kind decode_result_kind(byte_reader& r) {
    auto k = r.i32("result kind");
    if (k < 1 || k > 5) r.fail(protocol_errc::malformed, "result kind", "unknown kind " + std::to_string(k), 4);
    return static_cast<result_kind>(k);
}

namespace {

// What one message may describe. Decoded, a column spec takes ~250 bytes
// and a type node ~160, from 4 and 2 bytes on the wire, and the names of a
// global table spec are copied into every column: unbounded, a body of the
// allowed 256 MiB could build tens of GiB. Each limit is far beyond a real
// schema:
// - 65,535 columns a list: a QUERY or EXECUTE carries at most a [short]
//   count of values, so no statement binds more, and tables of even a few
//   thousand columns are rare;
// - 262,144 type nodes a message: 65,535 columns of map<text, list<int>>;
// - 16 MiB of global names copied: 65,535 columns whose keyspace and table
//   names take 48 characters each (Cassandra's usual limit) copy 6 MiB.
constexpr std::int32_t max_columns = 65535;
constexpr std::size_t max_type_nodes = 1 << 18;
constexpr std::size_t max_copied_name_bytes = 16 << 20;

// The type nodes one message has decoded so far.
class type_budget {
public:
    void charge(const byte_reader& r, std::size_t nodes) {
        nodes_ += nodes;
        if (nodes_ > max_type_nodes)
            r.fail(protocol_errc::malformed, "type option",
                   "more type nodes in one message than the limit of " + std::to_string(max_type_nodes));
    }

private:
    std::size_t nodes_ = 0;
};

std::size_t count_nodes(const data_type& t) {
    std::size_t n = 1;
    for (const auto& p : t.params) n += count_nodes(p);
    return n;
}

data_type read_type(byte_reader& r, int depth, type_budget& budget) {
    // Nesting beyond this is not a schema anyone wrote; it is a hostile frame.
    if (depth > 64) r.fail(protocol_errc::malformed, "type option", "nested more than 64 levels");
    data_type t;
    auto id = r.u16("type option id");
    t.id = static_cast<type_id>(id);
    if (t.id == type_id::custom) {
        t = parse_marshal_type(r.string("custom type class"));
        budget.charge(r, count_nodes(t));
        return t;
    }
    budget.charge(r, 1);
    switch (t.id) {
        case type_id::custom:  // read above
        case type_id::ascii:
        case type_id::bigint:
        case type_id::blob:
        case type_id::boolean:
        case type_id::counter:
        case type_id::decimal:
        case type_id::double_:
        case type_id::float_:
        case type_id::int_:
        case type_id::timestamp:
        case type_id::uuid:
        case type_id::varchar:
        case type_id::varint:
        case type_id::timeuuid:
        case type_id::inet:
        case type_id::date:
        case type_id::time:
        case type_id::smallint:
        case type_id::tinyint:
        case type_id::duration: break;
        case type_id::list:
        case type_id::set: t.params.push_back(read_type(r, depth + 1, budget)); break;
        case type_id::map:
            t.params.push_back(read_type(r, depth + 1, budget));
            t.params.push_back(read_type(r, depth + 1, budget));
            break;
        case type_id::udt: {
            t.keyspace = r.string("udt keyspace");
            t.name = r.string("udt name");
            // Each field is at least a [string] name and an [option] id.
            auto n = r.count(r.u16("udt field count"), 4, "udt field count");
            for (std::size_t i = 0; i < n; ++i) {
                t.field_names.emplace_back(r.string("udt field name"));
                t.params.push_back(read_type(r, depth + 1, budget));
            }
            break;
        }
        case type_id::tuple: {
            auto n = r.count(r.u16("tuple size"), 2, "tuple size");
            for (std::size_t i = 0; i < n; ++i) t.params.push_back(read_type(r, depth + 1, budget));
            break;
        }
        default: {
            // vector (0xFF01) is not a wire id either: it arrives as a custom class.
            char hex[8];
            std::snprintf(hex, sizeof hex, "%04x", id);
            r.fail(protocol_errc::malformed, "type option id", std::string("unknown id 0x") + hex, 2);
        }
    }
    return t;
}

// [<global_table_spec>]<col_spec_1>...<col_spec_n>, shared by Rows and Prepared.
std::vector<column_spec> read_column_specs(byte_reader& r, std::int32_t flags, std::int32_t column_count,
                                           type_budget& budget) {
    std::string_view gks, gtable;
    const bool global = (flags & rows_flags::global_tables_spec) != 0;
    if (global) {
        gks = r.string("global keyspace");
        gtable = r.string("global table");
    }
    // A spec is at least a name and a type id, plus keyspace and table when not global.
    auto n = r.count(column_count, global ? 4 : 8, "column count");
    if (global && n * (gks.size() + gtable.size()) > max_copied_name_bytes)
        r.fail(protocol_errc::malformed, "global table spec",
               "names of " + std::to_string(gks.size() + gtable.size()) + " bytes copied into each of " +
                   std::to_string(n) + " columns exceed the limit of " + std::to_string(max_copied_name_bytes) +
                   " bytes");
    std::vector<column_spec> columns;
    columns.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        column_spec c;
        if (global) {
            c.keyspace = gks;
            c.table = gtable;
        } else {
            c.keyspace = r.string("column keyspace");
            c.table = r.string("column table");
        }
        c.name = r.string("column name");
        c.type = read_type(r, 0, budget);
        columns.push_back(std::move(c));
    }
    return columns;
}

std::int32_t read_column_count(byte_reader& r, const char* what) {
    auto n = r.i32(what);
    if (n < 0) r.fail(protocol_errc::malformed, what, "negative count " + std::to_string(n), 4);
    if (n > max_columns)
        r.fail(protocol_errc::malformed, what,
               std::to_string(n) + " columns exceed the limit of " + std::to_string(max_columns), 4);
    return n;
}

rows_metadata read_rows_metadata(byte_reader& r, type_budget& budget) {
    rows_metadata m;
    m.flags = r.i32("rows metadata flags");
    m.column_count = read_column_count(r, "rows column count");
    if (m.flags & rows_flags::has_more_pages) m.paging_state = r.bytes("paging state");
    if (m.flags & rows_flags::metadata_changed) m.new_metadata_id = r.short_bytes("new metadata id");
    if (m.flags & rows_flags::no_metadata) return m;
    m.columns = read_column_specs(r, m.flags, m.column_count, budget);
    return m;
}

}  // namespace

data_type decode_type(byte_reader& r, int depth) {
    type_budget budget;
    return read_type(r, depth, budget);
}

rows_metadata decode_rows_metadata(byte_reader& r) {
    type_budget budget;
    return read_rows_metadata(r, budget);
}

rows_result decode_rows(byte_reader& r) {
    rows_result out;
    out.metadata = decode_rows_metadata(r);
    out.rows_count = r.i32("rows count");
    if (out.rows_count < 0)
        r.fail(protocol_errc::malformed, "rows count", "negative count " + std::to_string(out.rows_count), 4);
    // Every cell takes at least its [int] length: refuse counts the body cannot hold
    // before walking them.
    const auto cells = static_cast<std::int64_t>(out.rows_count) * out.metadata.column_count;
    const auto start = r.rest();
    auto n = r.count(cells, 4, "rows content cell count");
    for (std::size_t i = 0; i < n; ++i) (void)r.bytes("row cell");
    out.content = start.first(start.size() - r.remaining());
    return out;
}

std::string decode_set_keyspace(byte_reader& r) { return std::string(r.string("set keyspace name")); }

prepared_result decode_prepared(byte_reader& r, int version) {
    prepared_result p;
    p.id = r.short_bytes("prepared id");
    if (version >= 5) p.result_metadata_id = r.short_bytes("prepared result metadata id");
    auto& v = p.variables;
    v.flags = r.i32("prepared metadata flags");
    const auto column_count = read_column_count(r, "prepared column count");
    auto pk_count = r.count(r.i32("prepared pk count"), 2, "prepared pk count");
    v.pk_indexes.reserve(pk_count);
    for (std::size_t i = 0; i < pk_count; ++i) {
        auto index = r.u16("prepared pk index");
        if (index >= column_count)
            r.fail(protocol_errc::malformed, "prepared pk index",
                   std::to_string(index) + " is not one of the " + std::to_string(column_count) + " bind markers", 2);
        v.pk_indexes.push_back(index);
    }
    type_budget budget;  // one for both lists
    v.columns = read_column_specs(r, v.flags, column_count, budget);
    p.result_metadata = read_rows_metadata(r, budget);
    return p;
}

result_body decode_result(byte_reader& r, int version) {
    switch (decode_result_kind(r)) {
        case result_kind::void_: return void_result{};
        case result_kind::rows: return decode_rows(r);
        case result_kind::set_keyspace: return set_keyspace_result{decode_set_keyspace(r)};
        case result_kind::prepared: return decode_prepared(r, version);
        case result_kind::schema_change: return decode_schema_change(r);
    }
    return void_result{};  // unreachable: decode_result_kind checked the range
}

}  // namespace async_cassandra::protocol

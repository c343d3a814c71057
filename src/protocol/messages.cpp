#include <async_cassandra/protocol/messages.hpp>

#include <arpa/inet.h>

#include <algorithm>

namespace async_cassandra::protocol {

// ---- requests ----------------------------------------------------------------

void encode_startup(byte_writer& w, const string_map& options) {
    w.u16(static_cast<std::uint16_t>(options.size()));
    for (const auto& [k, v] : options) {
        w.string(k);
        w.string(v);
    }
}

namespace query_flags {
constexpr std::uint32_t values = 0x0001;
constexpr std::uint32_t skip_metadata = 0x0002;
constexpr std::uint32_t page_size = 0x0004;
constexpr std::uint32_t paging_state = 0x0008;
constexpr std::uint32_t serial_consistency = 0x0010;
constexpr std::uint32_t default_timestamp = 0x0020;
constexpr std::uint32_t names_for_values = 0x0040;
constexpr std::uint32_t keyspace = 0x0080;
constexpr std::uint32_t now_in_seconds = 0x0100;
}  // namespace query_flags

void encode_query_parameters(byte_writer& w, const query_parameters& p, int version) {
    if (!p.names.empty() && p.names.size() != p.values.size())
        throw protocol_error(protocol_errc::malformed, "query parameters: " + std::to_string(p.names.size()) +
                                                           " names for " + std::to_string(p.values.size()) + " values");
    if (p.values.size() > 0xFFFF)
        throw protocol_error(protocol_errc::value_too_large,
                             "query parameters: " + std::to_string(p.values.size()) + " values exceed 65535");
    std::uint32_t flags = 0;
    if (!p.values.empty()) flags |= query_flags::values;
    if (!p.names.empty()) flags |= query_flags::names_for_values;
    if (p.skip_metadata) flags |= query_flags::skip_metadata;
    if (p.page_size > 0) flags |= query_flags::page_size;
    if (p.paging_state) flags |= query_flags::paging_state;
    if (p.serial_consistency) flags |= query_flags::serial_consistency;
    if (p.default_timestamp) flags |= query_flags::default_timestamp;
    if (version >= 5) {
        if (!p.keyspace.empty()) flags |= query_flags::keyspace;
        if (p.now_in_seconds) flags |= query_flags::now_in_seconds;
    } else if (!p.keyspace.empty() || p.now_in_seconds) {
        throw protocol_error(protocol_errc::malformed,
                             "query parameters: keyspace and now_in_seconds need protocol v5, connection is v" +
                                 std::to_string(version));
    }
    w.u16(static_cast<std::uint16_t>(p.cl));
    // v4 carries the flags in a [byte], v5 in an [int].
    if (version >= 5)
        w.i32(static_cast<std::int32_t>(flags));
    else
        w.u8(static_cast<std::uint8_t>(flags));
    if (!p.values.empty()) {
        w.u16(static_cast<std::uint16_t>(p.values.size()));
        for (std::size_t i = 0; i < p.values.size(); ++i) {
            if (!p.names.empty()) w.string(p.names[i]);
            const auto& v = p.values[i];
            switch (v.k) {
                case value_ref::kind::bytes: w.bytes(v.data); break;
                case value_ref::kind::null: w.null_bytes(); break;
                case value_ref::kind::unset: w.unset_value(); break;
            }
        }
    }
    if (p.page_size > 0) w.i32(p.page_size);
    if (p.paging_state) w.bytes(*p.paging_state);
    if (p.serial_consistency) w.u16(static_cast<std::uint16_t>(*p.serial_consistency));
    if (p.default_timestamp) w.i64(*p.default_timestamp);
    if (version >= 5) {
        if (!p.keyspace.empty()) w.string(p.keyspace);
        if (p.now_in_seconds) w.i32(*p.now_in_seconds);
    }
}

void encode_query(byte_writer& w, std::string_view query, const query_parameters& p, int version) {
    w.long_string(query);
    encode_query_parameters(w, p, version);
}

// ---- responses ---------------------------------------------------------------

namespace {
std::vector<std::string> read_string_list(byte_reader& r, const char* what) {
    auto n = r.u16(what);
    std::vector<std::string> out;
    out.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) out.emplace_back(r.string(what));
    return out;
}

std::string read_inetaddr(byte_reader& r, const char* what) {
    auto n = r.u8(what);
    if (n != 4 && n != 16)
        throw protocol_error(protocol_errc::malformed, std::string(what) + ": address of " + std::to_string(n) +
                                                           " bytes (expected 4 or 16)");
    auto b = r.raw(n, what);
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(n == 4 ? AF_INET : AF_INET6, b.data(), text, sizeof text);
    return text;
}

consistency read_consistency(byte_reader& r) {
    auto v = r.u16("consistency");
    if (v > static_cast<std::uint16_t>(consistency::local_one))
        throw protocol_error(protocol_errc::malformed, "unknown consistency level " + std::to_string(v));
    return static_cast<consistency>(v);
}

void read_reason_map(byte_reader& r, error_response& e) {
    auto n = r.i32("failure reason map size");
    if (n < 0) throw protocol_error(protocol_errc::malformed, "failure reason map: negative size");
    for (std::int32_t i = 0; i < n; ++i) {
        auto endpoint = read_inetaddr(r, "failure reason endpoint");
        e.reason_map.emplace_back(std::move(endpoint), r.u16("failure reason code"));
    }
    e.num_failures = n;
}
}  // namespace

response_prefix decode_response_prefix(byte_reader& r, std::uint8_t flags) {
    response_prefix p;
    if (flags & frame_flags::tracing) {
        auto id = r.raw(16, "tracing id");
        p.tracing_id.emplace();
        std::copy(id.begin(), id.end(), p.tracing_id->begin());
    }
    if (flags & frame_flags::warning) p.warnings = read_string_list(r, "warnings");
    if (flags & frame_flags::custom_payload) {
        auto n = r.u16("custom payload size");
        for (std::uint16_t i = 0; i < n; ++i) {
            (void)r.string("custom payload key");
            (void)r.bytes("custom payload value");
        }
    }
    return p;
}

error_response decode_error(byte_reader& r, int version) {
    error_response e;
    e.code = r.i32("error code");
    e.message = r.string("error message");
    switch (e.code) {
        case 0x1000:  // unavailable
            e.cl = read_consistency(r);
            e.required = r.i32("unavailable required");
            e.alive = r.i32("unavailable alive");
            break;
        case 0x1100:  // write timeout
            e.cl = read_consistency(r);
            e.received = r.i32("write timeout received");
            e.block_for = r.i32("write timeout blockfor");
            e.write_type = r.string("write timeout write type");
            if (version >= 5 && e.write_type == "CAS" && !r.empty()) e.num_failures = r.u16("contentions");
            break;
        case 0x1200:  // read timeout
            e.cl = read_consistency(r);
            e.received = r.i32("read timeout received");
            e.block_for = r.i32("read timeout blockfor");
            e.data_present = r.u8("read timeout data present") != 0;
            break;
        case 0x1300:  // read failure
            e.cl = read_consistency(r);
            e.received = r.i32("read failure received");
            e.block_for = r.i32("read failure blockfor");
            if (version >= 5)
                read_reason_map(r, e);
            else
                e.num_failures = r.i32("read failure numfailures");
            e.data_present = r.u8("read failure data present") != 0;
            break;
        case 0x1400:  // function failure
            e.keyspace = r.string("function failure keyspace");
            e.function = r.string("function failure function");
            e.arg_types = read_string_list(r, "function failure arg types");
            break;
        case 0x1500:  // write failure
            e.cl = read_consistency(r);
            e.received = r.i32("write failure received");
            e.block_for = r.i32("write failure blockfor");
            if (version >= 5)
                read_reason_map(r, e);
            else
                e.num_failures = r.i32("write failure numfailures");
            e.write_type = r.string("write failure write type");
            break;
        case 0x1700:  // CAS write unknown
            e.cl = read_consistency(r);
            e.received = r.i32("cas write unknown received");
            e.block_for = r.i32("cas write unknown blockfor");
            break;
        case 0x2400:  // already exists
            e.keyspace = r.string("already exists keyspace");
            e.table = r.string("already exists table");
            break;
        case 0x2500:  // unprepared
            e.unprepared_id = std::string(as_chars(r.short_bytes("unprepared id")));
            break;
        default: break;
    }
    return e;
}

string_multimap decode_supported(byte_reader& r) {
    string_multimap m;
    auto n = r.u16("supported map size");
    for (std::uint16_t i = 0; i < n; ++i) {
        std::string key(r.string("supported key"));
        m[std::move(key)] = read_string_list(r, "supported values");
    }
    return m;
}

data_type decode_type(byte_reader& r, int depth) {
    // Nesting beyond this is not a schema anyone wrote; it is a hostile frame.
    if (depth > 64) throw protocol_error(protocol_errc::malformed, "type option nested more than 64 levels");
    data_type t;
    auto id = r.u16("type option id");
    t.id = static_cast<type_id>(id);
    switch (t.id) {
        case type_id::custom: return parse_marshal_type(r.string("custom type class"));
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
        case type_id::set: t.params.push_back(decode_type(r, depth + 1)); break;
        case type_id::map:
            t.params.push_back(decode_type(r, depth + 1));
            t.params.push_back(decode_type(r, depth + 1));
            break;
        case type_id::udt: {
            t.keyspace = r.string("udt keyspace");
            t.name = r.string("udt name");
            auto n = r.u16("udt field count");
            for (std::uint16_t i = 0; i < n; ++i) {
                t.field_names.emplace_back(r.string("udt field name"));
                t.params.push_back(decode_type(r, depth + 1));
            }
            break;
        }
        case type_id::tuple: {
            auto n = r.u16("tuple size");
            for (std::uint16_t i = 0; i < n; ++i) t.params.push_back(decode_type(r, depth + 1));
            break;
        }
        default:
            throw protocol_error(protocol_errc::malformed, "unknown type option id 0x" + [&] {
                char buf[8];
                std::snprintf(buf, sizeof buf, "%04x", id);
                return std::string(buf);
            }());
    }
    return t;
}

rows_metadata decode_rows_metadata(byte_reader& r) {
    rows_metadata m;
    m.flags = r.i32("rows metadata flags");
    m.column_count = r.i32("rows column count");
    if (m.column_count < 0) throw protocol_error(protocol_errc::malformed, "rows metadata: negative column count");
    if (m.flags & rows_flags::has_more_pages) m.paging_state = r.bytes("paging state");
    if (m.flags & rows_flags::metadata_changed) m.new_metadata_id = r.short_bytes("new metadata id");
    if (m.flags & rows_flags::no_metadata) return m;
    std::string_view gks, gtable;
    const bool global = (m.flags & rows_flags::global_tables_spec) != 0;
    if (global) {
        gks = r.string("global keyspace");
        gtable = r.string("global table");
    }
    // Each column spec takes at least 4 bytes: a column count beyond that is a lie.
    if (static_cast<std::size_t>(m.column_count) > r.remaining() / 4 + 1)
        throw protocol_error(protocol_errc::malformed, "rows metadata: " + std::to_string(m.column_count) +
                                                           " columns cannot fit in " + std::to_string(r.remaining()) +
                                                           " bytes");
    m.columns.reserve(static_cast<std::size_t>(m.column_count));
    for (std::int32_t i = 0; i < m.column_count; ++i) {
        column_spec c;
        if (global) {
            c.keyspace = gks;
            c.table = gtable;
        } else {
            c.keyspace = r.string("column keyspace");
            c.table = r.string("column table");
        }
        c.name = r.string("column name");
        c.type = decode_type(r);
        m.columns.push_back(std::move(c));
    }
    return m;
}

schema_change decode_schema_change(byte_reader& r) {
    schema_change s;
    s.change_type = r.string("schema change type");
    s.target = r.string("schema change target");
    s.keyspace = r.string("schema change keyspace");
    if (s.target == "KEYSPACE") return s;
    s.name = r.string("schema change name");
    if (s.target == "FUNCTION" || s.target == "AGGREGATE") s.arg_types = read_string_list(r, "schema change arguments");
    return s;
}

result_kind decode_result_kind(byte_reader& r) {
    auto k = r.i32("result kind");
    if (k < 1 || k > 5) throw protocol_error(protocol_errc::malformed, "unknown result kind " + std::to_string(k));
    return static_cast<result_kind>(k);
}

}  // namespace async_cassandra::protocol

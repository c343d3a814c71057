// Response encoders for a server: the mirror of the client's decoders.
#include <server_protocol/server_protocol.hpp>

#include <arpa/inet.h>

namespace async_cassandra::protocol::server {

namespace {
void write_string_list(byte_writer& w, const std::vector<std::string>& list) {
    w.u16(static_cast<std::uint16_t>(list.size()));
    for (const auto& s : list) w.string(s);
}

// [inetaddr]: one byte of length (4 or 16), then the address.
void write_inetaddr(byte_writer& w, const std::string& text) {
    unsigned char buf[16];
    if (::inet_pton(AF_INET, text.c_str(), buf) == 1) {
        w.u8(4);
        w.raw(bytes_view(reinterpret_cast<const std::byte*>(buf), 4));
    } else if (::inet_pton(AF_INET6, text.c_str(), buf) == 1) {
        w.u8(16);
        w.raw(bytes_view(reinterpret_cast<const std::byte*>(buf), 16));
    } else {
        throw protocol_error(protocol_errc::malformed, "inet address: '" + text + "' is not an IP address");
    }
}

void write_cl_received_blockfor(byte_writer& w, const error_response& e) {
    w.u16(static_cast<std::uint16_t>(e.consistency_level.value_or(consistency::one)));
    w.i32(e.received);
    w.i32(e.block_for);
}

void write_failures(byte_writer& w, const error_response& e, int version) {
    if (version < 5) {
        w.i32(e.num_failures);
        return;
    }
    w.i32(static_cast<std::int32_t>(e.reason_map.size()));
    for (const auto& [endpoint, code] : e.reason_map) {
        write_inetaddr(w, endpoint);
        w.u16(code);
    }
}

const char* marshal_name(type_id id) {
    switch (id) {
        case type_id::ascii: return "AsciiType";
        case type_id::bigint: return "LongType";
        case type_id::blob: return "BytesType";
        case type_id::boolean: return "BooleanType";
        case type_id::counter: return "CounterColumnType";
        case type_id::decimal: return "DecimalType";
        case type_id::double_: return "DoubleType";
        case type_id::duration: return "DurationType";
        case type_id::float_: return "FloatType";
        case type_id::inet: return "InetAddressType";
        case type_id::int_: return "Int32Type";
        case type_id::smallint: return "ShortType";
        case type_id::tinyint: return "ByteType";
        case type_id::date: return "SimpleDateType";
        case type_id::time: return "TimeType";
        case type_id::timestamp: return "TimestampType";
        case type_id::timeuuid: return "TimeUUIDType";
        case type_id::uuid: return "UUIDType";
        case type_id::varchar: return "UTF8Type";
        case type_id::varint: return "IntegerType";
        case type_id::list: return "ListType";
        case type_id::set: return "SetType";
        case type_id::map: return "MapType";
        case type_id::tuple: return "TupleType";
        case type_id::vector: return "VectorType";
        default: return nullptr;
    }
}

// The marshal class of a type, as Cassandra writes it inside custom types.
std::string marshal_class(const data_type& t) {
    if (t.id == type_id::custom) return t.custom_class;
    const char* name = marshal_name(t.id);
    if (!name) throw protocol_error(protocol_errc::malformed, "no marshal class for " + to_string(t));
    std::string s = std::string("org.apache.cassandra.db.marshal.") + name;
    if (t.params.empty()) return s;
    s += '(';
    for (std::size_t i = 0; i < t.params.size(); ++i) {
        if (i) s += ',';
        s += marshal_class(t.params[i]);
    }
    if (t.id == type_id::vector) s += " , " + std::to_string(t.dimension);
    return s + ')';
}
}  // namespace

void encode_supported(byte_writer& w, const string_multimap& options) {
    w.u16(static_cast<std::uint16_t>(options.size()));
    for (const auto& [k, values] : options) {
        w.string(k);
        write_string_list(w, values);
    }
}

void encode_authenticate(byte_writer& w, std::string_view authenticator) { w.string(authenticator); }

void encode_auth_challenge(byte_writer& w, std::optional<bytes_view> token) {
    if (token)
        w.bytes(*token);
    else
        w.null_bytes();
}
void encode_auth_success(byte_writer& w, std::optional<bytes_view> token) { encode_auth_challenge(w, token); }

void encode_error(byte_writer& w, const error_response& e, int version) {
    w.i32(e.code);
    w.string(e.message);
    switch (e.code) {
        case 0x1000:
            w.u16(static_cast<std::uint16_t>(e.consistency_level.value_or(consistency::one)));
            w.i32(e.required);
            w.i32(e.alive);
            break;
        case 0x1100:
            write_cl_received_blockfor(w, e);
            w.string(e.write_type);
            if (version >= 5 && e.write_type == "CAS") w.u16(e.contentions.value_or(0));
            break;
        case 0x1200:
            write_cl_received_blockfor(w, e);
            w.u8(e.data_present ? 1 : 0);
            break;
        case 0x1300:
            write_cl_received_blockfor(w, e);
            write_failures(w, e, version);
            w.u8(e.data_present ? 1 : 0);
            break;
        case 0x1400:
            w.string(e.keyspace);
            w.string(e.function);
            write_string_list(w, e.arg_types);
            break;
        case 0x1500:
            write_cl_received_blockfor(w, e);
            write_failures(w, e, version);
            w.string(e.write_type);
            break;
        case 0x1700: write_cl_received_blockfor(w, e); break;
        case 0x2400:
            w.string(e.keyspace);
            w.string(e.table);
            break;
        case 0x2500: w.short_bytes(as_bytes(e.unprepared_id)); break;
        default: break;
    }
}

void encode_schema_change_result(byte_writer& w, const schema_change& s) {
    w.i32(static_cast<std::int32_t>(result_kind::schema_change));
    w.string(s.change_type);
    w.string(s.target);
    w.string(s.keyspace);
    if (s.target == "KEYSPACE") return;
    w.string(s.name);
    if (s.target == "FUNCTION" || s.target == "AGGREGATE") write_string_list(w, s.arg_types);
}

void encode_event(byte_writer& w, const event_body& e) {
    auto endpoint = [&](const inet_endpoint& n) {
        write_inetaddr(w, n.address);
        w.i32(n.port);
    };
    if (const auto* t = std::get_if<topology_change_event>(&e)) {
        w.string(event_type::topology_change);
        w.string(t->change);
        endpoint(t->node);
    } else if (const auto* s = std::get_if<status_change_event>(&e)) {
        w.string(event_type::status_change);
        w.string(s->change);
        endpoint(s->node);
    } else {
        const auto& c = std::get<schema_change>(e);
        w.string(event_type::schema_change);
        w.string(c.change_type);
        w.string(c.target);
        w.string(c.keyspace);
        if (c.target == "KEYSPACE") return;
        w.string(c.name);
        if (c.target == "FUNCTION" || c.target == "AGGREGATE") write_string_list(w, c.arg_types);
    }
}

void encode_type(byte_writer& w, const data_type& t) {
    if (t.id == type_id::custom || t.id == type_id::vector) {
        w.u16(0);
        w.string(marshal_class(t));
        return;
    }
    w.u16(static_cast<std::uint16_t>(t.id));
    switch (t.id) {
        case type_id::list:
        case type_id::set:
        case type_id::map:
            for (const auto& p : t.params) encode_type(w, p);
            break;
        case type_id::tuple:
            w.u16(static_cast<std::uint16_t>(t.params.size()));
            for (const auto& p : t.params) encode_type(w, p);
            break;
        case type_id::udt:
            w.string(t.keyspace);
            w.string(t.name);
            w.u16(static_cast<std::uint16_t>(t.params.size()));
            for (std::size_t i = 0; i < t.params.size(); ++i) {
                w.string(i < t.field_names.size() ? t.field_names[i] : std::string_view{});
                encode_type(w, t.params[i]);
            }
            break;
        default: break;
    }
}

void encode_void_result(byte_writer& w) { w.i32(static_cast<std::int32_t>(result_kind::void_)); }

void encode_set_keyspace_result(byte_writer& w, std::string_view keyspace) {
    w.i32(static_cast<std::int32_t>(result_kind::set_keyspace));
    w.string(keyspace);
}

namespace {
bool shares_table(const std::vector<column_spec>& cols) {
    for (const auto& c : cols)
        if (c.keyspace != cols.front().keyspace || c.table != cols.front().table) return false;
    return !cols.empty();
}

// [<global_table_spec>]<col_spec_1>...<col_spec_n>
void write_column_specs(byte_writer& w, const std::vector<column_spec>& cols, bool global) {
    if (global) {
        w.string(cols.front().keyspace);
        w.string(cols.front().table);
    }
    for (const auto& c : cols) {
        if (!global) {
            w.string(c.keyspace);
            w.string(c.table);
        }
        w.string(c.name);
        encode_type(w, c.type);
    }
}
}  // namespace

void encode_rows_metadata(byte_writer& w, const rows_header& h) {
    const bool global = !h.no_metadata && shares_table(h.columns);
    std::int32_t flags = 0;
    if (global) flags |= rows_flags::global_tables_spec;
    if (h.paging_state) flags |= rows_flags::has_more_pages;
    if (h.no_metadata) flags |= rows_flags::no_metadata;
    if (h.new_metadata_id) flags |= rows_flags::metadata_changed;
    w.i32(flags);
    w.i32(static_cast<std::int32_t>(h.columns.size()));
    if (h.paging_state) w.bytes(*h.paging_state);
    if (h.new_metadata_id) w.short_bytes(*h.new_metadata_id);
    if (!h.no_metadata) write_column_specs(w, h.columns, global);
}

void begin_rows_result(byte_writer& w, const rows_header& h, std::int32_t rows_count) {
    w.i32(static_cast<std::int32_t>(result_kind::rows));
    encode_rows_metadata(w, h);
    w.i32(rows_count);
}

void encode_prepared_result(byte_writer& w, bytes_view id, bytes_view result_metadata_id,
                            const prepared_metadata& variables, const rows_header& result, int version) {
    w.i32(static_cast<std::int32_t>(result_kind::prepared));
    w.short_bytes(id);
    if (version >= 5) w.short_bytes(result_metadata_id);
    const bool global = shares_table(variables.columns);
    w.i32(global ? rows_flags::global_tables_spec : 0);
    w.i32(static_cast<std::int32_t>(variables.columns.size()));
    w.i32(static_cast<std::int32_t>(variables.pk_indexes.size()));
    for (auto i : variables.pk_indexes) w.u16(i);
    write_column_specs(w, variables.columns, global);
    encode_rows_metadata(w, result);
}

}  // namespace async_cassandra::protocol::server

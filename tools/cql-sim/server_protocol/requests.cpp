// Request decoders for a server (tools/cql-sim, scripted test peers): the
// mirror of requests.cpp, checking every field as the client's decoders do.
#include <server_protocol/server_protocol.hpp>

namespace async_cassandra::protocol::server {

namespace {
constexpr std::uint32_t values_flag = 0x0001, skip_metadata_flag = 0x0002, page_size_flag = 0x0004,
                        paging_state_flag = 0x0008, serial_flag = 0x0010, timestamp_flag = 0x0020, names_flag = 0x0040,
                        keyspace_flag = 0x0080, now_flag = 0x0100;

consistency read_consistency(byte_reader& r, const char* what) {
    auto v = r.u16(what);
    if (v > static_cast<std::uint16_t>(consistency::local_one))
        r.fail(protocol_errc::malformed, what, "unknown consistency " + std::to_string(v), 2);
    return static_cast<consistency>(v);
}

std::uint32_t read_flags(byte_reader& r, int version, const char* what) {
    return version >= 5 ? static_cast<std::uint32_t>(r.i32(what)) : r.u8(what);
}

value_ref read_value(byte_reader& r) {
    auto n = r.i32("value length");
    if (n == -1) return value_ref::null();
    if (n == -2) return value_ref::unset();
    if (n < 0) r.fail(protocol_errc::malformed, "value length", "negative length " + std::to_string(n), 4);
    return value_ref::of(r.raw(static_cast<std::size_t>(n), "value"));
}

// The fields QUERY/EXECUTE and BATCH share after the values, in wire order.
template <class Out>
void read_trailing(byte_reader& r, std::uint32_t flags, int version, Out& out) {
    if (flags & serial_flag) out.serial_consistency = read_consistency(r, "serial consistency");
    if (flags & timestamp_flag) out.default_timestamp = r.i64("default timestamp");
    if (version >= 5 && (flags & keyspace_flag)) out.keyspace = r.string("keyspace");
    if (version >= 5 && (flags & now_flag)) out.now_in_seconds = r.i32("now in seconds");
}
}  // namespace

string_map decode_startup(byte_reader& r) {
    auto n = r.count(r.u16("startup option count"), 4, "startup option count");
    string_map m;
    m.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::string k(r.string("startup option key"));
        m.emplace_back(std::move(k), std::string(r.string("startup option value")));
    }
    return m;
}

std::optional<bytes_view> decode_auth_response(byte_reader& r) { return r.bytes("auth response token"); }

std::vector<std::string> decode_register(byte_reader& r) {
    auto n = r.count(r.u16("register event count"), 2, "register event count");
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.emplace_back(r.string("register event type"));
    return out;
}

decoded_parameters decode_query_parameters(byte_reader& r, int version) {
    decoded_parameters d;
    auto& p = d.params;
    p.consistency_level = read_consistency(r, "consistency");
    const auto flags = read_flags(r, version, "query flags");
    if (flags & values_flag) {
        auto n = r.count(r.u16("value count"), 4, "value count");
        d.values.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (flags & names_flag) d.names.push_back(r.string("value name"));
            d.values.push_back(read_value(r));
        }
    }
    p.skip_metadata = (flags & skip_metadata_flag) != 0;
    if (flags & page_size_flag) p.page_size = r.i32("page size");
    if (flags & paging_state_flag) {
        auto ps = r.bytes("paging state");
        if (!ps) r.fail(protocol_errc::malformed, "paging state", "null", 4);
        p.paging_state = *ps;
    }
    read_trailing(r, flags, version, p);
    p.values = d.values;
    p.names = d.names;
    return d;
}

query_request decode_query(byte_reader& r, int version) {
    query_request q;
    q.query = r.long_string("query string");
    // Moving the vectors keeps their buffers, so the spans stay valid.
    q.parameters = decode_query_parameters(r, version);
    return q;
}

prepare_request decode_prepare(byte_reader& r, int version) {
    prepare_request p;
    p.query = r.long_string("prepare query");
    if (version >= 5) {
        auto flags = r.i32("prepare flags");
        if (flags & 0x01) p.keyspace = r.string("prepare keyspace");
    }
    return p;
}

execute_request decode_execute(byte_reader& r, int version) {
    execute_request e;
    e.id = r.short_bytes("execute id");
    if (version >= 5) e.result_metadata_id = r.short_bytes("execute result metadata id");
    e.parameters = decode_query_parameters(r, version);
    return e;
}

batch_request decode_batch(byte_reader& r, int version) {
    batch_request b;
    auto type = r.u8("batch type");
    if (type > 2) r.fail(protocol_errc::malformed, "batch type", "unknown type " + std::to_string(type), 1);
    b.type = static_cast<batch_type>(type);
    auto n = r.count(r.u16("batch statement count"), 7, "batch statement count");
    b.statements.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        decoded_batch_statement s;
        auto kind = r.u8("batch statement kind");
        if (kind > 1)
            r.fail(protocol_errc::malformed, "batch statement kind", "unknown kind " + std::to_string(kind), 1);
        s.prepared = kind == 1;
        if (s.prepared)
            s.id = r.short_bytes("batch prepared id");
        else
            s.query = r.long_string("batch query");
        auto nv = r.count(r.u16("batch value count"), 4, "batch value count");
        s.values.reserve(nv);
        for (std::size_t k = 0; k < nv; ++k) s.values.push_back(read_value(r));
        b.statements.push_back(std::move(s));
    }
    b.consistency_level = read_consistency(r, "batch consistency");
    const auto flags = read_flags(r, version, "batch flags");
    read_trailing(r, flags, version, b);
    return b;
}

}  // namespace async_cassandra::protocol::server

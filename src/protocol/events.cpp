#include <async_cassandra/protocol/events.hpp>

#include "notation.hpp"

namespace async_cassandra::protocol {

schema_change decode_schema_change(byte_reader& r) {
    schema_change s;
    s.change_type = r.string("schema change type");
    s.target = r.string("schema change target");
    const bool function_like = s.target == "FUNCTION" || s.target == "AGGREGATE";
    if (!function_like && s.target != "KEYSPACE" && s.target != "TABLE" && s.target != "TYPE")
        r.fail(protocol_errc::malformed, "schema change target", "unknown target '" + s.target + "'",
               2 + s.target.size());
    s.keyspace = r.string("schema change keyspace");
    if (s.target == "KEYSPACE") return s;
    s.name = r.string("schema change name");
    if (function_like) s.arg_types = detail::read_string_list(r, "schema change argument types");
    return s;
}

namespace {
inet_endpoint read_inet(byte_reader& r, const char* what) {
    inet_endpoint e;
    e.address = detail::read_inetaddr(r, what);
    auto port = r.i32(what);
    if (port < 0 || port > 0xFFFF) r.fail(protocol_errc::malformed, what, "port " + std::to_string(port), 4);
    e.port = static_cast<std::uint16_t>(port);
    return e;
}
}  // namespace

event_body decode_event(byte_reader& r) {
    auto type = r.string("event type");
    if (type == event_type::topology_change) {
        topology_change_event e;
        e.change = r.string("topology change type");
        e.node = read_inet(r, "topology change address");
        return e;
    }
    if (type == event_type::status_change) {
        status_change_event e;
        e.change = r.string("status change type");
        e.node = read_inet(r, "status change address");
        return e;
    }
    if (type == event_type::schema_change) return decode_schema_change(r);
    r.fail(protocol_errc::malformed, "event type", "unknown event '" + std::string(type) + "'", 2 + type.size());
}

}  // namespace async_cassandra::protocol

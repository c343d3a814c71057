// EVENT (spec 4.2.6), pushed on stream -1 to connections that REGISTERed,
// and the schema change description it shares with RESULT Schema_change.
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace async_cassandra::protocol {

// The event types REGISTER accepts and EVENT names.
namespace event_type {
inline constexpr std::string_view topology_change = "TOPOLOGY_CHANGE";
inline constexpr std::string_view status_change = "STATUS_CHANGE";
inline constexpr std::string_view schema_change = "SCHEMA_CHANGE";
}  // namespace event_type

// <change_type><target><options> (spec 4.2.6).
struct schema_change {
    std::string change_type;  // CREATED, UPDATED, DROPPED
    std::string target;       // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
    std::string keyspace;
    std::string name;                    // all but KEYSPACE
    std::vector<std::string> arg_types;  // FUNCTION, AGGREGATE: CQL argument types
};
// Throws protocol_error (malformed) for a target the spec does not define.
schema_change decode_schema_change(byte_reader& r);

// [inet]: an address (text, "10.0.0.1" or "::1") and a port.
struct inet_endpoint {
    std::string address;
    std::uint16_t port = 0;
    bool operator==(const inet_endpoint&) const = default;
};

struct topology_change_event {
    std::string change;  // NEW_NODE, REMOVED_NODE
    inet_endpoint node;
};
struct status_change_event {
    std::string change;  // UP, DOWN
    inet_endpoint node;
};
using event_body = std::variant<topology_change_event, status_change_event, schema_change>;

// Throws protocol_error (malformed) for an unknown event type.
event_body decode_event(byte_reader& r);

}  // namespace async_cassandra::protocol

// A request's trace, as the server records it in system_traces (read with
// session::get_trace after running a statement with set_tracing()).
#pragma once

#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/uuid.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace async_cassandra {

// One row of system_traces.events: a step some node took.
struct trace_event {
    uuid event_id;  // a timeuuid
    std::string activity;
    inet_address source;
    std::optional<std::int32_t> source_elapsed_us;  // since the node began the request
    std::string thread;
};

// system_traces.sessions for one request, and its events in order.
struct query_trace {
    uuid id;
    std::string request;  // what ran, e.g. "Execute CQL3 query"
    std::string command;  // QUERY, ...
    inet_address coordinator;
    inet_address client;
    std::chrono::microseconds duration{0};
    std::chrono::sys_time<std::chrono::milliseconds> started_at;
    std::map<std::string, std::string> parameters;  // consistency_level, query, ...
    std::vector<trace_event> events;
};

}  // namespace async_cassandra

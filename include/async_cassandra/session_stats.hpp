// A snapshot of a session's and its cluster's request counters.
#pragma once

#include <cstddef>

namespace async_cassandra {

// Taken by session::stats() on the session's executor.
struct session_stats {
    std::size_t in_flight = 0;  // this session's requests not yet completed, waiting ones included
    std::size_t queued = 0;     // this session's requests waiting for a stream id
    // All open connections together:
    std::size_t connection_in_flight = 0;  // requests awaiting an answer
    std::size_t connection_orphaned = 0;   // ids of abandoned requests whose answer is still due
    std::size_t connection_queued = 0;     // requests (of any session) waiting there for a stream id
    // The cluster, since it connected:
    std::size_t connections_opened = 0;
    std::size_t connections_replaced = 0;  // retired for collecting too many orphaned ids
    std::size_t requests_sent = 0;         // requests handed to the wire
    std::size_t retries = 0;               // attempts the retry policy asked for
    std::size_t speculative_executions = 0;
    std::size_t open_connections = 0;  // in the pools (the control connection not counted)
};

}  // namespace async_cassandra

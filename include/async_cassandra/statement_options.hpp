// Per-request options shared by statement, bound_statement and batch.
#pragma once

#include <async_cassandra/consistency.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace async_cassandra {

// A request's custom payload (envelope flag 0x04): a [bytes map] handed to the
// server's query handler; the server may answer with one of its own.
using custom_payload = std::vector<std::pair<std::string, std::vector<std::byte>>>;

// The options as a plain struct; unset optionals take the cluster's defaults.
struct request_options {
    std::optional<consistency> consistency_level;
    std::optional<consistency> serial_consistency_level;  // the Paxos phase of lightweight transactions
    std::optional<std::int64_t> default_timestamp;        // microseconds since the epoch, >= 0
    std::optional<std::chrono::milliseconds> timeout;
    bool idempotent = false;  // may run twice with the same effect: retry logic may resend it
    // v5 sends it with the request; v4 cannot, so there it must be empty or
    // the session's keyspace (invalid_request otherwise).
    std::string keyspace;
    bool tracing = false;  // the result then has a tracing_id for session::get_trace
    custom_payload payload;
    // An execution profile of cluster_config::profiles; empty: the defaults.
    std::string profile;
    // The serialized partition key, for token-aware routing of statements
    // the driver cannot derive it for (simple statements). Bound prepared
    // statements compute it from their values.
    std::optional<std::vector<std::byte>> routing_key;
    std::optional<std::int32_t> now_in_seconds;  // v5 only: the server's "now" for TTLs and deletions
    // Statements only; a batch has no pages.
    std::optional<std::int32_t> page_size;
    std::optional<std::string> paging_state;
};

}  // namespace async_cassandra

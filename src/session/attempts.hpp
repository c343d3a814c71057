// Runs one request across hosts: the load-balancing plan, the retry policy,
// speculative executions for idempotent requests, the request's deadline,
// and schema agreement after DDL.
#pragma once

#include "connection/connection.hpp"
#include "metrics/probe.hpp"

#include <async_cassandra/result_set.hpp>
#include <async_cassandra/statement_options.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace async_cassandra::detail {

class cluster_impl;
class session_impl;

// What one attempt needs besides the request itself.
struct attempt_context {
    connection& conn;
    std::chrono::milliseconds timeout;  // what is left of the request's
    consistency cl;                     // the request's (or a retry's) consistency
    std::optional<consistency> serial_cl;
};

// One attempt on ctx.conn, writing the answer into `out`; it handles
// UNPREPARED itself (re-prepares on that connection and sends again).
using attempt_fn = std::function<asio::awaitable<std::error_code>(const attempt_context& ctx, result_set& out,
                                                                  diagnostics& diag)>;

// Where the request's data lives, for token-aware routing.
struct routing_input {
    std::string_view keyspace;
    std::optional<std::int64_t> token;
};

// cluster_impl::wait_schema_agreement() from any executor: on the cluster's
// strand when io_threads > 1 (hopping there and back), else here.
asio::awaitable<bool> schema_agreement(cluster_impl& cl);

// `probe` (null: nothing recorded) is the user request this runs: its start
// is the deadline's, it learns the attempt that answered, and it is finished
// here, at the end of that attempt (after schema agreement for DDL).
asio::awaitable<std::error_code> run_request(session_impl& s, const request_options& o, const routing_input& where,
                                             const attempt_fn& attempt, result_set& out, diagnostics& diag,
                                             request_probe* probe = nullptr);

}  // namespace async_cassandra::detail

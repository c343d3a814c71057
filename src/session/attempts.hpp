// Runs one request across hosts: the load-balancing plan, the retry policy,
// speculative executions for idempotent requests, the request's deadline,
// and schema agreement after DDL.
#pragma once

#include "connection/connection.hpp"
#include "metrics/probe.hpp"

#include <async_cassandra/config.hpp>
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
    consistency consistency_level;      // the request's (or a retry's) consistency
    std::optional<consistency> serial_consistency_level;
    // The request's write time, the same for all its attempts; nullopt: the server's.
    std::optional<std::int64_t> timestamp;
    // The node answered UNPREPARED to this attempt's first send: prepare
    // there, then send again (no further re-prepare).
    bool reprepare_first = false;
};

// The first attempt of a request that request_op made on its direct path,
// handed to run_request for everything after it: the retry policy after a
// failure, re-preparing after UNPREPARED, schema agreement after DDL.
struct prior_attempt {
    host_ptr host;
    std::shared_ptr<connection> conn;
    error_code ec;              // its outcome (the details are in the request's diagnostics)
    result_set* out = nullptr;  // its result, on success (may be run_request's `out` itself)
    std::chrono::steady_clock::time_point ended;
    // UNPREPARED: the attempt goes on (re-prepare and send again) under the
    // host's probe that started at attempt_start.
    std::chrono::steady_clock::time_point attempt_start;
    std::optional<std::int64_t> timestamp;  // the request's: retries send the same
};

// One attempt on ctx.conn, writing the answer into `out`; it handles
// UNPREPARED itself (re-prepares on that connection and sends again).
using attempt_fn =
    std::function<asio::awaitable<error_code>(const attempt_context& ctx, result_set& out, diagnostics& diag)>;

// Where the request's data lives, for token-aware routing.
struct routing_input {
    std::string_view keyspace;
    std::optional<std::int64_t> token;
};

// A request's options resolved, each from the statement, else its
// execution profile, else the cluster's configuration. The one place this
// is decided: execute, prepare, batches, paging and streams all come here.
struct resolved_options {
    const execution_profile* profile = nullptr;  // null: the cluster's policies
    std::chrono::milliseconds timeout{};
    consistency consistency_level = consistency::local_one;
    std::optional<consistency> serial_consistency_level;
    // Idempotent requests only, and only with more than one execution.
    std::optional<speculative_execution> speculation;
    // The statement's own, else the cluster's generator's (taken here, once
    // per request: retries and speculative executions write with it too).
    std::optional<std::int64_t> timestamp;
};
// Errors: invalid_request for an unknown profile (named in `diag`).
error_code resolve_options(const cluster_impl& cl, const request_options& o, resolved_options& r, diagnostics& diag);

// `probe` (null: nothing recorded) is the user request this runs: its start
// is the deadline's, it learns the attempt that answered, and it is finished
// here, at the end of that attempt (after schema agreement for DDL).
// `prior` (may be null): the first attempt, already made; the plan then
// leaves its host out (except to retry there).
asio::awaitable<error_code> run_request(session_impl& s, const request_options& o, const routing_input& where,
                                        const attempt_fn& attempt, result_set& out, diagnostics& diag,
                                        request_probe* probe = nullptr, prior_attempt* prior = nullptr);

}  // namespace async_cassandra::detail

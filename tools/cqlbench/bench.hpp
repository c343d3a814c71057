// cqlbench's engine: runs one benchmark described by options on the calling
// coroutine's executor and returns its figures. The binary and the tests
// both drive it.
#pragma once

#include "options.hpp"
#include "report.hpp"

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace cqlbench {

// The statements a workload runs, as the client prepares them (cql-sim
// rules must match them exactly).
std::string insert_query(const options& o);
std::string select_query(const options& o);
std::string scan_query(const options& o);

// Through the client library: connect, optionally create the schema,
// prepare, run the workers. Throws async_cassandra::error when connecting,
// creating or preparing fails; failed ops are counted, not thrown.
asio::awaitable<run_result> run_client(const options& o);

// The wire limit: one raw socket, pre-encoded EXECUTE frames with distinct
// stream ids, answers read only as far as their length (ceiling.cpp).
asio::awaitable<run_result> run_ceiling(const options& o);

inline asio::awaitable<run_result> run(const options& o) { return o.ceiling ? run_ceiling(o) : run_client(o); }

// The result of run(), or why there is none.
struct outcome {
    std::optional<run_result> result;
    std::string failure;  // the exception's message, or "did not finish"
};

// Runs run(o) on `io` until it ends (at most `limit`; zero: no limit), then
// calls on_done (e.g. to stop an in-process server sharing `io`).
outcome run_blocking(asio::io_context& io, const options& o, std::function<void()> on_done = {},
                     std::chrono::seconds limit = std::chrono::seconds(0));

}  // namespace cqlbench

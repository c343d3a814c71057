// What every harness of tests/docs/harness/ includes (and the precompiled
// header of doc_blocks): the driver, the Asio and standard headers the docs'
// fragments use, and the helpers they call without defining them.
#pragma once

#include <async_cassandra/async_cassandra.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

namespace doc_blocks {

// Called once by every fragment compiled into doc_blocks, at start-up.
bool add(const char* doc_and_line);

}  // namespace doc_blocks

// The helpers fragments call, as if the surrounding program had them
// (defined in doc_helpers.cpp, never called).
namespace doc_helpers {

void consume(std::int64_t id, std::string_view payload);
void consume(const async_cassandra::row_view& row);
void use(const async_cassandra::row_view& row);
std::string read_secret();
asio::awaitable<void> worker(async_cassandra::session& session);

struct my_tracer : async_cassandra::request_listener {
    void on_start(const async_cassandra::request_info&) override {}
    void on_end(const async_cassandra::request_info&) override {}
    void on_error(const async_cassandra::request_info&) override {}
};

}  // namespace doc_helpers

// Shared set-up of the fault tests: our client against an in-process cql-sim
// on one io_context (one thread), and small helpers to read outcomes.
#pragma once

#include "integration/test_env.hpp"  // CO_ASSERT

#include <cql_sim/server.hpp>

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <string>

namespace fault_env {

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline double ms(clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// A sim and the loop both it and the client run on.
struct sim_env {
    asio::io_context io;
    cql_sim::server sim;

    explicit sim_env(cql_sim::config cfg = {}) : sim(io.get_executor(), std::move(cfg)) { sim.start(); }

    // A client configuration for the sim's node 1 (127.0.0.1) and port.
    ac::cluster_config client_config(int version = 5) const {
        ac::cluster_config cfg;
        cfg.contact_points = {"127.0.0.1"};
        cfg.port = sim.port();
        cfg.protocol_version = version;
        cfg.request_timeout = 10s;
        return cfg;
    }

    // Runs the test coroutine `fn()` to its end (then stops the sim), failing
    // the test if it throws or takes longer than `limit`: a hang fails, it
    // does not block the suite.
    template <class Fn>
    void run(Fn&& fn, clock::duration limit = 30s) {
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::forward<Fn>(fn)(), [&](std::exception_ptr e) {
            failure = e;
            done = true;
            sim.stop();
        });
        const auto deadline = clock::now() + limit;
        while (!done && clock::now() < deadline && io.run_one_until(deadline) > 0) {
        }
        io.poll();  // what the end of the test made ready (closing sockets, ...)
        ASSERT_TRUE(done) << "the test coroutine did not finish within " << ms(limit) << " ms";
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                FAIL() << "exception: " << e.what();
            }
        }
    }
};

// How one request ended.
struct outcome {
    ac::error_code ec;
    ac::diagnostics diag;
    ac::result_set rs;
    clock::duration took{};
};

// Runs `st` and reports how it ended instead of throwing.
template <class Statement>
asio::awaitable<outcome> attempt(ac::session& s, Statement st) {
    outcome o;
    const auto t0 = clock::now();
    auto [ec, rs] = co_await s.async_execute(std::move(st), o.diag, asio::experimental::as_tuple(asio::use_awaitable));
    o.took = clock::now() - t0;
    o.ec = ec;
    o.rs = std::move(rs);
    co_return o;
}

// Whether the coroutine forms would throw an E for this outcome.
template <class E>
bool throws_as(const outcome& o) {
    try {
        ac::throw_on_error(o.ec, o.diag);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
    return false;
}

// Suspends for `d` on the current coroutine's executor.
inline asio::awaitable<void> sleep_for(clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Polls `cond` every 2 ms until it holds; false if `limit` passes first.
inline asio::awaitable<bool> wait_until(std::function<bool()> cond, clock::duration limit = 10s) {
    const auto deadline = clock::now() + limit;
    while (!cond()) {
        if (clock::now() >= deadline) co_return false;
        co_await sleep_for(2ms);
    }
    co_return true;
}

// The one int column of the first row.
inline std::int32_t first_int(const ac::result_set& rs) { return rs.first_row().get<std::int32_t>(0); }

}  // namespace fault_env

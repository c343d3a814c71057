// Shared set-up for tests against the real Cassandra that scripts/cassandra starts.
#pragma once

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <string>

#include <stdexcept>

// ASSERT_* cannot return from a coroutine: this throws instead, and run()
// reports it as a failure.
#define CO_ASSERT(cond)                                                                                \
    do {                                                                                               \
        if (!(cond))                                                                                   \
            throw std::runtime_error(std::string("assertion failed: " #cond " at ") + __FILE__ + ":" + \
                                     std::to_string(__LINE__));                                        \
    } while (0)

namespace test_env {

// The node to test against; AC_TEST_HOST overrides 127.0.0.1.
inline std::string host() {
    const char* h = std::getenv("AC_TEST_HOST");
    return h && *h ? h : "127.0.0.1";
}

inline async_cassandra::cluster_config config(int version = 5,
                                              async_cassandra::compression c = async_cassandra::compression::none) {
    async_cassandra::cluster_config cfg;
    cfg.contact_points = {host()};
    cfg.protocol_version = version;
    cfg.compression = c;
    cfg.request_timeout = std::chrono::seconds(30);
    return cfg;
}

// Runs a coroutine to completion on a fresh io_context, failing the test if
// it throws or takes longer than `limit`.
template <class Fn>
void run(Fn&& fn, std::chrono::seconds limit = std::chrono::seconds(60)) {
    asio::io_context io;
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(io, std::forward<Fn>(fn)(), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    io.run_for(limit);
    ASSERT_TRUE(done) << "test coroutine did not finish within " << limit.count() << " s";
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            FAIL() << "exception: " << e.what();
        }
    }
}

}  // namespace test_env

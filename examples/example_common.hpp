// What the examples share: a main() that runs one coroutine on an io_context
// and turns an exception into a message and exit status 1 (hello.cpp spells
// it out), and the keyspace they create their tables in.
#pragma once

#include <async_cassandra/session.hpp>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <utility>

// Runs `task` to completion; EXIT_SUCCESS, or EXIT_FAILURE after printing
// "<name>: <what went wrong>" on standard error.
inline int run_example(const char* name, asio::awaitable<void> task) {
    asio::io_context io;
    int status = EXIT_SUCCESS;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << name << ": " << ex.what() << '\n';
            status = EXIT_FAILURE;
        }
    });
    io.run();
    return status;
}

// A keyspace with one replica per row: enough for a single local node.
inline asio::awaitable<void> create_keyspace(async_cassandra::session& session, const std::string& name) {
    co_await session.execute("CREATE KEYSPACE IF NOT EXISTS " + name +
                             " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
}

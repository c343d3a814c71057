// Runs one coroutine to completion on an io_context, from ordinary code. The
// shell is synchronous between requests (it waits for the user or writes
// output) and the event loop runs only while a request is out.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace cql_tool {

// Returns op's result or rethrows its exception. Work that outlives op (a
// connection's pending read, a prefetched page) stays queued for the next
// call: the loop stops as soon as op is done, not when the context is idle.
template <class T>
T run_sync(asio::io_context& io, asio::awaitable<T> op) {
    std::exception_ptr error;
    bool done = false;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
    if constexpr (std::is_void_v<T>) {
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e) {
            error = e;
            done = true;
        });
    } else {
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e) result.emplace(std::move(v));
            done = true;
        });
    }
    while (!done) {
        if (io.run_one() == 0) {
            io.restart();
            if (!done) throw std::logic_error("event loop ran out of work before the operation completed");
        }
    }
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace cql_tool

// Runs one coroutine to completion on an io_context, from ordinary code. The
// shell is synchronous between requests (it waits for the user or writes
// output) and the event loop runs only while a request is out.
#pragma once

#include <asio/bind_cancellation_slot.hpp>
#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <csignal>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace cql_tool {

// Returns op's result or rethrows its exception. Work that outlives op (a
// connection's pending read, a prefetched page) stays queued for the next
// call: the loop stops as soon as op is done, not when the context is idle.
// With `interruptible`, Ctrl-C (SIGINT) cancels op (terminal cancellation:
// the request is abandoned, op fails with operation_aborted) instead of
// ending the process.
template <class T>
T run_sync(asio::io_context& io, asio::awaitable<T> op, bool interruptible = false) {
    struct state {
        std::exception_ptr error;
        bool done = false;
        std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
        asio::cancellation_signal cancel;
    };
    // Shared: the signal wait's handler may run after this call returns.
    const auto st = std::make_shared<state>();
    std::optional<asio::signal_set> interrupt;
    if (interruptible) {
        interrupt.emplace(io, SIGINT);
        interrupt->async_wait([st](std::error_code ec, int) {
            if (!ec && !st->done) st->cancel.emit(asio::cancellation_type::terminal);
        });
    }
    if constexpr (std::is_void_v<T>) {
        asio::co_spawn(io, std::move(op), asio::bind_cancellation_slot(st->cancel.slot(), [st](std::exception_ptr e) {
                           st->error = e;
                           st->done = true;
                       }));
    } else {
        asio::co_spawn(io, std::move(op),
                       asio::bind_cancellation_slot(st->cancel.slot(), [st](std::exception_ptr e, T v) {
                           st->error = e;
                           if (!e) st->result.emplace(std::move(v));
                           st->done = true;
                       }));
    }
    while (!st->done) {
        if (io.run_one() == 0) {
            io.restart();
            if (!st->done) throw std::logic_error("event loop ran out of work before the operation completed");
        }
    }
    interrupt.reset();  // SIGINT's default action again
    if (st->error) std::rethrow_exception(st->error);
    if constexpr (!std::is_void_v<T>) return std::move(*st->result);
}

}  // namespace cql_tool

// Runs one coroutine to completion on an io_context, from ordinary code. The
// shell is synchronous between requests (it waits for the user or writes
// output) and the event loop runs only while a request is out.
#pragma once

// Standard headers first: Asio 1.22's config reads libstdc++'s macros
// (_GLIBCXX_HAVE_ALIGNED_ALLOC) without including any, so a translation unit
// that starts with an Asio header picks operator new for the recycling
// allocator where the others pick aligned_alloc: mismatched frees.
#include <csignal>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

namespace cql_tool {

// Ctrl-C for the interactive shell: while it lives, SIGINT no longer ends
// the process. It cancels the operation run_sync is running, and stays
// noted (requested()) so that a loop between operations (pages being
// written) stops too, even when the signal came while no request was out.
class interrupt_watch {
public:
    explicit interrupt_watch(asio::io_context& io) : set_(io, SIGINT) { arm(); }
    interrupt_watch(const interrupt_watch&) = delete;
    interrupt_watch& operator=(const interrupt_watch&) = delete;

    bool requested() const noexcept { return state_->requested; }
    void clear() noexcept { state_->requested = false; }
    // The cancellation signal of the operation in flight (run_sync), or null.
    void attach(asio::cancellation_signal* s) noexcept { state_->current = s; }

private:
    struct state {
        bool requested = false;
        asio::cancellation_signal* current = nullptr;
    };
    void arm() {
        set_.async_wait([this, st = state_](std::error_code ec, int) {
            if (ec) return;  // the watch is gone: touch nothing but st
            st->requested = true;
            if (st->current) st->current->emit(asio::cancellation_type::terminal);
            arm();
        });
    }

    std::shared_ptr<state> state_ = std::make_shared<state>();
    asio::signal_set set_;
};

// Returns op's result or rethrows its exception. Work that outlives op (a
// connection's pending read, a prefetched page) stays queued for the next
// call: the loop stops as soon as op is done, not when the context is idle.
// With a `watch`, Ctrl-C cancels op (terminal cancellation: the request is
// abandoned and op fails with operation_aborted); a Ctrl-C already noted
// fails it before it starts.
template <class T>
T run_sync(asio::io_context& io, asio::awaitable<T> op, interrupt_watch* watch = nullptr) {
    if (watch && watch->requested()) throw std::system_error(asio::error::operation_aborted);
    struct state {
        std::exception_ptr error;
        bool done = false;
        std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
        asio::cancellation_signal cancel;
    };
    const auto st = std::make_shared<state>();
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
    struct detach {
        interrupt_watch* w;
        ~detach() {
            if (w) w->attach(nullptr);
        }
    } const attached{watch};
    if (watch) watch->attach(&st->cancel);
    while (!st->done) {
        if (io.run_one() == 0) {
            io.restart();
            if (!st->done) throw std::logic_error("event loop ran out of work before the operation completed");
        }
    }
    if (st->error) std::rethrow_exception(st->error);
    if constexpr (!std::is_void_v<T>) return std::move(*st->result);
}

}  // namespace cql_tool

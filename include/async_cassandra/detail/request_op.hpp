// session::async_execute as one Asio operation: the caller's handler and the
// library's state for the request in one block, allocated through the
// handler's associated allocator (Asio's per-thread recycling allocator when
// it has none) and started by async_initiate: no co_spawn, no coroutine
// frame, no type-erased function. The library completes it from the
// connection's read loop (src/session/request_op.cpp).
#pragma once

#include <async_cassandra/error.hpp>
#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/statement.hpp>

#include <async_cassandra/detail/net.hpp>

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>

namespace async_cassandra::detail {

class session_impl;

// Room for the library's side of one request (request_state in
// src/session/request_op.cpp checks at compile time that it fits).
inline constexpr std::size_t request_state_size = 768;

// Blocks for operations whose handler names no allocator: a per-thread list
// of free blocks of request_block_size (Asio's own per-thread cache keeps
// two blocks of at most 1020 bytes: too small for an operation). Larger
// requests go to operator new. Sized for the state, an executor and a small
// handler (use_awaitable's, a lambda with a few captures): memory per
// request in flight is the point.
inline constexpr std::size_t request_block_size = 1024;
void* allocate_request_block(std::size_t n);
void deallocate_request_block(void* p, std::size_t n) noexcept;

template <class T>
struct request_block_allocator {
    using value_type = T;
    request_block_allocator() noexcept = default;
    template <class U>
    request_block_allocator(const request_block_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(allocate_request_block(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { deallocate_request_block(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const request_block_allocator<U>&) const noexcept {
        return true;
    }
};

// The calling thread runs `ex` now (an io_context's executor, or a strand
// of one); false for executors it cannot tell.
bool running_in_this_thread(const asio::any_io_executor& ex) noexcept;
template <class Executor>
bool running_in_this_thread(const Executor& ex) noexcept {
    if constexpr (requires { ex.running_in_this_thread(); })
        return ex.running_in_this_thread();
    else
        return false;
}

// Where a session's requests start: session::get_executor().
asio::any_io_executor request_executor(const session_impl& s);

// The operation as the library sees it.
class request_op_base {
public:
    // Runs the caller's handler with (ec, rs) and frees the block; the
    // library's state is gone by then. `deferred`: posted, never run here.
    virtual void complete(error_code ec, result_set rs, bool deferred) = 0;
    // Frees the block without running the handler (the request's executor
    // went away with it pending).
    virtual void destroy() noexcept = 0;
    // The caller's cancellation slot (unconnected when it has none).
    virtual asio::cancellation_slot caller_slot() const noexcept = 0;
    // Where the handler runs: its associated executor, else the session's.
    virtual asio::any_io_executor caller_executor() const = 0;

    void* state() noexcept { return state_; }

protected:
    request_op_base() = default;
    ~request_op_base() = default;

private:
    alignas(std::max_align_t) std::byte state_[request_state_size];
};

// Starts the request (its state made in op.state()); completes op exactly
// once. `ex`: the session's request executor (session::get_executor()).
// `s` is borrowed: alive now (the caller's handle holds it); the request
// holds it from here on without a reference count of its own (src/session/request_op.cpp).
void start_operation(request_op_base& op, session_impl& s, asio::any_io_executor ex, statement&& st, diagnostics* diag);
void start_operation(request_op_base& op, session_impl& s, asio::any_io_executor ex, bound_statement&& st,
                     diagnostics* diag);

template <class Handler>
class request_op final : public request_op_base {
public:
    using allocator_type = asio::associated_allocator_t<Handler, request_block_allocator<void>>;
    using block_allocator = typename std::allocator_traits<allocator_type>::template rebind_alloc<request_op>;

    static request_op* make(Handler&& h, asio::any_io_executor ex) {
        block_allocator a(asio::get_associated_allocator(h, request_block_allocator<void>()));
        auto* p = std::allocator_traits<block_allocator>::allocate(a, 1);
        return ::new (static_cast<void*>(p)) request_op(std::move(h), std::move(ex));
    }

    void complete(error_code ec, result_set rs, bool deferred) override {
        block_allocator a(asio::get_associated_allocator(handler_, request_block_allocator<void>()));
        Handler h(std::move(handler_));
        auto ex = asio::get_associated_executor(h, ex_);
        free_block(a);  // before the upcall: the handler may start the next request in this memory
        if (!deferred && running_in_this_thread(ex)) {
            std::move(h)(ec, std::move(rs));  // what dispatch would do, without type-erasing the call
            return;
        }
        auto run = [h = std::move(h), ec, rs = std::move(rs)]() mutable { std::move(h)(ec, std::move(rs)); };
        if (deferred)
            asio::post(ex, std::move(run));
        else
            asio::dispatch(ex, std::move(run));
    }
    void destroy() noexcept override {
        free_block(block_allocator(asio::get_associated_allocator(handler_, request_block_allocator<void>())));
    }
    asio::cancellation_slot caller_slot() const noexcept override {
        return asio::get_associated_cancellation_slot(handler_);
    }
    asio::any_io_executor caller_executor() const override {
        auto ex = asio::get_associated_executor(handler_, ex_);
        if constexpr (std::is_convertible_v<decltype(ex), asio::any_io_executor>)
            return ex;
        else
            return ex_;  // e.g. use_future's, which any thread may complete
    }

private:
    request_op(Handler&& h, asio::any_io_executor ex) : handler_(std::move(h)), ex_(std::move(ex)) {}

    void free_block(block_allocator a) noexcept {
        this->~request_op();
        std::allocator_traits<block_allocator>::deallocate(a, this, 1);
    }

    Handler handler_;
    asio::any_io_executor ex_;  // where the handler runs when it names no executor of its own
};

// The async_initiate of session::async_execute (statement or bound_statement).
// Called with the session's executor already taken (it throws for an empty handle).
// The statement is moved twice: into the token's storage (a use_awaitable
// frame), then into the operation. The session is borrowed, as an Asio I/O
// object is: its handle must stay alive until the operation starts (at once
// for callbacks and use_future; at co_await for use_awaitable; when launched
// for deferred), not until it completes. Copying the handle's reference
// instead would cost every request two writes to a count all shards share.
template <class Statement, class Token>
auto async_execute_operation(session_impl& session, Statement&& statement, diagnostics* diagnostics_out,
                             Token&& token) {
    return asio::async_initiate<Token, void(error_code, result_set)>(
        [](auto handler, session_impl* s, Statement&& st, diagnostics* diag) {
            auto ex = request_executor(*s);
            auto* op = request_op<decltype(handler)>::make(std::move(handler), ex);
            start_operation(*op, *s, std::move(ex), std::move(st), diag);
        },
        token, &session, std::move(statement), diagnostics_out);
}

}  // namespace async_cassandra::detail

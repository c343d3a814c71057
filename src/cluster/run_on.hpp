// The one way the library moves work between executors. State has one
// home executor: the cluster's (its strand when io_threads > 1), a stream's
// shard, a connection's strand. Code that touches that state from
// elsewhere awaits run_on(home, op): right here when the caller already
// runs there (always so with io_threads = 1 on the cluster's own loop),
// else on `home`, the caller resuming on its own executor. No caller asks
// whether the cluster is threaded.
#pragma once

#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/detail/request_op.hpp>

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

namespace async_cassandra::detail {

// The hop itself, made outside any coroutine: g++ 12 destroys a by-value
// parameter of a co_await expression (a lambda's captures) twice.
template <class T, class Op>
auto hop_to(const asio::any_io_executor& home, error_code& ec, const Op& op) {
    return async_run<T>(home, asio::redirect_error(asio::use_awaitable, ec), op);
}

// Awaits op() on `home`; op returns asio::awaitable<op_result<T>> and must
// own (or be given by pointer) everything it touches: on another executor
// it runs as a coroutine of its own, with the caller's cancellation
// forwarded. `op` is taken by reference for the same g++ 12 reason: name
// it before the co_await.
template <class T, class Op>
asio::awaitable<op_result<T>> run_on(const asio::any_io_executor& home, const Op& op) {
    if (running_in_this_thread(home)) co_return co_await op();
    op_result<T> r;
    if constexpr (std::is_void_v<T>)
        co_await hop_to<T>(home, r.first, op);
    else
        r.second = co_await hop_to<T>(home, r.first, op);
    co_return r;
}

// An op for run_on from a member coroutine returning awaitable<T>, or with
// T = void awaitable<void> or awaitable<error_code> (then the op's
// error): `keep` holds its object alive wherever it runs; `fn` (capturing
// raw pointers) starts the member.
template <class T, class Keep, class Fn>
asio::awaitable<op_result<T>> keep_alive_op(Keep keep, Fn fn) {
    op_result<T> r;
    if constexpr (!std::is_void_v<T>)
        r.second = co_await fn();
    else if constexpr (std::is_same_v<typename decltype(fn())::value_type, error_code>)
        r.first = co_await fn();
    else
        co_await fn();
    keep.reset();
    co_return r;
}

}  // namespace async_cassandra::detail

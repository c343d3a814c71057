// The user's handle for running statements.
#pragma once

#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/statement.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <memory>

namespace async_cassandra {

namespace detail {
class session_impl;
asio::awaitable<op_result<result_set>> execute_op(std::shared_ptr<session_impl> s, statement st, diagnostics* diag);
}  // namespace detail

// Thread safety: distinct objects safe; a session and its cluster must be
// used from the cluster's executor (pass a strand for a multi-threaded pool).
// Destroying a session without close() abandons nothing the server needs and
// never blocks; requests in flight still complete.
class session {
public:
    using executor_type = asio::any_io_executor;

    session() = default;
    explicit session(std::shared_ptr<detail::session_impl> impl);
    session(session&&) noexcept = default;
    session& operator=(session&&) noexcept = default;
    ~session();

    executor_type get_executor() const;

    // Runs one statement; completes with the first page of its result.
    // Errors: a server_errc with the server's details in `diag`, or a
    // client_errc (request_timeout, connection_closed, session_closed, ...).
    // `diag` must outlive the operation.
    // Cancellation: terminal; the request is abandoned on the wire.
    template <class Token>
    auto async_execute(statement st, diagnostics& diag, Token&& token) {
        return detail::async_run<result_set>(get_executor(), std::forward<Token>(token),
                                             [impl = impl_, st = std::move(st), d = &diag]() mutable {
                                                 return detail::execute_op(std::move(impl), std::move(st), d);
                                             });
    }
    template <class Token>
    auto async_execute(statement st, Token&& token) {
        return detail::async_run<result_set>(get_executor(), std::forward<Token>(token),
                                             [impl = impl_, st = std::move(st)]() mutable {
                                                 return detail::execute_op(std::move(impl), std::move(st), nullptr);
                                             });
    }

    // Coroutine form: throws async_cassandra::error.
    asio::awaitable<result_set> execute(statement st);

    // Stops new requests and waits for those in flight to finish.
    asio::awaitable<void> close();

private:
    std::shared_ptr<detail::session_impl> impl_;
};

}  // namespace async_cassandra

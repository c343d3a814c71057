// The user's handle for running statements.
#pragma once

#include <async_cassandra/batch.hpp>
#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/detail/request_op.hpp>
#include <async_cassandra/detail/session_ops.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/metrics.hpp>
#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/query_trace.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/statement.hpp>
// Paging, streaming and stats:
#include <async_cassandra/result_pages.hpp>
#include <async_cassandra/row_stream.hpp>
#include <async_cassandra/session_stats.hpp>

#include <async_cassandra/detail/net.hpp>

#include <chrono>
#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace async_cassandra {

// Thread safety (docs/threads.md): distinct objects safe. With
// cluster_config::io_threads = 1 (the default) a session and its cluster are
// used from the cluster's executor (with an io_context run by several
// threads, connect on a strand). With io_threads > 1 one session may be
// shared: every member may be called from any thread or executor at once;
// completions go to the caller's associated executor and cancellation may
// be emitted there.
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

    // Where an operation started from here runs: the cluster's executor;
    // with io_threads > 1 the shard strand the caller runs on, else the next
    // shard in turn (so coroutines spawned on get_executor() spread over the
    // shards and their requests need no hop).
    executor_type get_executor() const;

    // Runs one statement; completes with the first page of its result.
    // Errors: a server_errc with the server's details in `diag`, or a
    // client_errc (request_timeout, connection_closed, session_closed, ...).
    // `diag` must outlive the operation. As with Asio's I/O objects, this
    // handle (or a copy) must stay alive until the operation starts: at once
    // for callbacks and use_future, at co_await for use_awaitable, when
    // launched for deferred. It may go before the operation completes.
    // Cancellation: terminal; the request is abandoned on the wire.
    template <class Token>
    auto async_execute(statement st, diagnostics& diag, Token&& token) {
        return detail::async_execute_operation(*checked_impl(), std::move(st), &diag, std::forward<Token>(token));
    }
    template <class Token>
    auto async_execute(statement st, Token&& token) {
        return detail::async_execute_operation(*checked_impl(), std::move(st), nullptr, std::forward<Token>(token));
    }

    // Coroutine form: throws async_cassandra::error.
    asio::awaitable<result_set> execute(statement st);

    // --- Prepared statements, batches and traces ---
    // Every async_ form completes with void(error_code, T) on any completion
    // token; the diagnostics& overloads fill `diag`, which must outlive the
    // operation. Coroutine forms throw the most specific async_cassandra::error
    // subclass (see throw_on_error). Cancellation: terminal; a request on the
    // wire is abandoned.

    // Prepares st.query() in st.keyspace() (else the session's). The cluster
    // caches prepared statements by (query, keyspace): a cached one comes
    // back without a request, and concurrent prepares of the same text share
    // one PREPARE. st's options (consistency, idempotence, timeout, ...)
    // become the defaults of the statements bind() makes; st must have no
    // values (invalid_request). Errors: the server's (syntax_error, invalid,
    // ...), request_timeout, connection errors.
    template <class Token>
    auto async_prepare(statement st, diagnostics& diag, Token&& token) {
        return detail::start_session_op<prepared_statement>(impl_, get_executor(), std::forward<Token>(token),
                                                            &detail::prepare_op, &diag, std::move(st));
    }
    template <class Token>
    auto async_prepare(statement st, Token&& token) {
        return detail::start_session_op<prepared_statement>(impl_, get_executor(), std::forward<Token>(token),
                                                            &detail::prepare_op, nullptr, std::move(st));
    }
    asio::awaitable<prepared_statement> prepare(statement st);

    // Runs a bound prepared statement (EXECUTE). v5 skips the result metadata
    // the statement already knows and follows the server's changes to it.
    // When the node answers UNPREPARED (it forgot the statement), re-prepares
    // it (one PREPARE for all who need it) and retries once.
    template <class Token>
    auto async_execute(bound_statement st, diagnostics& diag, Token&& token) {
        return detail::async_execute_operation(*checked_impl(), std::move(st), &diag, std::forward<Token>(token));
    }
    template <class Token>
    auto async_execute(bound_statement st, Token&& token) {
        return detail::async_execute_operation(*checked_impl(), std::move(st), nullptr, std::forward<Token>(token));
    }
    asio::awaitable<result_set> execute(bound_statement st);

    // Runs a batch (BATCH). An UNPREPARED answer re-prepares the statement it
    // names and retries, at most once per prepared statement in the batch.
    // The result is void, or for a conditional batch the [applied] rows
    // (result_set::was_applied).
    template <class Token>
    auto async_execute(batch b, diagnostics& diag, Token&& token) {
        return detail::start_session_op<result_set>(impl_, get_executor(), std::forward<Token>(token),
                                                    &detail::execute_batch_op, &diag, std::move(b));
    }
    template <class Token>
    auto async_execute(batch b, Token&& token) {
        return detail::start_session_op<result_set>(impl_, get_executor(), std::forward<Token>(token),
                                                    &detail::execute_batch_op, nullptr, std::move(b));
    }
    asio::awaitable<result_set> execute(batch b);

    // Reads the trace of a request run with set_tracing() (its
    // result_set::tracing_id()) from system_traces. The server writes traces
    // in the background, so this polls until the session row is complete,
    // for at most `max_wait` (then request_timeout).
    template <class Token>
    auto async_get_trace(uuid tracing_id, std::chrono::milliseconds max_wait, diagnostics& diag, Token&& token) {
        return detail::start_session_op<query_trace>(impl_, get_executor(), std::forward<Token>(token),
                                                     &detail::get_trace_op, &diag, tracing_id, max_wait);
    }
    template <class Token>
    auto async_get_trace(uuid tracing_id, std::chrono::milliseconds max_wait, Token&& token) {
        return detail::start_session_op<query_trace>(impl_, get_executor(), std::forward<Token>(token),
                                                     &detail::get_trace_op, nullptr, tracing_id, max_wait);
    }
    asio::awaitable<query_trace> get_trace(uuid tracing_id,
                                           std::chrono::milliseconds max_wait = std::chrono::seconds(5));
    // --- end of prepared statements, batches and traces ---

    // --- Paging, streaming, backpressure and lifecycle ---
    // Every async_ form completes with void(error_code, T) on any completion
    // token; coroutine forms throw async_cassandra::error. Requests wait for
    // a stream id when the connection carries max_requests_per_connection;
    // beyond max_queued_requests waiting ones they fail with
    // too_many_requests (the diagnostics name the limit).

    // The page after `rs`, which `st` returned (its paging state is taken
    // now: rs need not outlive the call). `st` is a statement (or its text)
    // or a bound_statement. When rs was the last page, completes at once
    // with an empty result and sends nothing.
    // Errors and cancellation as async_execute.
    template <detail::pageable S, class Token>
    auto async_next_page(S&& st, const result_set& rs, diagnostics& diag, Token&& token) {
        return detail::async_run<result_set>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, st = detail::to_paged(std::forward<S>(st)), ps = rs.paging_state(), d = &diag]() mutable {
                return detail::next_page_op(std::move(impl), std::move(st), std::move(ps), d);
            });
    }
    template <detail::pageable S, class Token>
    auto async_next_page(S&& st, const result_set& rs, Token&& token) {
        return detail::async_run<result_set>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, st = detail::to_paged(std::forward<S>(st)), ps = rs.paging_state()]() mutable {
                return detail::next_page_op(std::move(impl), std::move(st), std::move(ps), nullptr);
            });
    }
    asio::awaitable<result_set> next_page(statement st, const result_set& rs);
    asio::awaitable<result_set> next_page(bound_statement st, const result_set& rs);

    // Every page of st's result, fetched one after the other, keeping at
    // most `max_rows` rows: past it, fetching stops and the result reports
    // truncated() (with paging_state() to go on), rather than failing.
    // Memory grows with the result: prefer execute_stream for large ones.
    // Cancellation: terminal; stops at once, no further page is requested.
    template <detail::pageable S, class Token>
    auto async_all(S&& st, std::size_t max_rows, diagnostics& diag, Token&& token) {
        return detail::async_run<result_pages>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, st = detail::to_paged(std::forward<S>(st)), max_rows, d = &diag]() mutable {
                return detail::all_op(std::move(impl), std::move(st), max_rows, d);
            });
    }
    template <detail::pageable S, class Token>
    auto async_all(S&& st, std::size_t max_rows, Token&& token) {
        return detail::async_run<result_pages>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, st = detail::to_paged(std::forward<S>(st)), max_rows]() mutable {
                return detail::all_op(std::move(impl), std::move(st), max_rows, nullptr);
            });
    }
    asio::awaitable<result_pages> all(statement st, std::size_t max_rows = no_row_limit);
    asio::awaitable<result_pages> all(bound_statement st, std::size_t max_rows = no_row_limit);

    // Runs st and completes, once its first page has arrived, with a
    // row_stream that fetches the rest as it is consumed (see stream_config
    // for prefetch, timeouts and progress). A statement's paging state
    // resumes an earlier stream. Errors: the first page's, as
    // async_execute. Cancellation: terminal; abandons the first page.
    // `st` is a statement (or its text) or a bound_statement.
    template <detail::pageable S, class Token>
    auto async_execute_stream(S&& st, stream_config cfg, diagnostics& diag, Token&& token) {
        return detail::async_run<row_stream>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, st = detail::to_paged(std::forward<S>(st)), cfg = std::move(cfg), d = &diag]() mutable {
                return detail::execute_stream_op(std::move(impl), std::move(st), std::move(cfg), d);
            });
    }
    template <detail::pageable S, class Token>
    auto async_execute_stream(S&& st, stream_config cfg, Token&& token) {
        return detail::async_run<row_stream>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, st = detail::to_paged(std::forward<S>(st)), cfg = std::move(cfg)]() mutable {
                return detail::execute_stream_op(std::move(impl), std::move(st), std::move(cfg), nullptr);
            });
    }
    // Give a named stream_config (g++ 12: no braced temporary inside co_await).
    asio::awaitable<row_stream> execute_stream(statement st, stream_config cfg);
    asio::awaitable<row_stream> execute_stream(statement st);
    asio::awaitable<row_stream> execute_stream(bound_statement st, stream_config cfg);
    asio::awaitable<row_stream> execute_stream(bound_statement st);

    // Counters of this session, its connections and cluster (relaxed
    // atomics: any thread with io_threads > 1, else the session's executor).
    session_stats stats() const;
    // The registry of the session's cluster (cluster::metrics()): null when
    // the cluster counts nothing.
    std::shared_ptr<metrics_registry> metrics() const;
    // --- end of paging, streaming, backpressure and lifecycle ---

    // Refuses new requests (session_closed), lets those in flight or
    // waiting finish for at most cluster_config::close_timeout, then fails
    // the ones left with session_closed. Returns as soon as they are done.
    // Completes with void(error_code), never an error (a closed session
    // closes at once).
    template <class Token>
    auto async_close(Token&& token) {
        return detail::async_run<void>(owner_executor(), std::forward<Token>(token),
                                       [impl = impl_] { return detail::close_session_op(impl); });
    }
    asio::awaitable<void> close();

private:
    // The cluster's executor (its strand with io_threads > 1), where the
    // session's own state changes.
    executor_type owner_executor() const;
    // impl_; throws session_closed for an empty handle.
    const std::shared_ptr<detail::session_impl>& checked_impl() const;

    std::shared_ptr<detail::session_impl> impl_;
};

}  // namespace async_cassandra

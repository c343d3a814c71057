// Streaming a large result row by row or page by page: pages are fetched only
// as the consumer needs them, a bounded number ahead, so memory stays at
// (prefetch + 1) pages whatever the size of the result.
#pragma once

#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/detail/fwd.hpp>
#include <async_cassandra/detail/stream_ops.hpp>
#include <async_cassandra/result_set.hpp>

#include <async_cassandra/detail/net.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace async_cassandra {

// Running totals of a stream: everything delivered to the consumer so far.
struct stream_progress {
    std::size_t pages = 0;  // pages delivered
    std::size_t rows = 0;   // rows in those pages
    std::size_t bytes = 0;  // row data in those pages: each cell with its 4-byte length
};

// How session::execute_stream fetches. An aggregate: with g++ 12, pass a
// named variable, not a braced temporary, inside a co_await expression.
struct stream_config {
    // Rows per page; 0 keeps the statement's page size (else the cluster's
    // default_page_size).
    std::int32_t page_size = 0;
    // Pages to fetch at most, 0 for all. The stream then ends as if the
    // result had; paging_state() resumes it.
    std::size_t max_pages = 0;
    // Pages fetched ahead of the consumer. With 1 (the default) the next
    // page's request is in flight while the consumer reads the current page;
    // 0 fetches only when the consumer asks. The stream holds at most
    // prefetch + 1 pages (the consumer's and those received or in flight).
    std::size_t prefetch = 1;
    // Bounds each page's request, waiting for a stream id included; 0 keeps
    // the statement's timeout (else the cluster's request_timeout).
    std::chrono::milliseconds page_timeout{0};
    // Bounds the whole stream, from execute_stream until the last page has
    // arrived; 0 for none. When it passes, the stream fails with
    // request_timeout at the consumer's next call.
    std::chrono::milliseconds timeout{0};
    // Called once per page, in order, with running totals after the page has
    // been delivered to the consumer: posted to the executor of the
    // coroutine that asked for the page (the session's for the async_ forms),
    // or at the latest when the consumer learns the stream ended or calls
    // close(); never after the stream's destruction. By then the next page's
    // request, if prefetch allows one, has already been sent, so a slow
    // callback holds back no request.
    std::function<void(const stream_progress&)> on_progress;
};

// The rows of one statement, fetched page by page as they are consumed (see
// session::execute_stream). Move-only.
//
// Use one call at a time (next(), next_page() or close()), from the
// session's executor (with cluster_config::io_threads > 1: from any one
// thread at a time; the calls hop to the session's strand and back).
// Thread safety: distinct objects safe; shared objects unsafe.
//
// Destruction or close() stops fetching at once: the request in flight is
// abandoned (its stream id stays reserved until the server answers) and no
// further page is requested.
class row_stream {
public:
    row_stream() = default;
    explicit row_stream(std::shared_ptr<detail::row_stream_impl> impl) noexcept;
    row_stream(row_stream&&) noexcept = default;
    row_stream& operator=(row_stream&& other) noexcept;
    ~row_stream();

    // The next row, or nullopt at the end (of the result, or of max_pages).
    // Lifetime: the row_view and the views it hands out point into the
    // stream's current page; they stay valid until the next call to next(),
    // next_page() or close(), or the stream's destruction.
    // Errors (thrown as async_cassandra::error): the page request's
    // (server errors, request_timeout, connection_closed, session_closed),
    // request_timeout when stream_config::timeout passes.
    // Cancellation: terminal stops the stream like close(), and this and
    // later calls fail with operation_aborted; partial and total (when the
    // calling coroutine's filter lets them through) end only this wait.
    // A row of the current page comes back without suspending (the
    // coroutine frame comes from Asio's per-thread recycling allocator).
    asio::awaitable<std::optional<row_view>> next();
    // For other completion tokens: void(error_code, std::optional<row_view>),
    // run on the stream's executor (each call is an operation of its own,
    // while next() returns a row of the current page without one).
    template <class Token>
    auto async_next(diagnostics& diag, Token&& token) {
        return detail::async_run<std::optional<row_view>>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, d = &diag]() mutable { return detail::stream_next_op(std::move(impl), d); });
    }
    template <class Token>
    auto async_next(Token&& token) {
        return detail::async_run<std::optional<row_view>>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_]() mutable { return detail::stream_next_op(std::move(impl), nullptr); });
    }

    // The next page, owned by the caller, or nullopt at the end. Rows of the
    // current page that next() has not returned are skipped. Errors and
    // cancellation as next().
    asio::awaitable<std::optional<result_set>> next_page();
    template <class Token>
    auto async_next_page(diagnostics& diag, Token&& token) {
        return detail::async_run<std::optional<result_set>>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_, d = &diag]() mutable { return detail::stream_next_page_op(std::move(impl), d); });
    }
    template <class Token>
    auto async_next_page(Token&& token) {
        return detail::async_run<std::optional<result_set>>(
            get_executor(), std::forward<Token>(token),
            [impl = impl_]() mutable { return detail::stream_next_page_op(std::move(impl), nullptr); });
    }

    // Stops fetching, abandons the page in flight and releases the pages
    // held; completes once the abandoned request has let go of the stream.
    // Afterwards next() returns nullopt. The async_ form completes with
    // void(error_code), never an error.
    template <class Token>
    auto async_close(Token&& token) {
        return detail::async_run<void>(get_executor(), std::forward<Token>(token),
                                       [impl = impl_] { return detail::stream_close_op(impl); });
    }
    asio::awaitable<void> close();

    // Totals delivered so far (the progress callback sees the same).
    stream_progress progress() const noexcept;
    // Page requests started, the first page's included.
    std::size_t pages_requested() const noexcept;
    // Resumes after the last page delivered: pass it to
    // statement::set_paging_state. nullopt once the result has ended.
    std::optional<std::string> paging_state() const;

    asio::any_io_executor get_executor() const;

private:
    std::shared_ptr<detail::row_stream_impl> impl_;
};

}  // namespace async_cassandra

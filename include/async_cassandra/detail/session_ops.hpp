// The operations behind session's members: each a compiled coroutine
// (src/session) that async_run turns into an Asio operation.
#pragma once

#include <async_cassandra/batch.hpp>
#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/query_trace.hpp>
#include <async_cassandra/result_pages.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/row_stream.hpp>
#include <async_cassandra/statement.hpp>

#include <async_cassandra/detail/net.hpp>

#include <chrono>
#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace async_cassandra::detail {

class session_impl;
asio::awaitable<op_result<result_set>> execute_op(std::shared_ptr<session_impl> s, statement st, diagnostics* diag);
asio::awaitable<op_result<void>> close_session_op(std::shared_ptr<session_impl> s);

// Prepared statements, batches and traces.
asio::awaitable<op_result<prepared_statement>> prepare_op(std::shared_ptr<session_impl> s, statement st,
                                                          diagnostics* diag);
asio::awaitable<op_result<result_set>> execute_bound_op(std::shared_ptr<session_impl> s, bound_statement st,
                                                        diagnostics* diag);
asio::awaitable<op_result<result_set>> execute_batch_op(std::shared_ptr<session_impl> s, batch b, diagnostics* diag);
asio::awaitable<op_result<query_trace>> get_trace_op(std::shared_ptr<session_impl> s, uuid id,
                                                     std::chrono::milliseconds max_wait, diagnostics* diag);

// Runs op(impl, args..., diag) as an async operation completing with T.
template <class T, class Token, class Op, class... Args>
auto start_session_op(std::shared_ptr<session_impl> impl, asio::any_io_executor ex, Token&& token, Op op,
                      diagnostics* diag, Args... args) {
    return async_run<T>(
        std::move(ex), std::forward<Token>(token),
        [impl = std::move(impl), op, diag, ... args = std::move(args)]() mutable {
            return op(std::move(impl), std::move(args)..., diag);
        },
        diag);
}

// Paging and streaming.
// What may be paged or streamed: a simple or a bound prepared statement.
using paged_statement = std::variant<statement, bound_statement>;
template <class S>
concept pageable = std::convertible_to<S, statement> || std::same_as<std::remove_cvref_t<S>, bound_statement>;
template <class S>
paged_statement to_paged(S&& st) {
    if constexpr (std::same_as<std::remove_cvref_t<S>, bound_statement>)
        return paged_statement(std::in_place_index<1>, std::forward<S>(st));
    else
        return paged_statement(std::in_place_index<0>, statement(std::forward<S>(st)));
}

// Runs either kind (execute_op or execute_bound_op).
asio::awaitable<op_result<result_set>> execute_paged_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                        diagnostics* diag);
asio::awaitable<op_result<result_set>> next_page_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                    std::optional<std::string> paging_state, diagnostics* diag);
asio::awaitable<op_result<result_pages>> all_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                std::size_t max_rows, diagnostics* diag);
asio::awaitable<op_result<row_stream>> execute_stream_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                         stream_config cfg, diagnostics* diag);

}  // namespace async_cassandra::detail

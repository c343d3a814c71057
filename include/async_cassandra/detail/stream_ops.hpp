// The operations behind row_stream's members: compiled coroutines
// (src/session/row_stream.cpp) that async_run turns into Asio operations.
#pragma once

#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/detail/fwd.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/result_set.hpp>

#include <async_cassandra/detail/net.hpp>

#include <memory>
#include <optional>

namespace async_cassandra::detail {

asio::awaitable<op_result<std::optional<result_set>>> stream_next_page_op(std::shared_ptr<row_stream_impl> s,
                                                                          diagnostics* diag);
asio::awaitable<op_result<std::optional<row_view>>> stream_next_op(std::shared_ptr<row_stream_impl> s,
                                                                   diagnostics* diag);
asio::awaitable<op_result<void>> stream_close_op(std::shared_ptr<row_stream_impl> s);

}  // namespace async_cassandra::detail

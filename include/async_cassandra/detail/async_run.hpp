// Runs a compiled coroutine that yields {error_code, T} as an Asio async
// operation with signature void(error_code, T), for any completion token.
#pragma once

#include <async_cassandra/error.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/co_spawn.hpp>

#include <exception>
#include <utility>

namespace async_cassandra::detail {

template <class T>
using op_result = std::pair<std::error_code, T>;

// `make` returns asio::awaitable<op_result<T>>. The token's executor receives
// the completion; its cancellation slot reaches the coroutine.
template <class T, class Token, class Make>
auto async_run(asio::any_io_executor ex, Token&& token, Make make) {
    return asio::async_initiate<Token, void(std::error_code, T)>(
        [ex](auto handler, Make op) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto hex = asio::get_associated_executor(handler, ex);
            asio::co_spawn(ex, op(),
                           asio::bind_cancellation_slot(
                               slot, asio::bind_executor(hex, [h = std::move(handler)](std::exception_ptr e,
                                                                                       op_result<T> r) mutable {
                                   if (e) r.first = make_error_code(client_errc::internal_error);
                                   std::move(h)(r.first, std::move(r.second));
                               })));
        },
        token, std::move(make));
}

}  // namespace async_cassandra::detail

#include "session/request.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace async_cassandra::detail {

namespace {
// Outlives the coroutine frame: the timer's handler may already be queued
// when the response wins the race.
struct timeout_state {
    asio::cancellation_signal signal;
    bool timed_out = false;
};
}  // namespace

asio::awaitable<request_outcome> send_request(connection& conn, protocol::opcode op,
                                              const std::function<void(protocol::byte_writer&)>& body,
                                              std::chrono::milliseconds timeout, std::uint8_t flags) {
    auto state = std::make_shared<timeout_state>();
    asio::steady_timer timer(conn.get_executor(), timeout);
    timer.async_wait([state](std::error_code ec) {
        if (ec) return;
        state->timed_out = true;
        state->signal.emit(asio::cancellation_type::terminal);
    });
    // The caller's cancellation reaches the request through the same signal.
    auto cs = co_await asio::this_coro::cancellation_state;
    auto parent = cs.slot();
    if (parent.is_connected())
        parent.assign([state](asio::cancellation_type t) { state->signal.emit(t); });

    request_outcome out;
    out.response = co_await conn.async_request(op, flags, body,
                                               asio::bind_cancellation_slot(state->signal.slot(),
                                                                            asio::redirect_error(asio::use_awaitable, out.ec)));
    timer.cancel();
    if (parent.is_connected()) parent.clear();
    if (out.ec == asio::error::operation_aborted && state->timed_out) out.ec = client_errc::request_timeout;
    co_return out;
}

}  // namespace async_cassandra::detail

// Sends one request with a timeout, honouring the caller's cancellation.
#pragma once

#include "connection/connection.hpp"

#include <asio/awaitable.hpp>

#include <chrono>
#include <functional>

namespace async_cassandra::detail {

struct request_outcome {
    std::error_code ec;
    protocol::envelope response;
};

// Completes with the response, client_errc::request_timeout after `timeout`,
// or operation_aborted when the awaiting coroutine is cancelled. `flags` are
// the envelope's (tracing, custom payload).
asio::awaitable<request_outcome> send_request(connection& conn, protocol::opcode op,
                                              const std::function<void(protocol::byte_writer&)>& body,
                                              std::chrono::milliseconds timeout, std::uint8_t flags = 0);

}  // namespace async_cassandra::detail

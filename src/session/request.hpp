// Sends one request with a timeout, honouring the caller's cancellation.
#pragma once

#include "connection/connection.hpp"

#include <asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace async_cassandra::detail {

class session_impl;

// Why a request on `conn` got no answer, in words for diagnostics; turns an
// operation_aborted that a timeout or the session's close() caused into
// request_timeout or session_closed.
std::string describe_failure(const connection& conn, session_impl* session, std::chrono::milliseconds timeout,
                             bool timed_out, bool closed_by_session, error_code& ec);

// Over the limit of requests waiting for a stream id: the message.
std::string queue_full_message(const connection& conn, const queue_quota& quota, bool session);

struct request_outcome {
    error_code ec;
    protocol::envelope response;
    std::string message;  // on error: what happened, in words, for diagnostics
};

// Sends one request on `conn` and completes with the response (which may be
// an ERROR). When the connection is at its in-flight limit the request waits
// for a stream id, counted against the session's queue (max_queued_requests;
// the connection's own without a session).
// Errors: request_timeout after `timeout` (waiting included),
// too_many_requests when the queue is full, session_closed when `session`
// closes and its close_timeout passes first (or the cluster closes),
// request_too_large, connection_closed.
// Cancellation: terminal, partial or total (total only while the request
// waits for a stream id); completes promptly with operation_aborted. `flags`
// are the envelope's (tracing, custom payload).
asio::awaitable<request_outcome> send_attempt(connection& conn, protocol::opcode op, body_writer body,
                                              std::chrono::milliseconds timeout, std::uint8_t flags = 0,
                                              session_impl* session = nullptr);

}  // namespace async_cassandra::detail

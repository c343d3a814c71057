// Errors: error code enums whose values are the wire codes, a diagnostics
// object with the server's message and details, an exception hierarchy that
// mirrors the codes, and the one classification retry logic shares.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/detail/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace async_cassandra {

// Errors the client detects itself.
enum class client_errc {
    connect_failed = 1,         // TCP connect refused, unreachable or timed out
    handshake_failed,           // the server did not complete OPTIONS/STARTUP
    protocol_version_rejected,  // the server does not speak the version offered
    authentication_required,    // the server asks for credentials none were given for
    request_timeout,            // no response within the request timeout
    connection_closed,          // the connection ended before the response
    protocol_violation,         // malformed or unexpected bytes from the server
    no_host_available,          // every host was tried and failed
    request_too_large,          // the request exceeds the protocol's size limits
    session_closed,             // the session or cluster was closed
    too_many_requests,          // the connection is at its in-flight limit and the queue of waiting requests is full
    unexpected_response,        // a valid message that does not answer the request
    bad_config,                 // the configuration is invalid
    internal_error,             // a bug: an exception escaped an operation
    invalid_request,            // the request cannot be expressed: a v5-only option on v4, bad value names, ...
    tls_handshake_failed,  // TLS failed: untrusted or misnamed certificate, refused client certificate, no TLS on the server
};

// Errors the server reports in ERROR (spec section 8); values are the wire
// codes, except server_error (wire 0x0000) since 0 means success here.
enum class server_errc {
    server_error = 0x10000,
    protocol_error = 0x000A,
    bad_credentials = 0x0100,
    unavailable = 0x1000,
    overloaded = 0x1001,
    is_bootstrapping = 0x1002,
    truncate_error = 0x1003,
    write_timeout = 0x1100,
    read_timeout = 0x1200,
    read_failure = 0x1300,
    function_failure = 0x1400,
    write_failure = 0x1500,
    cdc_write_failure = 0x1600,
    cas_write_unknown = 0x1700,
    syntax_error = 0x2000,
    unauthorized = 0x2100,
    invalid = 0x2200,
    config_error = 0x2300,
    already_exists = 0x2400,
    unprepared = 0x2500,
};

const error_category& client_category() noexcept;
const error_category& server_category() noexcept;

inline error_code make_error_code(client_errc e) noexcept { return {static_cast<int>(e), client_category()}; }
inline error_code make_error_code(server_errc e) noexcept { return {static_cast<int>(e), server_category()}; }

// The error_code for a wire error code.
error_code server_error_code(std::int32_t wire_code) noexcept;

// Details the server sent with an error, as far as its code defines them.
struct server_error_details {
    std::optional<consistency> consistency_level;
    std::int32_t received = 0, block_for = 0, alive = 0, required = 0, num_failures = 0;
    bool data_present = false;
    std::string write_type;
    std::vector<std::pair<std::string, std::uint16_t>> reason_map;  // endpoint, failure code
    std::string keyspace, table, function;
    std::vector<std::string> arg_types;
    std::string unprepared_id;
    std::optional<std::uint16_t> contentions;  // v5 CAS write timeouts
};

// What went wrong, in words: the server's message or the client's account,
// and the host it concerns. Filled by operations that fail.
class diagnostics {
public:
    const std::string& message() const noexcept { return message_; }
    const std::string& host() const noexcept { return host_; }
    const std::optional<server_error_details>& server_details() const noexcept { return server_; }

    void assign(std::string message, std::string host = {}) {
        message_ = std::move(message);
        host_ = std::move(host);
        server_.reset();
    }
    void assign_server(std::string message, std::string host, server_error_details details) {
        message_ = std::move(message);
        host_ = std::move(host);
        server_ = std::move(details);
    }
    void clear() noexcept {
        message_.clear();
        host_.clear();
        server_.reset();
    }

private:
    std::string message_;
    std::string host_;
    std::optional<server_error_details> server_;
};

// Thrown by the coroutine short forms: the code plus the diagnostics. The
// base of the hierarchy below; throw_on_error throws the most specific class.
class error : public system_error {
public:
    error(error_code ec, diagnostics diag) : system_error(ec, describe(ec, diag)), diag_(std::move(diag)) {}
    const diagnostics& diag() const noexcept { return diag_; }

private:
    static std::string describe(error_code ec, const diagnostics& d);
    diagnostics diag_;
};

// Every server_errc. details() holds what the server sent with the code
// (empty fields where the code defines none).
class server_error : public error {
public:
    using error::error;
    const server_error_details& details() const noexcept;
};

// Not enough live replicas for the consistency level: details cl, required, alive.
// The coordinator did not try the request.
class unavailable_error : public server_error {
public:
    using server_error::server_error;
};
// The coordinator is too busy to take the request; it did not try it.
class overloaded_error : public server_error {
public:
    using server_error::server_error;
};
// The coordinator is still joining the ring; it did not try the request.
class is_bootstrapping_error : public server_error {
public:
    using server_error::server_error;
};
// TRUNCATE failed on some replica.
class truncate_error : public server_error {
public:
    using server_error::server_error;
};
// Replicas did not acknowledge a write in time: details cl, received,
// block_for, write_type (SIMPLE, BATCH, CAS, ...) and, for CAS on v5, contentions.
// The write may have been applied.
class write_timeout_error : public server_error {
public:
    using server_error::server_error;
};
// Replicas did not answer a read in time: details cl, received, block_for, data_present.
class read_timeout_error : public server_error {
public:
    using server_error::server_error;
};
// Replicas failed a read (too many tombstones, ...): details as read_timeout
// plus num_failures and, on v5, reason_map.
class read_failure_error : public server_error {
public:
    using server_error::server_error;
};
// Replicas failed a write: details as write_timeout plus num_failures and, on v5, reason_map.
class write_failure_error : public server_error {
public:
    using server_error::server_error;
};
// A user-defined function threw: details keyspace, function, arg_types.
class function_failure_error : public server_error {
public:
    using server_error::server_error;
};
// A write to a CDC table was refused (CDC space full).
class cdc_write_failure_error : public server_error {
public:
    using server_error::server_error;
};
// The outcome of a lightweight transaction is unknown: details cl, received, block_for.
class cas_write_unknown_error : public server_error {
public:
    using server_error::server_error;
};
// The CQL text does not parse.
class syntax_error : public server_error {
public:
    using server_error::server_error;
};
// The logged-in user may not do this.
class unauthorized_error : public server_error {
public:
    using server_error::server_error;
};
// The query is well-formed but invalid (unknown table, wrong value type, ...).
class invalid_query_error : public server_error {
public:
    using server_error::server_error;
};
// The schema change is invalid (bad replication options, ...).
class config_error : public server_error {
public:
    using server_error::server_error;
};
// CREATE of a keyspace or table that exists: details keyspace, table.
class already_exists_error : public server_error {
public:
    using server_error::server_error;
};
// EXECUTE of a statement the node does not know (any more): details unprepared_id.
// The session re-prepares and retries once before reporting it.
class unprepared_error : public server_error {
public:
    using server_error::server_error;
};
// The server says the client broke the protocol.
class server_protocol_error : public server_error {
public:
    using server_error::server_error;
};
// Authentication failed.
class bad_credentials_error : public server_error {
public:
    using server_error::server_error;
};
// Wire code 0x0000: an unexpected error inside the server.
class server_internal_error : public server_error {
public:
    using server_error::server_error;
};

// Every client_errc.
class client_error : public error {
public:
    using error::error;
};
// No response within the request timeout; the request may have been applied.
class request_timeout_error : public client_error {
public:
    using client_error::client_error;
};
// connect_failed, handshake_failed, protocol_version_rejected, connection_closed,
// tls_handshake_failed: the connection could not be made or ended before the response.
class connection_error : public client_error {
public:
    using client_error::client_error;
};
// Every host was tried; the diagnostics say what each one answered.
class no_host_available_error : public client_error {
public:
    using client_error::client_error;
};
// protocol_violation, unexpected_response: the server sent bytes the
// protocol does not allow here.
class protocol_violation_error : public client_error {
public:
    using client_error::client_error;
};
// The request exceeds the protocol's size limits.
class request_too_large_error : public client_error {
public:
    using client_error::client_error;
};
// Backpressure: the connection was at its in-flight limit and the session's
// queue full. Nothing was sent: always safe to retry, after slowing down.
class too_many_requests_error : public client_error {
public:
    using client_error::client_error;
};
// The session or cluster was closed.
class session_closed_error : public client_error {
public:
    using client_error::client_error;
};
// The request cannot be expressed (see client_errc::invalid_request).
class invalid_request_error : public client_error {
public:
    using client_error::client_error;
};
// The server wants credentials, or refused them during the handshake.
class authentication_error : public client_error {
public:
    using client_error::client_error;
};
// The cluster_config is invalid.
class bad_config_error : public client_error {
public:
    using client_error::client_error;
};

// Throws the most specific class above for ec (async_cassandra::error for
// codes of other categories, such as operation_aborted); does nothing when
// ec is clear.
void throw_on_error(error_code ec, const diagnostics& diag);

// What sending a failed request again may do: the classification that retry
// policies and connection pools share.
enum class retry_safety {
    never,          // it fails the same way again (syntax, invalid, too large, closed, cancelled, ...)
    always,         // the request was not executed (unavailable, overloaded, not yet
                    // connected, unprepared once re-prepared): safe anywhere
    if_idempotent,  // it may have been applied (timeouts, lost connection, server
                    // error): only a statement that may run twice
};
retry_safety classify_retry(error_code ec) noexcept;

// Whether another attempt may succeed: classify_retry(ec) is not never.
bool is_retryable(error_code ec) noexcept;
// Whether a request that failed with ec may be sent again, given whether it
// is idempotent (statement::set_idempotent).
bool is_retryable(error_code ec, bool idempotent) noexcept;
// Whether the connection that produced ec cannot carry further requests
// (closed, broken protocol, failed handshake or authentication).
bool is_fatal(error_code ec) noexcept;

}  // namespace async_cassandra

template <>
struct std::is_error_code_enum<async_cassandra::client_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<async_cassandra::server_errc> : std::true_type {};
#ifdef ASYNC_CASSANDRA_BOOST_ASIO
template <>
struct boost::system::is_error_code_enum<async_cassandra::client_errc> : std::true_type {};
template <>
struct boost::system::is_error_code_enum<async_cassandra::server_errc> : std::true_type {};
#endif

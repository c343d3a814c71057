// Errors: std::error_code enums whose values are the wire codes, a diagnostics
// object with the server's message and details, and one exception type.
#pragma once

#include <async_cassandra/consistency.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace async_cassandra {

// Errors the client detects itself.
enum class client_errc {
    connect_failed = 1,       // TCP connect refused, unreachable or timed out
    handshake_failed,         // the server did not complete OPTIONS/STARTUP
    protocol_version_rejected,// the server does not speak the version offered
    authentication_required,  // the server asks for credentials none were given for
    request_timeout,          // no response within the request timeout
    connection_closed,        // the connection ended before the response
    protocol_violation,       // malformed or unexpected bytes from the server
    no_host_available,        // every host was tried and failed
    request_too_large,        // the request exceeds the protocol's size limits
    session_closed,           // the session or cluster was closed
    too_many_requests,        // no free stream id on the connection
    unexpected_response,      // a valid message that does not answer the request
    bad_config,               // the configuration is invalid
    internal_error,           // a bug: an exception escaped an operation
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

const std::error_category& client_category() noexcept;
const std::error_category& server_category() noexcept;

inline std::error_code make_error_code(client_errc e) noexcept { return {static_cast<int>(e), client_category()}; }
inline std::error_code make_error_code(server_errc e) noexcept { return {static_cast<int>(e), server_category()}; }

// The error_code for a wire error code.
std::error_code server_error_code(std::int32_t wire_code) noexcept;

// Details the server sent with an error, as far as its code defines them.
struct server_error_details {
    std::optional<consistency> cl;
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

// Thrown by the coroutine short forms: the code plus the diagnostics.
class error : public std::system_error {
public:
    error(std::error_code ec, diagnostics diag)
        : std::system_error(ec, describe(ec, diag)), diag_(std::move(diag)) {}
    const diagnostics& diag() const noexcept { return diag_; }

private:
    static std::string describe(std::error_code ec, const diagnostics& d);
    diagnostics diag_;
};

// Throws `error` when ec is set.
void throw_on_error(std::error_code ec, const diagnostics& diag);

}  // namespace async_cassandra

template <>
struct std::is_error_code_enum<async_cassandra::client_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<async_cassandra::server_errc> : std::true_type {};

#include <async_cassandra/error.hpp>

#include "common/category.hpp"

namespace async_cassandra {

namespace {
std::string describe_client(int ev) {
    switch (static_cast<client_errc>(ev)) {
        case client_errc::connect_failed: return "connection failed";
        case client_errc::handshake_failed: return "handshake failed";
        case client_errc::protocol_version_rejected: return "protocol version rejected by server";
        case client_errc::authentication_required: return "authentication required";
        case client_errc::request_timeout: return "request timed out";
        case client_errc::connection_closed: return "connection closed";
        case client_errc::protocol_violation: return "protocol violation";
        case client_errc::no_host_available: return "no host available";
        case client_errc::request_too_large: return "request too large";
        case client_errc::session_closed: return "session closed";
        case client_errc::too_many_requests: return "too many requests in flight and waiting";
        case client_errc::unexpected_response: return "unexpected response";
        case client_errc::bad_config: return "invalid configuration";
        case client_errc::internal_error: return "internal error";
        case client_errc::invalid_request: return "invalid request";
        case client_errc::tls_handshake_failed: return "TLS handshake failed";
    }
    return "unknown client error";
}

std::string describe_server(int ev) {
    switch (static_cast<server_errc>(ev)) {
        case server_errc::server_error: return "server error";
        case server_errc::protocol_error: return "protocol error";
        case server_errc::bad_credentials: return "bad credentials";
        case server_errc::unavailable: return "unavailable";
        case server_errc::overloaded: return "overloaded";
        case server_errc::is_bootstrapping: return "is bootstrapping";
        case server_errc::truncate_error: return "truncate error";
        case server_errc::write_timeout: return "write timeout";
        case server_errc::read_timeout: return "read timeout";
        case server_errc::read_failure: return "read failure";
        case server_errc::function_failure: return "function failure";
        case server_errc::write_failure: return "write failure";
        case server_errc::cdc_write_failure: return "CDC write failure";
        case server_errc::cas_write_unknown: return "CAS write unknown";
        case server_errc::syntax_error: return "syntax error";
        case server_errc::unauthorized: return "unauthorized";
        case server_errc::invalid: return "invalid query";
        case server_errc::config_error: return "configuration error";
        case server_errc::already_exists: return "already exists";
        case server_errc::unprepared: return "unprepared";
    }
    return "server error code " + std::to_string(ev);
}
}  // namespace

const error_category& client_category() noexcept {
    static const detail::enum_category c("cql.client", describe_client);
    return c;
}
const error_category& server_category() noexcept {
    static const detail::enum_category c("cql.server", describe_server);
    return c;
}

error_code server_error_code(std::int32_t wire) noexcept {
    // Unknown codes keep their value; the category still names them.
    return {wire == 0 ? static_cast<int>(server_errc::server_error) : wire, server_category()};
}

// std::system_error appends ": " + ec.message() to this.
std::string error::describe(error_code, const diagnostics& d) {
    std::string s = d.message();
    if (!d.host().empty() && d.message().find(d.host()) == std::string::npos) s += " [" + d.host() + "]";
    return s;
}

const server_error_details& server_error::details() const noexcept {
    static const server_error_details none;
    const auto& d = diag().server_details();
    return d ? *d : none;
}

namespace {
[[noreturn]] void throw_server(error_code ec, const diagnostics& d) {
    switch (static_cast<server_errc>(ec.value())) {
        case server_errc::server_error: throw server_internal_error(ec, d);
        case server_errc::protocol_error: throw server_protocol_error(ec, d);
        case server_errc::bad_credentials: throw bad_credentials_error(ec, d);
        case server_errc::unavailable: throw unavailable_error(ec, d);
        case server_errc::overloaded: throw overloaded_error(ec, d);
        case server_errc::is_bootstrapping: throw is_bootstrapping_error(ec, d);
        case server_errc::truncate_error: throw truncate_error(ec, d);
        case server_errc::write_timeout: throw write_timeout_error(ec, d);
        case server_errc::read_timeout: throw read_timeout_error(ec, d);
        case server_errc::read_failure: throw read_failure_error(ec, d);
        case server_errc::function_failure: throw function_failure_error(ec, d);
        case server_errc::write_failure: throw write_failure_error(ec, d);
        case server_errc::cdc_write_failure: throw cdc_write_failure_error(ec, d);
        case server_errc::cas_write_unknown: throw cas_write_unknown_error(ec, d);
        case server_errc::syntax_error: throw syntax_error(ec, d);
        case server_errc::unauthorized: throw unauthorized_error(ec, d);
        case server_errc::invalid: throw invalid_query_error(ec, d);
        case server_errc::config_error: throw config_error(ec, d);
        case server_errc::already_exists: throw already_exists_error(ec, d);
        case server_errc::unprepared: throw unprepared_error(ec, d);
    }
    throw server_error(ec, d);  // a code newer than this client
}

[[noreturn]] void throw_client(error_code ec, const diagnostics& d) {
    switch (static_cast<client_errc>(ec.value())) {
        case client_errc::request_timeout: throw request_timeout_error(ec, d);
        case client_errc::connect_failed:
        case client_errc::handshake_failed:
        case client_errc::protocol_version_rejected:
        case client_errc::tls_handshake_failed:
        case client_errc::connection_closed: throw connection_error(ec, d);
        case client_errc::no_host_available: throw no_host_available_error(ec, d);
        case client_errc::protocol_violation:
        case client_errc::unexpected_response: throw protocol_violation_error(ec, d);
        case client_errc::request_too_large: throw request_too_large_error(ec, d);
        case client_errc::session_closed: throw session_closed_error(ec, d);
        case client_errc::invalid_request: throw invalid_request_error(ec, d);
        case client_errc::authentication_required: throw authentication_error(ec, d);
        case client_errc::bad_config: throw bad_config_error(ec, d);
        case client_errc::too_many_requests: throw too_many_requests_error(ec, d);
        case client_errc::internal_error: break;
    }
    throw client_error(ec, d);
}
}  // namespace

void throw_on_error(error_code ec, const diagnostics& diag) {
    if (!ec) return;
    if (ec.category() == server_category()) throw_server(ec, diag);
    if (ec.category() == client_category()) throw_client(ec, diag);
    throw error(ec, diag);
}

retry_safety classify_retry(error_code ec) noexcept {
    if (ec.category() == server_category()) {
        switch (static_cast<server_errc>(ec.value())) {
            // Refused before execution: another try (or another node) may take it.
            case server_errc::unavailable:
            case server_errc::overloaded:
            case server_errc::is_bootstrapping:
            case server_errc::read_timeout:  // a read: running it twice is harmless
            case server_errc::unprepared: return retry_safety::always;
            // Possibly applied.
            case server_errc::write_timeout:
            case server_errc::server_error:
            case server_errc::truncate_error: return retry_safety::if_idempotent;
            // Replica failures, unknown LWT outcomes and wrong requests repeat themselves.
            default: return retry_safety::never;
        }
    }
    if (ec.category() == client_category()) {
        switch (static_cast<client_errc>(ec.value())) {
            case client_errc::connect_failed:
            case client_errc::handshake_failed:
            case client_errc::tls_handshake_failed:
            case client_errc::too_many_requests: return retry_safety::always;  // never sent
            case client_errc::request_timeout:
            case client_errc::connection_closed:
            case client_errc::protocol_violation: return retry_safety::if_idempotent;
            default: return retry_safety::never;
        }
    }
    return retry_safety::never;  // cancelled, or an error this library does not produce
}

bool is_retryable(error_code ec) noexcept { return classify_retry(ec) != retry_safety::never; }

bool is_retryable(error_code ec, bool idempotent) noexcept {
    const auto s = classify_retry(ec);
    return s == retry_safety::always || (s == retry_safety::if_idempotent && idempotent);
}

bool is_fatal(error_code ec) noexcept {
    if (ec.category() == server_category())
        return ec == server_errc::protocol_error || ec == server_errc::bad_credentials;
    if (ec.category() != client_category()) return false;
    switch (static_cast<client_errc>(ec.value())) {
        case client_errc::connect_failed:
        case client_errc::handshake_failed:
        case client_errc::protocol_version_rejected:
        case client_errc::authentication_required:
        case client_errc::tls_handshake_failed:
        case client_errc::connection_closed:
        case client_errc::protocol_violation: return true;
        default: return false;
    }
}

}  // namespace async_cassandra

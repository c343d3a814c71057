#include <async_cassandra/error.hpp>

namespace async_cassandra {

namespace {
class client_cat final : public std::error_category {
public:
    const char* name() const noexcept override { return "cql.client"; }
    std::string message(int ev) const override {
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
            case client_errc::too_many_requests: return "too many requests in flight on the connection";
            case client_errc::unexpected_response: return "unexpected response";
            case client_errc::bad_config: return "invalid configuration";
            case client_errc::internal_error: return "internal error";
        }
        return "unknown client error";
    }
};

class server_cat final : public std::error_category {
public:
    const char* name() const noexcept override { return "cql.server"; }
    std::string message(int ev) const override {
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
};
}  // namespace

const std::error_category& client_category() noexcept {
    static const client_cat c;
    return c;
}
const std::error_category& server_category() noexcept {
    static const server_cat c;
    return c;
}

std::error_code server_error_code(std::int32_t wire) noexcept {
    // Unknown codes keep their value; the category still names them.
    return {wire == 0 ? static_cast<int>(server_errc::server_error) : wire, server_category()};
}

// std::system_error appends ": " + ec.message() to this.
std::string error::describe(std::error_code, const diagnostics& d) {
    std::string s = d.message();
    if (!d.host().empty() && d.message().find(d.host()) == std::string::npos) s += " [" + d.host() + "]";
    return s;
}

void throw_on_error(std::error_code ec, const diagnostics& diag) {
    if (ec) throw error(ec, diag);
}

}  // namespace async_cassandra

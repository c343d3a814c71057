// Authentication: the SASL exchange that follows the server's AUTHENTICATE.
// An auth_provider (one per cluster) makes an authenticator for each
// connection; the connection sends initial_response(), answers each
// AUTH_CHALLENGE with evaluate_challenge() and hands AUTH_SUCCESS's token to
// on_success(). password_auth() covers Cassandra's PasswordAuthenticator.
//
// Secrecy: tokens travel only to the server. The library never puts them,
// or anything a provider holds, into logs, errors, diagnostics or metrics.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace async_cassandra {

using auth_token = std::vector<std::byte>;

// One connection's side of the exchange. Called on the connection's
// executor, one call at a time. Throwing from a member fails the handshake
// with client_errc::handshake_failed; the exception's what() becomes part of
// the error message, so it must not contain secrets.
class authenticator {
public:
    virtual ~authenticator() = default;
    // The token of the first AUTH_RESPONSE.
    virtual auth_token initial_response() = 0;
    // The answer to one AUTH_CHALLENGE (there may be any number of them).
    virtual auth_token evaluate_challenge(std::span<const std::byte> challenge) = 0;
    // AUTH_SUCCESS arrived, with its token (empty when the server sent none).
    virtual void on_success(std::span<const std::byte> /*token*/) {}
};

// Makes the authenticator of each new connection. Shared by every
// connection of a cluster (on the cluster's executor).
class auth_provider {
public:
    virtual ~auth_provider() = default;
    // host: "address:port" of the node; server_authenticator: the class name
    // its AUTHENTICATE named (e.g. org.apache.cassandra.auth.PasswordAuthenticator).
    virtual std::unique_ptr<authenticator> new_authenticator(const std::string& host,
                                                             const std::string& server_authenticator) const = 0;
};

// SASL PLAIN ("\0user\0password") for PasswordAuthenticator and compatible
// servers:  cfg.auth = async_cassandra::password_auth("app", secret);
std::shared_ptr<auth_provider> password_auth(std::string user, std::string password);

}  // namespace async_cassandra

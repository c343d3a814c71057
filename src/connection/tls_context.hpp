// The OpenSSL context a cluster's connections share: built once, when the
// cluster connects, from cluster_config::tls (tls_options). Kept out of connection.hpp so
// that only the files doing TLS see OpenSSL's headers.
#pragma once

#include <async_cassandra/tls_options.hpp>

#include <asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace async_cassandra::detail {

class tls_context {
public:
    // The context for `o` (o.enabled must be set). On bad input returns null
    // and sets `error` to a message naming the field (and file) and what is
    // wrong with it; never one containing key material or the key password.
    static std::shared_ptr<tls_context> make(const tls_options& o, std::string& error);

    explicit tls_context(const tls_options& o);
    // asio::ssl::stream takes a non-const context; it only reads it.
    asio::ssl::context& native() const noexcept { return ctx_; }
    bool verify_host() const noexcept { return verify_host_; }
    const std::string& server_name() const noexcept { return server_name_; }
    bool has_client_certificate() const noexcept { return has_client_certificate_; }

private:
    mutable asio::ssl::context ctx_;
    bool verify_host_;
    std::string server_name_;
    bool has_client_certificate_ = false;
};

}  // namespace async_cassandra::detail

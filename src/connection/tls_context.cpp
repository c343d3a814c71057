#include "connection/tls_context.hpp"

#include <asio/buffer.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <async_cassandra/detail/error_code.hpp>
#include <system_error>

namespace async_cassandra::detail {

namespace {

// PEM text from a file field or a text field, and how to name it in errors.
struct pem_input {
    std::string text;
    std::string name;  // "cluster_config.tls.ca_file (/etc/x.pem)" or "cluster_config.tls.ca_pem"
    bool given = false;
};

bool read_pem(const std::string& file, const std::string& text, const char* file_field, const char* text_field,
              pem_input& out, std::string& error) {
    if (!file.empty()) {
        out.name = std::string("cluster_config.tls.") + file_field + " (" + file + ")";
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            error = out.name + ": cannot open: " + std::error_code(errno, std::generic_category()).message();
            return false;
        }
        out.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (in.bad()) {
            error = out.name + ": cannot read: " + std::error_code(errno, std::generic_category()).message();
            return false;
        }
        out.given = true;
    } else if (!text.empty()) {
        out.name = std::string("cluster_config.tls.") + text_field;
        out.text = text;
        out.given = true;
    }
    return true;
}

// OpenSSL's reason, e.g. "no start line (PEM routines)".
std::string reason(const error_code& ec) { return ec.message(); }

}  // namespace

tls_context::tls_context(const tls_options& o)
    : ctx_(asio::ssl::context::tls_client), verify_host_(o.verify_peer && o.verify_host), server_name_(o.server_name) {}

std::shared_ptr<tls_context> tls_context::make(const tls_options& o, std::string& error) {
    auto out = std::make_shared<tls_context>(o);
    auto& ctx = out->ctx_;
    error_code ec;
    // TLS 1.2 is the oldest version Cassandra 4+ offers by default; older ones are broken.
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);

    pem_input ca;
    if (!read_pem(o.ca_file, o.ca_pem, "ca_file", "ca_pem", ca, error)) return nullptr;
    if (ca.given) {
        ctx.add_certificate_authority(asio::buffer(ca.text), ec);
        if (ec) {
            error = ca.name + ": holds no usable PEM certificate (" + reason(ec) + ")";
            return nullptr;
        }
    } else {
        ctx.set_default_verify_paths(ec);
        if (ec) {
            error = "cluster_config.tls: cannot load the system's CA certificates (" + reason(ec) + ")";
            return nullptr;
        }
    }
    ctx.set_verify_mode(o.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);

    pem_input cert, key;
    if (!read_pem(o.cert_file, o.cert_pem, "cert_file", "cert_pem", cert, error)) return nullptr;
    if (!read_pem(o.key_file, o.key_pem, "key_file", "key_pem", key, error)) return nullptr;
    if (cert.given) {
        ctx.use_certificate_chain(asio::buffer(cert.text), ec);
        if (ec) {
            error = cert.name + ": holds no usable PEM certificate (" + reason(ec) + ")";
            return nullptr;
        }
        // Always answer the password prompt ourselves: OpenSSL's default
        // would read one from the terminal.
        ctx.set_password_callback(
            [password = o.key_password](std::size_t, asio::ssl::context::password_purpose) { return password; });
        ctx.use_private_key(asio::buffer(key.text), asio::ssl::context::pem, ec);
        const auto err = static_cast<unsigned long>(ec.value());
        if (ec && ec.category() == asio::error::get_ssl_category() && ERR_GET_LIB(err) == ERR_LIB_X509 &&
            ERR_GET_REASON(err) == X509_R_KEY_VALUES_MISMATCH) {
            error = key.name + ": the key does not match the certificate in " + cert.name;
            return nullptr;
        }
        if (ec) {
            error = key.name + ": holds no usable PEM private key (" + reason(ec) +
                    (o.key_password.empty() ? "; is it encrypted? set key_password)" : "; wrong key_password?)");
            return nullptr;
        }
        if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
            error = key.name + ": the key does not match the certificate in " + cert.name;
            return nullptr;
        }
        out->has_client_certificate_ = true;
    }
    return out;
}

}  // namespace async_cassandra::detail

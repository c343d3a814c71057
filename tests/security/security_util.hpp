// Helpers for the TLS and authentication tests: a counting auth_provider,
// throwaway certificates made in-process, files to put them in, and a TCP
// relay (to reach a node under an address its certificate does not name).
#pragma once

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace security_test {

namespace ac = async_cassandra;

// Wraps a provider and counts the authenticators it makes: one per
// connection that reached AUTHENTICATE.
class counting_provider final : public ac::auth_provider {
public:
    explicit counting_provider(std::shared_ptr<ac::auth_provider> inner) : inner_(std::move(inner)) {}
    std::unique_ptr<ac::authenticator> new_authenticator(const std::string& host,
                                                         const std::string& server_authenticator) const override {
        ++count;
        last_host = host;
        last_class = server_authenticator;
        return inner_->new_authenticator(host, server_authenticator);
    }
    mutable int count = 0;
    mutable std::string last_host, last_class;

private:
    std::shared_ptr<ac::auth_provider> inner_;
};

struct key_and_cert {
    std::string key_pem;
    std::string cert_pem;
};

// A self-signed P-256 certificate for `cn`.
inline key_and_cert make_self_signed(const std::string& cn) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
    if (!key || !x) throw std::runtime_error("OpenSSL could not make a key");
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
    X509_set_pubkey(x.get(), key.get());
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("OpenSSL could not sign");
    auto to_pem = [](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        write(bio.get());
        char* data = nullptr;
        auto n = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(n));
    };
    key_and_cert out;
    out.key_pem = to_pem(
        [&](BIO* b) { PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    out.cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, x.get()); });
    return out;
}

// A file under a per-process temporary folder, removed with the folder by
// the OS's tmp cleaning; tests only read them.
inline std::string write_temp(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / ("ac-security-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

// Accepts on 127.0.0.1:<ephemeral> and relays every connection to target.
class tcp_relay {
public:
    tcp_relay(asio::any_io_executor ex, asio::ip::tcp::endpoint target)
        : acceptor_(ex, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), target_(target) {
        asio::co_spawn(ex, accept_loop(), asio::detached);
    }
    ~tcp_relay() {
        ac::error_code ignored;
        acceptor_.close(ignored);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int accepted = 0;

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            ac::error_code ec;
            auto in = std::make_shared<asio::ip::tcp::socket>(
                co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec)));
            if (ec) co_return;
            ++accepted;
            auto out = std::make_shared<asio::ip::tcp::socket>(acceptor_.get_executor());
            co_await out->async_connect(target_, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) continue;
            asio::co_spawn(acceptor_.get_executor(), pump(in, out), asio::detached);
            asio::co_spawn(acceptor_.get_executor(), pump(out, in), asio::detached);
        }
    }
    static asio::awaitable<void> pump(std::shared_ptr<asio::ip::tcp::socket> from,
                                      std::shared_ptr<asio::ip::tcp::socket> to) {
        std::array<char, 16384> buf;
        for (;;) {
            ac::error_code ec;
            auto n = co_await from->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            co_await asio::async_write(*to, asio::buffer(buf.data(), n), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
        }
        ac::error_code ignored;
        from->close(ignored);
        to->close(ignored);
    }
    asio::ip::tcp::acceptor acceptor_;
    asio::ip::tcp::endpoint target_;
};

}  // namespace security_test

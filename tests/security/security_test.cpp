// TLS and authentication against real Cassandra nodes that
// `scripts/cassandra start` runs in secure modes (CTest label security):
//   AC_SECURE_HOST (127.0.0.21): --auth --tls-optional (PasswordAuthenticator,
//     TLS or plaintext on 9042), CA in AC_SECURE_TLS_DIR (.cassandra-secure/tls)
//   AC_MTLS_HOST (127.0.0.22): --client-auth (TLS only, client certificate
//     required), CA and client certificate in AC_MTLS_TLS_DIR (.cassandra-secure2/tls)
//   AC_TEST_HOST (127.0.0.1): the shared plaintext node
// scripts/run-tests starts the first two beside the plain node.
#include "security_util.hpp"

#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace ac = async_cassandra;
using namespace std::chrono_literals;
using security_test::counting_provider;

namespace {

std::string env(const char* name, std::string fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
std::string secure_host() { return env("AC_SECURE_HOST", "127.0.0.21"); }
std::string mtls_host() { return env("AC_MTLS_HOST", "127.0.0.22"); }
std::string plain_host() { return env("AC_TEST_HOST", "127.0.0.1"); }
std::string secure_tls_dir() { return env("AC_SECURE_TLS_DIR", ASYNC_CASSANDRA_SOURCE_DIR "/.cassandra-secure/tls"); }
std::string mtls_tls_dir() { return env("AC_MTLS_TLS_DIR", ASYNC_CASSANDRA_SOURCE_DIR "/.cassandra-secure2/tls"); }
std::string user() { return env("AC_SECURE_USER", "cassandra"); }
std::string password() { return env("AC_SECURE_PASSWORD", "cassandra"); }

ac::cluster_config base(const std::string& host) {
    ac::cluster_config cfg;
    cfg.contact_points = {host};
    cfg.connect_timeout = 5s;
    cfg.request_timeout = 20s;
    return cfg;
}
// The auth node over TLS, trusting its CA.
ac::cluster_config secure_tls() {
    auto cfg = base(secure_host());
    cfg.tls.enabled = true;
    cfg.tls.ca_file = secure_tls_dir() + "/ca.pem";
    return cfg;
}
ac::cluster_config mtls(bool with_cert) {
    auto cfg = base(mtls_host());
    cfg.tls.enabled = true;
    cfg.tls.ca_file = mtls_tls_dir() + "/ca.pem";
    if (with_cert) {
        cfg.tls.cert_file = mtls_tls_dir() + "/client.pem";
        cfg.tls.key_file = mtls_tls_dir() + "/client.key";
    }
    return cfg;
}

struct outcome {
    std::error_code ec;
    ac::diagnostics diag;
    std::string release;  // system.local's release_version on success
    std::chrono::milliseconds took{};
    bool done = false;
};

// Connects, reads system.local, closes.
outcome attempt(ac::cluster_config cfg, asio::io_context* shared_io = nullptr) {
    asio::io_context own;
    auto& io = shared_io ? *shared_io : own;
    outcome out;
    auto start = std::chrono::steady_clock::now();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto c = co_await ac::cluster::async_connect(io.get_executor(), cfg, out.diag,
                                                         asio::redirect_error(asio::use_awaitable, out.ec));
            out.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
            if (out.ec) co_return;
            auto s = co_await c.open_session();
            auto rs = co_await s.execute("SELECT release_version FROM system.local");
            out.release = rs.first_row().get<std::string>(0);
            co_await c.close();
        },
        [&](std::exception_ptr e) {
            out.done = true;
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                out.ec = ac::client_errc::internal_error;
                out.diag.assign(std::string("exception: ") + x.what());
            }
        });
    while (!out.done && std::chrono::steady_clock::now() - start < 60s) io.run_one_for(100ms);
    return out;
}

#define EXPECT_CONNECTED(o)                                                     \
    do {                                                                        \
        ASSERT_TRUE((o).done) << "no answer within 60 s";                       \
        ASSERT_FALSE((o).ec) << (o).ec.message() << ": " << (o).diag.message(); \
        EXPECT_EQ((o).release.substr(0, 2), "5.");                              \
    } while (0)

#define EXPECT_MESSAGE_HAS(o, text) \
    EXPECT_NE((o).diag.message().find(text), std::string::npos) << "message: " << (o).diag.message()

// What a user would see, in the test's output.
void show(const outcome& o) { std::cout << "error: " << o.ec.message() << ": " << o.diag.message() << '\n'; }

}  // namespace

// --- Authentication (127.0.0.21) ---

TEST(security_node, auth_only_success) {
    auto cfg = base(secure_host());
    cfg.auth = ac::password_auth(user(), password());
    auto o = attempt(cfg);
    EXPECT_CONNECTED(o);
}

TEST(security_node, tls_and_auth_success) {
    auto cfg = secure_tls();
    cfg.auth = ac::password_auth(user(), password());
    auto o = attempt(cfg);
    EXPECT_CONNECTED(o);
}

TEST(security_node, no_credentials_is_authentication_required) {
    auto o = attempt(base(secure_host()));
    ASSERT_TRUE(o.done);
    EXPECT_EQ(o.ec, ac::client_errc::authentication_required) << o.diag.message();
    EXPECT_MESSAGE_HAS(o, "PasswordAuthenticator");
}

// The second contact point is the plain node, which takes anyone: a client
// that moved on after the refusal would connect there.
TEST(security_node, wrong_password_fails_once_with_the_servers_message) {
    const std::string wrong = "not-the-Password-42";
    auto provider = std::make_shared<counting_provider>(ac::password_auth(user(), wrong));
    auto cfg = secure_tls();
    cfg.contact_points = {secure_host(), plain_host()};
    cfg.tls.enabled = false;
    cfg.tls.ca_file.clear();
    cfg.auth = provider;
    auto o = attempt(cfg);
    ASSERT_TRUE(o.done);
    show(o);
    EXPECT_EQ(o.ec, ac::server_errc::bad_credentials) << o.ec.message() << ": " << o.diag.message();
    EXPECT_MESSAGE_HAS(o, "Provided username " + user() + " and/or password are incorrect");
    EXPECT_EQ(o.diag.message().find(wrong), std::string::npos);
    EXPECT_EQ(provider->count, 1);
    try {
        ac::throw_on_error(o.ec, o.diag);
    } catch (const ac::bad_credentials_error& e) {
        EXPECT_EQ(std::string(e.what()).find(wrong), std::string::npos);
    }
}

// --- TLS server verification (127.0.0.21 takes TLS or plaintext) ---

TEST(security_node, untrusted_server_certificate_names_the_verification_failure) {
    auto cfg = secure_tls();
    cfg.tls.ca_file.clear();  // the system's CAs: they do not know the test CA
    cfg.auth = ac::password_auth(user(), password());
    auto o = attempt(cfg);
    ASSERT_TRUE(o.done);
    EXPECT_EQ(o.ec, ac::client_errc::no_host_available);
    EXPECT_MESSAGE_HAS(o, "TLS handshake with " + secure_host() + ":9042 failed: certificate verify failed");
    // The node sends its chain up to the test CA: OpenSSL names that root.
    EXPECT_MESSAGE_HAS(o, "self-signed certificate in certificate chain");
    EXPECT_LT(o.took, 5s);
}

// The node's certificate names its address and "localhost"; reached through
// a relay on 127.0.0.1 the address no longer matches.
TEST(security_node, hostname_mismatch_is_refused_and_can_be_allowed_explicitly) {
    asio::io_context io;
    security_test::tcp_relay relay(io.get_executor(),
                                   asio::ip::tcp::endpoint(asio::ip::make_address(secure_host()), 9042));
    auto cfg = secure_tls();
    cfg.contact_points = {"127.0.0.1"};
    cfg.port = relay.port();
    cfg.auth = ac::password_auth(user(), password());
    auto o = attempt(cfg, &io);
    ASSERT_TRUE(o.done);
    EXPECT_EQ(o.ec, ac::client_errc::no_host_available);
    EXPECT_MESSAGE_HAS(o, "certificate verify failed (SSL routines): IP address mismatch");

    // The name the certificate holds, by DNS name (with SNI): accepted.
    cfg.contact_points = {"localhost"};
    auto by_name = attempt(cfg, &io);
    EXPECT_CONNECTED(by_name);

    // A name it does not hold, given explicitly.
    cfg.contact_points = {"127.0.0.1"};
    cfg.tls.server_name = "db.example.com";
    o = attempt(cfg, &io);
    EXPECT_MESSAGE_HAS(o, "certificate verify failed (SSL routines): hostname mismatch");

    // Host checking off: the chain is still verified, the name is not.
    cfg.tls.server_name.clear();
    cfg.tls.verify_host = false;
    auto unchecked = attempt(cfg, &io);
    EXPECT_CONNECTED(unchecked);
    EXPECT_GE(relay.accepted, 4);
}

// --- Mutual TLS (127.0.0.22: TLS only, client certificate required) ---

TEST(security_node, tls_with_client_certificate_success) {
    auto o = attempt(mtls(true));
    EXPECT_CONNECTED(o);
}

TEST(security_node, mutual_tls_without_client_certificate_is_rejected) {
    auto o = attempt(mtls(false));
    ASSERT_TRUE(o.done);
    show(o);
    EXPECT_EQ(o.ec, ac::client_errc::no_host_available);
    // The server's alert names the cause. Rarely our first write meets the
    // server's closed socket and the reset discards the alert: then the write
    // failure is reported, with the same advice.
    const auto& m = o.diag.message();
    EXPECT_TRUE(m.find("certificate required") != std::string::npos || m.find("write failed") != std::string::npos)
        << m;
    EXPECT_MESSAGE_HAS(o, "cluster_config.tls.cert_file");
    EXPECT_LT(o.took, 5s);
}

TEST(security_node, plaintext_client_against_tls_server_fails_within_the_connect_timeout) {
    auto cfg = base(mtls_host());
    cfg.connect_timeout = 3s;
    auto o = attempt(cfg);
    ASSERT_TRUE(o.done);
    show(o);
    EXPECT_TRUE(o.ec) << "connected in plaintext to a TLS-only node";
    EXPECT_MESSAGE_HAS(o, "cluster_config.tls.enabled");
    // Two attempts (v5, then v4) at most, each bounded by the connect timeout.
    EXPECT_LT(o.took, 7s);
}

// --- TLS client against the shared plaintext node ---

TEST(security_node, tls_client_against_plaintext_server_fails_fast) {
    auto cfg = base(plain_host());
    cfg.tls.enabled = true;
    auto o = attempt(cfg);
    ASSERT_TRUE(o.done);
    show(o);
    EXPECT_EQ(o.ec, ac::client_errc::no_host_available);
    EXPECT_MESSAGE_HAS(o, "TLS handshake with " + plain_host() + ":9042 failed");
    EXPECT_MESSAGE_HAS(o, "does the server have TLS enabled?");
    EXPECT_LT(o.took, 5s);
}

// Not a check: prints connect times (TCP, TLS, OPTIONS/STARTUP and the SASL
// exchange; the first attempt offers v5) for the report. Median of 9.
TEST(security_node, connect_times) {
    auto median = [](ac::cluster_config cfg) {
        std::vector<long> ms;
        for (int i = 0; i < 9; ++i) {
            auto o = attempt(cfg);
            if (o.ec) return -1L;
            ms.push_back(static_cast<long>(o.took.count()));
        }
        std::sort(ms.begin(), ms.end());
        return ms[ms.size() / 2];
    };
    auto auth = base(secure_host());
    auth.auth = ac::password_auth(user(), password());
    auto tls_auth = secure_tls();
    tls_auth.auth = auth.auth;
    const long plain_ms = median(base(plain_host())), mtls_ms = median(mtls(true)), auth_ms = median(auth),
               tls_auth_ms = median(tls_auth);
    std::cout << "connect (median of 9): plain " << plain_ms << " ms, mutual TLS " << mtls_ms << " ms, auth " << auth_ms
              << " ms, TLS+auth " << tls_auth_ms << " ms\n";
    EXPECT_GE(plain_ms, 0);
    EXPECT_GE(mtls_ms, 0);
    EXPECT_GE(auth_ms, 0);
    EXPECT_GE(tls_auth_ms, 0);
}

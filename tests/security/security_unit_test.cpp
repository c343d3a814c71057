// Authentication against cql-sim (multi-step SASL, wrong password without a
// retry storm, secrecy of the password) and TLS configuration errors. No
// real server needed: CTest label unit.
#include "security_util.hpp"

#include <cql_sim/server.hpp>
#include <security_args.hpp>

#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace ac = async_cassandra;
using namespace std::chrono_literals;
using security_test::counting_provider;

namespace {

constexpr const char* secret = "s3cr3t-Pa55w0rd";

std::string str(std::span<const std::byte> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
ac::auth_token tok(std::string_view s) {
    auto b = std::as_bytes(std::span(s.data(), s.size()));
    return {b.begin(), b.end()};
}

struct connect_outcome {
    ac::error_code ec;
    ac::diagnostics diag;
    bool done = false;
    int version = 0;
};

// Connects to the started sim and, on success, runs one query.
connect_outcome try_connect(asio::io_context& io, cql_sim::server& sim, ac::cluster_config cfg) {
    cfg.port = sim.port();
    connect_outcome out;
    asio::co_spawn(
        io,
        [&, cfg]() -> asio::awaitable<void> {
            auto c = co_await ac::cluster::async_connect(io.get_executor(), cfg, out.diag,
                                                         asio::redirect_error(asio::use_awaitable, out.ec));
            if (!out.ec) {
                out.version = c.protocol_version();
                auto s = co_await c.open_session();
                co_await s.execute("SELECT release_version FROM system.local");
                co_await c.close();
            }
        },
        [&](std::exception_ptr e) {
            out.done = true;
            if (e) out.ec = ac::client_errc::internal_error;
            sim.stop();
        });
    io.run_for(20s);
    return out;
}

// initial "hello"; challenge "c1" -> "answer-c1"; challenge "c2" -> the password.
class scripted_authenticator final : public ac::authenticator {
public:
    explicit scripted_authenticator(std::string* success) : success_(success) {}
    ac::auth_token initial_response() override { return tok("hello"); }
    ac::auth_token evaluate_challenge(std::span<const std::byte> challenge) override {
        auto c = str(challenge);
        if (c == "c1") return tok("answer-c1");
        if (c == "c2") return tok(std::string("\0u\0", 3) + secret);
        throw std::runtime_error("unexpected challenge " + c);
    }
    void on_success(std::span<const std::byte> token) override { *success_ = str(token); }

private:
    std::string* success_;
};

class scripted_provider final : public ac::auth_provider {
public:
    std::unique_ptr<ac::authenticator> new_authenticator(const std::string& host,
                                                         const std::string& server_authenticator) const override {
        hosts.push_back(host);
        server_class = server_authenticator;
        return std::make_unique<scripted_authenticator>(&success);
    }
    mutable std::vector<std::string> hosts;
    mutable std::string server_class, success;
};

cql_sim::config auth_sim(int nodes = 1) {
    cql_sim::config c;
    c.nodes = nodes;
    c.user = "u";
    c.password = secret;
    return c;
}

}  // namespace

TEST(security_auth, multi_step_authenticator_answers_every_challenge) {
    for (int version : {5, 4}) {
        asio::io_context io;
        auto sc = auth_sim();
        sc.authenticator = "com.example.ChallengeAuthenticator";
        sc.auth_challenges = {"c1", "c2"};
        sc.auth_success_token = "welcome";
        cql_sim::server sim(io.get_executor(), sc);
        sim.start();
        auto provider = std::make_shared<scripted_provider>();
        ac::cluster_config cfg;
        cfg.protocol_version = version;
        cfg.auth = provider;
        auto out = try_connect(io, sim, cfg);
        ASSERT_TRUE(out.done);
        ASSERT_FALSE(out.ec) << out.ec.message() << ": " << out.diag.message();
        EXPECT_EQ(out.version, version);
        // Two connections authenticate, each through every step: the control
        // connection and the host's pool connection.
        const std::vector<std::string> steps{"hello", "answer-c1", std::string("\0u\0", 3) + secret};
        std::vector<std::string> both = steps;
        both.insert(both.end(), steps.begin(), steps.end());
        EXPECT_EQ(sim.stats().auth_tokens, both);
        EXPECT_EQ(provider->server_class, "com.example.ChallengeAuthenticator");
        ASSERT_EQ(provider->hosts.size(), 2u);
        EXPECT_EQ(provider->hosts[0], "127.0.0.1:" + std::to_string(sim.port()));
        EXPECT_EQ(provider->hosts[1], "127.0.0.1:" + std::to_string(sim.port()));
        EXPECT_EQ(provider->success, "welcome");
    }
}

TEST(security_auth, password_auth_sends_sasl_plain) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), auth_sim());
    sim.start();
    ac::cluster_config cfg;
    cfg.auth = ac::password_auth("u", secret);
    auto out = try_connect(io, sim, cfg);
    ASSERT_TRUE(out.done);
    ASSERT_FALSE(out.ec) << out.diag.message();
    // The control connection's and the pool connection's.
    const auto token = std::string("\0u\0", 3) + secret;
    EXPECT_EQ(sim.stats().auth_tokens, (std::vector<std::string>{token, token}));
}

// A wrong password on the first of three hosts: one connection, one
// AUTH_RESPONSE, the server's message, and the password nowhere.
TEST(security_auth, wrong_password_stops_at_the_first_host_and_keeps_the_secret) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), auth_sim(3));
    sim.start();
    const std::string wrong = "wr0ng-Secret-xyz";
    auto provider = std::make_shared<counting_provider>(ac::password_auth("u", wrong));
    ac::cluster_config cfg;
    cfg.contact_points = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};
    cfg.auth = provider;
    auto out = try_connect(io, sim, cfg);
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.ec, ac::server_errc::bad_credentials) << out.ec.message();
    EXPECT_NE(out.diag.message().find("Provided username u and/or password are incorrect"), std::string::npos)
        << out.diag.message();
    EXPECT_EQ(out.diag.message().find(wrong), std::string::npos);
    EXPECT_EQ(provider->count, 1);
    EXPECT_EQ(sim.stats().connections_accepted, 1u);
    EXPECT_EQ(sim.stats().auth_tokens.size(), 1u);
    // The exception the coroutine form throws: the right class, no secret.
    try {
        ac::throw_on_error(out.ec, out.diag);
        ADD_FAILURE() << "no exception";
    } catch (const ac::bad_credentials_error& e) {
        EXPECT_EQ(std::string(e.what()).find(wrong), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("incorrect"), std::string::npos) << e.what();
    }
}

TEST(security_auth, no_credentials_is_authentication_required_without_retries) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), auth_sim(2));
    sim.start();
    ac::cluster_config cfg;
    cfg.contact_points = {"127.0.0.1", "127.0.0.2"};
    auto out = try_connect(io, sim, cfg);
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.ec, ac::client_errc::authentication_required);
    EXPECT_NE(out.diag.message().find("PasswordAuthenticator"), std::string::npos) << out.diag.message();
    EXPECT_EQ(sim.stats().connections_accepted, 1u);
}

TEST(security_auth, endless_challenges_are_cut_off) {
    asio::io_context io;
    auto sc = auth_sim();
    sc.auth_challenges.assign(100, "again");
    cql_sim::server sim(io.get_executor(), sc);
    sim.start();
    ac::cluster_config cfg;
    cfg.auth = ac::password_auth("u", secret);
    auto out = try_connect(io, sim, cfg);
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.ec, ac::client_errc::no_host_available);
    EXPECT_NE(out.diag.message().find("authentication challenges"), std::string::npos) << out.diag.message();
    EXPECT_EQ(out.diag.message().find(secret), std::string::npos);
}

TEST(security_auth, a_throwing_authenticator_fails_the_handshake) {
    asio::io_context io;
    auto sc = auth_sim();
    sc.auth_challenges = {"surprise"};
    cql_sim::server sim(io.get_executor(), sc);
    sim.start();
    ac::cluster_config cfg;
    cfg.auth = std::make_shared<scripted_provider>();
    auto out = try_connect(io, sim, cfg);
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.ec, ac::client_errc::no_host_available);
    EXPECT_NE(out.diag.message().find("unexpected challenge surprise"), std::string::npos) << out.diag.message();
}

// cql-sim speaks plaintext: a TLS client fails at once, with a hint.
TEST(security_tls, tls_client_against_plaintext_server_fails_fast) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    ac::cluster_config cfg;
    cfg.tls.enabled = true;
    cfg.tls.verify_peer = false;
    cfg.connect_timeout = 5s;
    auto start = std::chrono::steady_clock::now();
    auto out = try_connect(io, sim, cfg);
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(out.done);
    EXPECT_EQ(out.ec, ac::client_errc::no_host_available);
    EXPECT_NE(out.diag.message().find("TLS handshake with"), std::string::npos) << out.diag.message();
    EXPECT_NE(out.diag.message().find("does the server have TLS enabled?"), std::string::npos) << out.diag.message();
    EXPECT_LT(took, 4s);
}

namespace {
std::string config_error(ac::cluster_config cfg) {
    asio::io_context io;
    ac::error_code ec;
    ac::diagnostics diag;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await ac::cluster::async_connect(io.get_executor(), cfg, diag,
                                                asio::redirect_error(asio::use_awaitable, ec));
        },
        asio::detached);
    io.run_for(10s);
    if (ec != ac::client_errc::bad_config) return "not bad_config but " + ec.message() + ": " + diag.message();
    return diag.message();
}
ac::cluster_config tls_config() {
    ac::cluster_config cfg;
    cfg.contact_points = {"127.0.0.1"};
    cfg.port = 1;  // never reached: configuration errors come first
    cfg.tls.enabled = true;
    return cfg;
}
}  // namespace

TEST(security_tls, bad_tls_files_fail_connect_with_bad_config_naming_the_file) {
    auto a = security_test::make_self_signed("a");
    auto b = security_test::make_self_signed("b");
    auto missing = security_test::write_temp("x", "") + ".does-not-exist";
    auto garbage = security_test::write_temp("garbage.pem", "not a certificate\n");
    auto cert_a = security_test::write_temp("a.pem", a.cert_pem);
    auto key_a = security_test::write_temp("a.key", a.key_pem);
    auto key_b = security_test::write_temp("b.key", b.key_pem);

    auto cfg = tls_config();
    cfg.tls.ca_file = missing;
    auto msg = config_error(cfg);
    EXPECT_NE(msg.find("cluster_config.tls.ca_file (" + missing + "): cannot open: No such file"), std::string::npos)
        << msg;

    cfg = tls_config();
    cfg.tls.ca_file = garbage;
    msg = config_error(cfg);
    EXPECT_NE(msg.find(garbage + "): holds no usable PEM certificate"), std::string::npos) << msg;

    cfg = tls_config();
    cfg.tls.ca_pem = "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n";
    msg = config_error(cfg);
    EXPECT_NE(msg.find("cluster_config.tls.ca_pem: holds no usable PEM certificate"), std::string::npos) << msg;

    cfg = tls_config();
    cfg.tls.cert_file = cert_a;
    cfg.tls.key_file = key_b;
    msg = config_error(cfg);
    EXPECT_NE(msg.find("key_file (" + key_b +
                       "): the key does not match the certificate in cluster_config.tls.cert_file (" + cert_a + ")"),
              std::string::npos)
        << msg;

    cfg = tls_config();
    cfg.tls.cert_file = cert_a;
    cfg.tls.key_file = cert_a;
    cfg.tls.key_password = secret;
    msg = config_error(cfg);
    EXPECT_NE(msg.find("holds no usable PEM private key"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(secret), std::string::npos) << msg;

    // PEM text instead of files: accepted (the connect then fails on the network, not the config).
    cfg = tls_config();
    cfg.tls.ca_pem = a.cert_pem;
    cfg.tls.cert_pem = a.cert_pem;
    cfg.tls.key_pem = a.key_pem;
    msg = config_error(cfg);
    EXPECT_EQ(msg.rfind("not bad_config", 0), 0u) << msg;
    EXPECT_EQ(msg.find("PRIVATE KEY"), std::string::npos) << msg;
}

TEST(security_tls, inconsistent_settings_are_bad_config) {
    // Designated initializers may leave security fields out (-Werror=missing-field-initializers).
    const ac::cluster_config designated{.port = 1, .tls = {.enabled = true, .ca_file = "/x.pem", .ca_pem = "x"}};
    EXPECT_NE(config_error(designated).find("ca_file or ca_pem, not both"), std::string::npos);
    auto cfg = tls_config();
    cfg.tls.cert_file = "/x.pem";
    EXPECT_NE(config_error(cfg).find("needs its private key"), std::string::npos);
    cfg = tls_config();
    cfg.tls.ca_file = "/x.pem";
    cfg.tls.ca_pem = "x";
    EXPECT_NE(config_error(cfg).find("ca_file or ca_pem, not both"), std::string::npos);
    // Settings without enabled would send credentials in clear: refused.
    cfg = tls_config();
    cfg.tls.enabled = false;
    cfg.tls.ca_file = "/x.pem";
    EXPECT_NE(config_error(cfg).find("tls.enabled is false"), std::string::npos);
}

TEST(security_errors, tls_handshake_failed_is_a_fatal_connection_error) {
    const auto ec = make_error_code(ac::client_errc::tls_handshake_failed);
    EXPECT_EQ(ec.message(), "TLS handshake failed");
    EXPECT_TRUE(ac::is_fatal(ec));
    EXPECT_EQ(ac::classify_retry(ec), ac::retry_safety::always);  // nothing was sent
    EXPECT_THROW(ac::throw_on_error(ec, {}), ac::connection_error);
    // A wrong password is never worth another try.
    EXPECT_FALSE(ac::is_retryable(ac::server_errc::bad_credentials));
    EXPECT_TRUE(ac::is_fatal(ac::server_errc::bad_credentials));
}

TEST(security_args, tool_options_fill_tls_and_auth) {
    const char* argv[] = {"tool",   "--ca", "/ca.pem",       "--cert", "/c.pem",           "--key", "/c.key",
                          "--user", "bob",  "--server-name", "db",     "--no-verify-host", "-x"};
    const int argc = static_cast<int>(std::size(argv));
    tools::security_args sec;
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        int used = sec.parse(argc, const_cast<char**>(argv), i);
        if (used == 0)
            rest.emplace_back(argv[i]);
        else
            i += used - 1;
    }
    EXPECT_EQ(rest, std::vector<std::string>{"-x"});
    auto pw = security_test::write_temp("pw", std::string(secret) + "\n");
    sec.password_file = pw;
    ac::cluster_config cfg;
    sec.apply(cfg);
    EXPECT_TRUE(cfg.tls.enabled);
    EXPECT_EQ(cfg.tls.ca_file, "/ca.pem");
    EXPECT_EQ(cfg.tls.cert_file, "/c.pem");
    EXPECT_EQ(cfg.tls.key_file, "/c.key");
    EXPECT_EQ(cfg.tls.server_name, "db");
    EXPECT_FALSE(cfg.tls.verify_host);
    ASSERT_TRUE(cfg.auth);
    // The password file's first line, as SASL PLAIN.
    auto a = cfg.auth->new_authenticator("h:9042", "PasswordAuthenticator");
    auto t = a->initial_response();
    EXPECT_EQ(str(t), std::string("\0bob\0", 5) + secret);

    const char* missing[] = {"tool", "--ca"};
    tools::security_args bad;
    EXPECT_THROW(bad.parse(2, const_cast<char**>(missing), 1), std::invalid_argument);
}

TEST(security_args, inline_values_and_no_password_on_the_command_line) {
    const char* argv[] = {"tool", "--ca=/ca.pem", "--user=bob", "--password", "hunter2", "--tls=yes"};
    tools::security_args sec;
    EXPECT_EQ(sec.parse(6, const_cast<char**>(argv), 1), 1);
    EXPECT_EQ(sec.parse(6, const_cast<char**>(argv), 2), 1);
    EXPECT_TRUE(sec.tls.enabled);  // --ca implies TLS
    EXPECT_EQ(sec.tls.ca_file, "/ca.pem");
    EXPECT_EQ(sec.user, "bob");
    try {
        sec.parse(6, const_cast<char**>(argv), 3);
        ADD_FAILURE() << "--password was accepted";
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("AC_PASSWORD"), std::string::npos) << what;
        EXPECT_NE(what.find("--password-file"), std::string::npos) << what;
        EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    }
    EXPECT_THROW(sec.parse(6, const_cast<char**>(argv), 5), std::invalid_argument);  // a flag with a value

    // Halves of a pair and settings without what they need are refused.
    tools::security_args half;
    half.tls.enabled = true;
    half.tls.cert_file = "/c.pem";
    ac::cluster_config cfg;
    EXPECT_THROW(half.apply(cfg), std::invalid_argument);
    tools::security_args no_tls;
    no_tls.tls.verify_host = false;
    EXPECT_THROW(no_tls.apply(cfg), std::invalid_argument);
}

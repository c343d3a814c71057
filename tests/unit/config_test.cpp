#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace ac = async_cassandra;

namespace {
// Runs connect to completion and returns its error and diagnostics.
std::pair<ac::error_code, ac::diagnostics> try_connect(ac::cluster_config cfg) {
    asio::io_context io;
    ac::diagnostics diag;
    ac::error_code result;
    ac::cluster::async_connect(io.get_executor(), std::move(cfg), diag,
                               [&](ac::error_code ec, ac::cluster) { result = ec; });
    io.run();
    return {result, diag};
}
}  // namespace

TEST(config, empty_contact_points_is_bad_config) {
    ac::cluster_config cfg;
    cfg.contact_points = {};
    auto [ec, diag] = try_connect(cfg);
    EXPECT_EQ(ec, ac::client_errc::bad_config);
    EXPECT_NE(diag.message().find("contact_points"), std::string::npos);
}

TEST(config, unsupported_protocol_version_is_bad_config) {
    auto [ec, diag] = try_connect({.protocol_version = 3});
    EXPECT_EQ(ec, ac::client_errc::bad_config);
    EXPECT_NE(diag.message().find("protocol_version"), std::string::npos);
}

TEST(connect, closed_port_fails_fast_naming_host_and_port) {
    // Bind then close a port so nothing listens there.
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    auto start = std::chrono::steady_clock::now();
    auto [ec, diag] = try_connect(
        {.contact_points = {"127.0.0.1"}, .port = port, .connect_timeout = std::chrono::milliseconds(2000)});
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(ec, ac::client_errc::no_host_available);
    EXPECT_NE(diag.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << diag.message();
    EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST(connect, silent_server_times_out_within_the_connect_timeout) {
    // Accepts the TCP connection but never answers OPTIONS.
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    asio::ip::tcp::socket peer(io);
    a.async_accept(peer, [](ac::error_code) {});
    ac::diagnostics diag;
    ac::error_code result;
    auto start = std::chrono::steady_clock::now();
    ac::cluster::async_connect(
        io.get_executor(),
        {.contact_points = {"127.0.0.1"}, .port = port, .connect_timeout = std::chrono::milliseconds(300)}, diag,
        [&](ac::error_code ec, ac::cluster) {
            result = ec;
            peer.close();
        });
    io.run();
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result, ac::client_errc::no_host_available);
    EXPECT_NE(diag.message().find("timed out"), std::string::npos) << diag.message();
    EXPECT_GE(took, std::chrono::milliseconds(290));
    EXPECT_LT(took, std::chrono::milliseconds(1000));
}

TEST(connect, every_contact_point_is_named_when_all_fail) {
    auto [ec, diag] = try_connect({.contact_points = {"127.0.0.1", "no-such-host.invalid"},
                                   .port = 1,
                                   .connect_timeout = std::chrono::milliseconds(2000)});
    EXPECT_EQ(ec, ac::client_errc::no_host_available);
    EXPECT_NE(diag.message().find("127.0.0.1:1"), std::string::npos) << diag.message();
    EXPECT_NE(diag.message().find("no-such-host.invalid"), std::string::npos) << diag.message();
}

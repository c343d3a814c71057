// Metrics: run some requests, serve the cluster's counters on /metrics, and
// scrape them once with a plain socket, as Prometheus would.
//   metrics_endpoint [host]   (default 127.0.0.1; exits by itself)
#include "example_common.hpp"

#include <async_cassandra/async_cassandra.hpp>
#include <async_cassandra/metrics_server.hpp>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace ac = async_cassandra;
using asio::ip::tcp;

// GET /metrics over a fresh connection; the server closes it after the
// response, so reading to EOF gets all of it.
asio::awaitable<std::string> scrape(tcp::endpoint where) {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(where, asio::use_awaitable);
    const std::string request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    std::string response;
    std::error_code ec;
    co_await asio::async_read(socket, asio::dynamic_buffer(response), asio::redirect_error(asio::use_awaitable, ec));
    if (ec && ec != asio::error::eof) throw std::system_error(ec, "reading /metrics");
    co_return response;
}

asio::awaitable<void> run(std::string host) {
    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {host};
    config.metrics = true;  // the default
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    constexpr int requests = 10;
    for (int i = 0; i < requests; ++i) co_await session.execute("SELECT release_version FROM system.local");

    ac::metrics_server_params params;
    params.port = 0;  // any free port
    ac::metrics_server server(co_await asio::this_coro::executor, params, cluster.metrics());
    ac::diagnostics diag;
    if (auto ec = server.start(diag)) throw ac::error(ec, diag);
    const auto where = server.local_endpoint();
    std::cout << "serving http://" << where.address().to_string() << ":" << where.port() << "/metrics\n";

    const auto response = co_await scrape(where);
    std::cout << response << '\n';
    server.stop();
    co_await cluster.close();

    // The scrape shows at least the requests made above.
    if (response.rfind("HTTP/1.1 200", 0) != 0) throw std::runtime_error("/metrics did not answer 200");
    const std::string counter = "\nasync_cassandra_requests_total ";
    const auto at = response.find(counter);
    if (at == std::string::npos) throw std::runtime_error("no async_cassandra_requests_total in /metrics");
    const auto counted = std::stoull(response.substr(at + counter.size()));
    if (counted < requests)
        throw std::runtime_error("async_cassandra_requests_total is " + std::to_string(counted) +
                                 ", expected at least " + std::to_string(requests));
    std::cout << "metrics_endpoint: " << counted << " requests counted\n";
}

int main(int argc, char** argv) { return run_example("metrics_endpoint", run(argc > 1 ? argv[1] : "127.0.0.1")); }

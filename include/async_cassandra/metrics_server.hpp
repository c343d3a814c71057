// A minimal HTTP endpoint serving GET /metrics for Prometheus to scrape.
#pragma once

#include <async_cassandra/error.hpp>
#include <async_cassandra/metrics.hpp>

#include <async_cassandra/detail/net.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace async_cassandra {

struct metrics_server_params {
    std::string address = "127.0.0.1";       // an IP address to bind; "0.0.0.0" or "::" for every interface
    std::uint16_t port = 9464;               // 0: any free port (see local_endpoint())
    std::string prefix = "async_cassandra";  // metric name prefix, as to_prometheus
    // A request whose line and headers exceed this is answered 431 and closed.
    std::size_t max_request_bytes = 8192;
    // A client that has not sent its whole request by then is disconnected.
    std::chrono::milliseconds read_timeout{5000};
    // Connections served at once; more are closed as soon as accepted.
    std::size_t max_connections = 16;
};

// Serves GET (and HEAD) /metrics with the body the provider makes, as
// text/plain; version=0.0.4; any other path is 404, any other method 405, a
// malformed request 400. Every response closes its connection.
// Thread safety: runs on `ex` (with a multi-threaded io_context, give a
// strand). start() and local_endpoint() are for the owning thread; stop()
// may be called from any thread. Destroying the server stops it.
class metrics_server {
public:
    using body_provider = std::function<std::string()>;

    metrics_server(asio::any_io_executor ex, metrics_server_params params, body_provider body);
    // Serves to_prometheus(registry->snapshot(), params.prefix).
    metrics_server(asio::any_io_executor ex, metrics_server_params params,
                   std::shared_ptr<const metrics_registry> registry);
    ~metrics_server();
    metrics_server(const metrics_server&) = delete;
    metrics_server& operator=(const metrics_server&) = delete;

    // Binds and listens, then serves on the executor. Errors (`diag` names
    // the address and port): invalid_argument when the address does not
    // parse or the server was started before; the socket's error when
    // binding fails (address in use, permission denied, ...).
    error_code start(diagnostics& diag);
    // The address and port bound (the port chosen when params.port was 0).
    asio::ip::tcp::endpoint local_endpoint() const;
    // Closes the listening socket and every open connection. Idempotent.
    void stop();

private:
    struct state;
    std::shared_ptr<state> state_;
};

}  // namespace async_cassandra

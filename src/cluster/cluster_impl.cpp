#include "cluster/cluster_impl.hpp"

#include <asio/post.hpp>

namespace async_cassandra::detail {

std::string validate(const cluster_config& cfg) {
    if (cfg.contact_points.empty()) return "cluster_config.contact_points is empty";
    for (const auto& h : cfg.contact_points)
        if (h.empty()) return "cluster_config.contact_points holds an empty host name";
    if (cfg.port == 0) return "cluster_config.port is 0";
    if (cfg.protocol_version != 4 && cfg.protocol_version != 5)
        return "cluster_config.protocol_version is " + std::to_string(cfg.protocol_version) + "; supported: 4, 5";
    if (cfg.compression == compression::snappy && cfg.protocol_version != 4)
        return "cluster_config.compression is snappy, which only protocol v4 offers; set protocol_version = 4";
    if (cfg.connect_timeout.count() <= 0) return "cluster_config.connect_timeout must be positive";
    if (cfg.request_timeout.count() <= 0) return "cluster_config.request_timeout must be positive";
    if (cfg.default_page_size == 0 || cfg.default_page_size < -1)
        return "cluster_config.default_page_size must be positive (or -1 for no paging)";
    return {};
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::open_one(const std::string& host, int version,
                                                                    std::error_code& ec, diagnostics& diag) {
    connection_params p;
    p.host = host;
    p.port = cfg_.port;
    p.protocol_version = version;
    p.compression = cfg_.compression;
    p.connect_timeout = cfg_.connect_timeout;
    auto c = std::make_shared<connection>(ex_, std::move(p));
    ec = co_await c->start(diag);
    if (ec) co_return nullptr;
    co_return c;
}

asio::awaitable<std::error_code> cluster_impl::connect(diagnostics& diag) {
    std::string failures;
    for (const auto& host : cfg_.contact_points) {
        std::error_code ec;
        diagnostics d;
        // Offer the configured version; step down once if the server refuses it.
        for (int v = version_ ? version_ : cfg_.protocol_version; v >= 4; --v) {
            d.clear();
            auto c = co_await open_one(host, v, ec, d);
            if (c) {
                conn_ = std::move(c);
                version_ = v;
                co_return std::error_code{};
            }
            if (ec != client_errc::protocol_version_rejected) break;
        }
        if (!failures.empty()) failures += "; ";
        failures += d.message().empty() ? host + ": " + ec.message() : d.message();
        if (ec == client_errc::authentication_required) {
            diag.assign(d.message(), d.host());
            co_return ec;
        }
    }
    diag.assign("no contact point answered: " + failures);
    co_return make_error_code(client_errc::no_host_available);
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::acquire(std::error_code& ec, diagnostics& diag) {
    if (closed_) {
        ec = client_errc::session_closed;
        diag.assign("the cluster is closed");
        co_return nullptr;
    }
    if (conn_ && conn_->is_open()) co_return conn_;
    ec = co_await connect(diag);
    if (ec) co_return nullptr;
    if (closed_) {  // closed while we reconnected
        conn_->close();
        ec = client_errc::session_closed;
        diag.assign("the cluster is closed");
        co_return nullptr;
    }
    co_return conn_;
}

void cluster_impl::shutdown() {
    if (closed_) return;
    closed_ = true;
    if (conn_) {
        // Requests in flight learn why their connection went away.
        conn_->close("cluster closed");
        conn_.reset();
    }
}

}  // namespace async_cassandra::detail

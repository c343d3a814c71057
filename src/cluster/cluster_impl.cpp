#include "cluster/cluster_impl.hpp"

#include "connection/tls_context.hpp"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

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
    if (cfg.close_timeout.count() < 0) return "cluster_config.close_timeout must not be negative";
    if (cfg.max_requests_per_connection == 0) return "cluster_config.max_requests_per_connection must be positive";
    return validate_security(cfg);
}

cluster_impl::cluster_impl(asio::any_io_executor ex, cluster_config cfg, std::shared_ptr<const tls_context> tls)
    : ex_(std::move(ex)),
      cfg_(std::move(cfg)),
      tls_(std::move(tls)),
      reconnected_(ex_, asio::steady_timer::time_point::max()) {}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::open_one(const std::string& host, int version,
                                                                    std::error_code& ec, diagnostics& diag) {
    connection_params p;
    p.host = host;
    p.port = cfg_.port;
    p.protocol_version = version;
    p.compression = cfg_.compression;
    p.connect_timeout = cfg_.connect_timeout;
    p.max_requests = cfg_.max_requests_per_connection;
    p.max_queued = cfg_.max_queued_requests;
    p.max_orphaned = cfg_.max_orphaned_streams;
    p.tls = tls_;
    p.auth = cfg_.auth;
    auto c = std::make_shared<connection>(ex_, std::move(p), counters_);
    ec = co_await c->start(diag);
    if (ec) co_return nullptr;
    ++opened_;
    watch(c);
    co_return c;
}

void cluster_impl::watch(const std::shared_ptr<connection>& c) {
    c->on_state_change([w = weak_from_this()] {
        if (auto self = w.lock()) self->on_connection_change();
    });
}

void cluster_impl::on_connection_change() {
    if (!closing_ || !drained()) return;
    for (auto* t : drain_waiters_) t->cancel();
}

bool cluster_impl::drained() const {
    auto idle = [](const std::shared_ptr<connection>& c) { return !c || (c->in_flight() == 0 && c->queued() == 0); };
    return idle(conn_) && std::all_of(retiring_.begin(), retiring_.end(), idle);
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
        // Credentials are the same for every host: trying the others would only repeat the refusal.
        if (ec == client_errc::authentication_required || ec == server_errc::bad_credentials) {
            diag.assign(d.message(), d.host());
            co_return ec;
        }
    }
    diag.assign("no contact point answered: " + failures);
    co_return make_error_code(client_errc::no_host_available);
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::acquire(std::error_code& ec, diagnostics& diag) {
    auto closed_error = [&] {
        ec = client_errc::session_closed;
        diag.assign("the cluster is closed");
    };
    for (;;) {
        if (shut_down_) {
            closed_error();
            co_return nullptr;
        }
        if (conn_ && conn_->accepting()) co_return conn_;
        if (conn_ && conn_->retiring()) {
            // It closes by itself once its requests complete; new ones go to a fresh connection.
            ++replaced_;
            retiring_.push_back(std::move(conn_));
        }
        conn_.reset();
        std::erase_if(retiring_, [](const std::shared_ptr<connection>& c) { return !c->is_open(); });
        if (reconnecting_) {
            auto generation = reconnect_generation_;
            std::error_code ignored;
            co_await reconnected_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            if (shut_down_) continue;
            if (generation == reconnect_generation_) {  // our own wait was cancelled
                ec = asio::error::operation_aborted;
                diag.assign("cancelled while waiting for a connection");
                co_return nullptr;
            }
            if (reconnect_ec_) {
                ec = reconnect_ec_;
                diag = reconnect_diag_;
                co_return nullptr;
            }
            continue;
        }
        reconnecting_ = true;
        diagnostics d;
        auto e = co_await connect(d);
        reconnecting_ = false;
        ++reconnect_generation_;
        reconnect_ec_ = e;
        reconnect_diag_ = d;
        reconnected_.cancel();
        if (e) {
            ec = e;
            diag = std::move(d);
            co_return nullptr;
        }
        if (shut_down_ && conn_) conn_->close("cluster closed", client_errc::session_closed);
    }
}

asio::awaitable<void> cluster_impl::close() {
    closing_ = true;
    if (!shut_down_ && !drained()) {
        asio::steady_timer deadline(ex_, cfg_.close_timeout);
        drain_waiters_.push_back(&deadline);
        for (;;) {
            std::error_code ec;
            co_await deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (!ec || shut_down_ || drained()) break;  // the deadline, or done
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) break;  // the caller gave up waiting
        }
        std::erase(drain_waiters_, &deadline);
    }
    shutdown();
}

void cluster_impl::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    closing_ = true;
    // Requests in flight learn why their connection went away.
    auto conns = std::move(retiring_);
    retiring_.clear();
    if (conn_) conns.push_back(std::move(conn_));
    conn_.reset();
    for (auto& c : conns) c->close("cluster closed", client_errc::session_closed);
    reconnected_.cancel();
    for (auto* t : drain_waiters_) t->cancel();
}

}  // namespace async_cassandra::detail

#include "cluster/cluster_impl.hpp"

#include "connection/tls_context.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>

namespace async_cassandra::detail {

cluster_impl::cluster_impl(asio::any_io_executor ex, cluster_config cfg, std::shared_ptr<const tls_context> tls)
    : cfg_(std::move(cfg)),
      runtime_(std::move(ex), cfg_.io_threads),
      tls_(std::move(tls)),
      routing_(*this, runtime_),
      control_(*this) {
    counters_->many_writers = runtime_.threaded();
}

std::shared_ptr<timestamp_generator> cluster_impl::make_timestamps() const {
    if (cfg_.timestamps) return cfg_.timestamps;
    auto warn = [this](std::chrono::microseconds drift) {
        log_.warn([&] {
            return "client-side timestamps are " + std::to_string(drift.count() / 1000) +
                   " ms ahead of the system clock (it stepped back, or requests outran one per microsecond); "
                   "writes keep their order";
        });
    };
    return std::make_shared<monotonic_timestamp_generator>(monotonic_timestamp_generator::settings{}, warn);
}

// The shards' threads end first, so that no handler runs while the parts'
// sockets and timers go; the loops themselves go last, with runtime_.
cluster_impl::~cluster_impl() { runtime_.stop(); }

asio::awaitable<std::shared_ptr<connection>> cluster_impl::open_one(const std::string& address, std::uint16_t port,
                                                                    int version, error_code& ec, diagnostics& diag,
                                                                    bool control) {
    co_return co_await start_connection(make_connection(address, port, version, control), ec, diag);
}

spawn_guard cluster_impl::guard(std::string what, std::function<void()> restart) const {
    spawn_guard::options o{log_, std::move(what), coroutine_failures_, {}, {}, cfg_.reconnection.base_delay};
    if (restart) {
        o.ex = runtime_.executor();
        o.restart = [w = std::weak_ptr<const cluster_impl>(weak_from_this()), restart = std::move(restart)] {
            if (auto self = w.lock(); self && !self->shut_down_) restart();
        };
    }
    return spawn_guard(std::move(o));
}

std::shared_ptr<request_metrics> cluster_impl::host_metrics(const std::string& endpoint, std::size_t shard) const {
    if (!metrics_ || !metrics_->counting()) return nullptr;
    // Aliasing: the block's owner is the registry.
    return std::shared_ptr<request_metrics>(metrics_, &metrics_->host(endpoint, shard));
}

std::shared_ptr<connection> cluster_impl::make_connection(const std::string& address, std::uint16_t port, int version,
                                                          bool control, std::shared_ptr<request_metrics> metrics,
                                                          std::size_t shard) {
    connection_params p;
    p.host = address;
    p.port = port;
    p.protocol_version = version;
    p.compression = cfg_.compression;
    p.connect_timeout = cfg_.connect_timeout;
    p.max_requests = cfg_.max_requests_per_connection;
    p.max_queued = cfg_.max_queued_requests;
    p.max_orphaned = cfg_.max_orphaned_streams;
    p.tls = tls_;
    p.auth = cfg_.auth;
    p.metrics = std::move(metrics);
    // Once per cluster: every connection would say the same (credentials without TLS).
    p.warn = [w = std::weak_ptr<cluster_impl>(weak_from_this())](const std::string& m) {
        if (auto self = w.lock(); self && !self->warned_.exchange(true, std::memory_order_relaxed))
            self->log_.warn([&] { return m; });
    };
    // Threaded: a pool connection reads, writes and encodes on its shard's
    // strand, where the requests running on that shard use it without a
    // hop; the control connection stays on the cluster's strand, whose state
    // its events change.
    p.own_strand = runtime_.threaded() && !control;
    if (p.own_strand) p.shard = shard % runtime_.shard_count();
    auto ex = p.own_strand ? runtime_.shard_executor(p.shard) : runtime_.executor();
    return std::make_shared<connection>(std::move(ex), std::move(p), control ? nullptr : counters_);
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::start_connection(std::shared_ptr<connection> c,
                                                                            error_code& ec, diagnostics& diag) {
    if (c->own_strand())
        ec = co_await asio::co_spawn(c->get_executor(), c->start(diag), asio::use_awaitable);
    else
        ec = co_await c->start(diag);
    if (ec) co_return nullptr;
    if (c->counters_shared()) opened_.store(opened_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    co_return c;
}

// What callers on any executor await: each runs on the cluster's.
asio::awaitable<error_code> cluster_impl::connect(diagnostics& diag) {
    auto op = [self = shared_from_this(), d = &diag] {
        return keep_alive_op<void>(self, [c = self.get(), d] { return c->connect_here(*d); });
    };
    co_return (co_await run_on<void>(runtime_.executor(), op)).first;
}

asio::awaitable<void> cluster_impl::close() {
    auto op = [self = shared_from_this()] {
        return keep_alive_op<void>(self, [c = self.get()] { return c->close_here(); });
    };
    co_await run_on<void>(runtime_.executor(), op);
}

asio::awaitable<error_code> cluster_impl::connect_here(diagnostics& diag) {
    if (auto ec = co_await control_.connect(diag)) co_return ec;
    // Wait for every pool's first attempt, within the connect timeout.
    const auto until = std::chrono::steady_clock::now() + cfg_.connect_timeout;
    while (!routing_.pools_initialized() && std::chrono::steady_clock::now() < until)
        co_await routing_.wait_pool_change(until);
    if (routing_.open_connections() == 0) {
        diag.assign("discovered " + std::to_string(routing_.hosts_here().size()) +
                    " host(s) but could not open a connection to any: " + routing_.pool_errors("no attempt finished"));
        shutdown();
        co_return make_error_code(client_errc::no_host_available);
    }
    co_return error_code{};
}

asio::awaitable<void> cluster_impl::close_here() {
    closing_ = true;
    if (!shut_down_) co_await routing_.wait_drained(cfg_.close_timeout);
    shutdown();
}

void cluster_impl::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    closing_ = true;
    // Requests in flight learn why their connection went away.
    routing_.close_pools("cluster closed", client_errc::session_closed);
    control_.close();
}

}  // namespace async_cassandra::detail

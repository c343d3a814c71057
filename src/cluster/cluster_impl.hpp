// The cluster behind a cluster handle, in three parts with one job each:
// - shard_runtime: where code runs (the cluster's executor, the shards'
//   event loops and threads with io_threads > 1; docs/threads.md);
// - routing_table: the hosts, their pools and the routing snapshot that
//   requests read (token ring, policies, plans);
// - control_connection: discovery, schema, events, schema agreement.
// This object owns them and what they share: the configuration, the log,
// the metrics, the TLS context, the prepared cache, how connections are
// made, and the lifecycle (connect, close, shutdown). The asynchronous
// members callers outside the cluster use (connect, close,
// routing().acquire, control().wait_schema_agreement) go to the cluster's
// executor themselves (run_on.hpp); the other members expect to run there
// unless they say "any thread".
#pragma once

#include "cluster/configure.hpp"
#include "cluster/control_connection.hpp"
#include "cluster/prepared_cache.hpp"
#include "cluster/routing_table.hpp"
#include "cluster/run_on.hpp"
#include "cluster/shard_runtime.hpp"
#include "connection/connection.hpp"
#include "metrics/logger.hpp"
#include "metrics/probe.hpp"
#include "metrics/spawn_guard.hpp"

#include <async_cassandra/config.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/host.hpp>
#include <async_cassandra/metrics.hpp>
#include <async_cassandra/policies.hpp>
#include <async_cassandra/schema.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace async_cassandra::detail {

class cluster_impl : public std::enable_shared_from_this<cluster_impl> {
public:
    // `tls`: the cluster's TLS context, built once from cfg.tls (null: plain TCP).
    cluster_impl(asio::any_io_executor ex, cluster_config cfg, std::shared_ptr<const tls_context> tls = nullptr);
    ~cluster_impl();

    // --- Lifecycle, from any executor ---
    // Opens the control connection to the first contact point that answers,
    // discovers the hosts and waits (within connect_timeout) for their pools'
    // first attempts.
    asio::awaitable<error_code> connect(diagnostics& diag);
    // Waits (at most close_timeout) for requests in flight, then shuts down.
    asio::awaitable<void> close();
    // On the cluster's executor: closes every connection now.
    void shutdown();
    // Any thread.
    bool closed() const noexcept {
        return closing_.load(std::memory_order_relaxed) || shut_down_.load(std::memory_order_relaxed);
    }
    bool shut_down() const noexcept { return shut_down_.load(std::memory_order_relaxed); }

    // --- The parts ---
    const shard_runtime& runtime() const noexcept { return runtime_; }
    routing_table& routing() noexcept { return routing_; }
    const routing_table& routing() const noexcept { return routing_; }
    control_connection& control() noexcept { return control_; }
    const control_connection& control() const noexcept { return control_; }

    // --- Connections, for the pools and the control connection ---
    // A pool connection (counted in connections_opened and requests_sent),
    // or with `control` the control connection (counted in neither).
    asio::awaitable<std::shared_ptr<connection>> open_one(const std::string& address, std::uint16_t port, int version,
                                                          error_code& ec, diagnostics& diag, bool control = false);
    // open_one in two steps, so that the caller can close a connection still connecting.
    // `metrics`: the host's block (pool connections), null for none.
    // `shard`: the pool connection's strand (io_threads > 1; taken modulo the count).
    std::shared_ptr<connection> make_connection(const std::string& address, std::uint16_t port, int version,
                                                bool control, std::shared_ptr<request_metrics> metrics = nullptr,
                                                std::size_t shard = 0);
    asio::awaitable<std::shared_ptr<connection>> start_connection(std::shared_ptr<connection> c, error_code& ec,
                                                                  diagnostics& diag);
    void count_replaced() noexcept {
        replaced_.store(replaced_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    // --- What the parts and the session share, any thread ---
    const cluster_config& config() const noexcept { return cfg_; }
    const logger& log() const noexcept { return log_; }
    // Null when metrics are off and there is no listener.
    metrics_registry* metrics() const noexcept { return metrics_.get(); }
    const std::shared_ptr<metrics_registry>& metrics_shared() const noexcept { return metrics_; }
    // The block of the host at `endpoint` for `shard`'s stripe (kept alive
    // with the registry), or null when nothing is counted. Locks: call once
    // per connection.
    std::shared_ptr<request_metrics> host_metrics(const std::string& endpoint, std::size_t shard = 0) const;
    // The completion handler for every coroutine the cluster starts detached
    // (spawn_guard): `restart`, when given, runs on the cluster's executor
    // after the reconnection base delay, unless the cluster is shut down.
    spawn_guard guard(std::string what, std::function<void()> restart = {}) const;
    // Detached coroutines of this cluster that ended on an exception.
    std::size_t coroutine_failures() const noexcept { return coroutine_failures_->load(std::memory_order_relaxed); }
    prepared_cache& prepared() noexcept { return prepared_; }
    // The write time of a request that sets none; any thread.
    std::optional<std::int64_t> next_timestamp() const { return timestamps_->next(); }
    connection_counters& counters() noexcept { return *counters_; }
    std::size_t connections_opened() const noexcept { return opened_.load(std::memory_order_relaxed); }
    std::size_t connections_replaced() const noexcept { return replaced_.load(std::memory_order_relaxed); }
    std::size_t requests_sent() const noexcept { return counters_->requests_sent.load(); }

private:
    asio::awaitable<error_code> connect_here(diagnostics& diag);
    std::shared_ptr<timestamp_generator> make_timestamps() const;
    asio::awaitable<void> close_here();

    cluster_config cfg_;
    // Before the parts: destroyed after them, so that the shards' sockets
    // and timers go before the shards' loops.
    shard_runtime runtime_;
    logger log_{cfg_.log_sink, cfg_.log_level};
    std::shared_ptr<timestamp_generator> timestamps_ = make_timestamps();
    std::shared_ptr<metrics_registry> metrics_ = make_registry(cfg_);
    std::shared_ptr<const tls_context> tls_;
    std::shared_ptr<connection_counters> counters_ = std::make_shared<connection_counters>();
    // Atomic: session::closed() reads them on any thread; written on the cluster's executor only.
    std::atomic<bool> closing_{false};
    std::atomic<bool> shut_down_{false};
    std::atomic<std::size_t> opened_{0}, replaced_{0};  // written on the cluster's executor only
    std::atomic<bool> warned_{false};                   // a connection's warning was logged (connection_params::warn)
    // Shared with the guards' handlers, which may run after the cluster is gone.
    std::shared_ptr<std::atomic<std::size_t>> coroutine_failures_ = std::make_shared<std::atomic<std::size_t>>(0);
    prepared_cache prepared_{prepared_cache::default_capacity};
    routing_table routing_;
    control_connection control_;
};

}  // namespace async_cassandra::detail

// Hosts, their connection pools and the control connection behind a cluster
// handle. The control connection discovers the hosts (system.local,
// system.peers_v2 or system.peers), listens for topology, status and schema
// events, and reads the keyspaces' replication for token-aware routing.
// The cluster's state lives on its executor: with io_threads > 1 a strand
// of the caller's, while the requests and pool connections run on the
// shards (shard_loops; docs/threads.md). The asynchronous members callers
// outside the cluster use (connect, acquire, wait_schema_agreement, close)
// go there themselves (run_on.hpp); the other members expect to run there.
// What requests and synchronous getters read from other threads is either
// atomic or guarded by snapshot_lock(), which only then locks.
#pragma once

#include "cluster/host_pool.hpp"
#include "cluster/prepared_cache.hpp"
#include "cluster/run_on.hpp"
#include "cluster/shard_loops.hpp"
#include "connection/connection.hpp"
#include "connection/timeout_queue.hpp"
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

namespace async_cassandra {
class result_set;
}

namespace async_cassandra::detail {

class token_ring;

// The routing lock (cluster_impl::snapshot_lock): one recursive mutex per
// shard, each on a cache line of its own. A shard's thread takes only its
// own, so requests on different shards never write one lock word; every
// other thread, and every writer, takes them all, in order.
struct alignas(64) routing_mutex {
    std::recursive_mutex m;
};
class routing_lock {
public:
    routing_lock() noexcept = default;
    routing_lock(routing_mutex* first, std::size_t n) : first_(first), n_(n) {
        for (std::size_t i = 0; i < n_; ++i) first_[i].m.lock();
    }
    routing_lock(routing_lock&& o) noexcept : first_(std::exchange(o.first_, nullptr)), n_(o.n_) {}
    routing_lock& operator=(routing_lock&& o) noexcept {
        unlock();
        first_ = std::exchange(o.first_, nullptr);
        n_ = o.n_;
        return *this;
    }
    ~routing_lock() { unlock(); }

private:
    void unlock() noexcept {
        if (!first_) return;
        for (std::size_t i = n_; i-- > 0;) first_[i].m.unlock();
        first_ = nullptr;
    }
    routing_mutex* first_ = nullptr;
    std::size_t n_ = 0;
};

// Checks a configuration; returns a message naming the bad field, or empty.
std::string validate(const cluster_config& cfg);

class cluster_impl : public std::enable_shared_from_this<cluster_impl> {
public:
    // `tls`: the cluster's TLS context, built once from cfg.tls (null: plain TCP).
    cluster_impl(asio::any_io_executor ex, cluster_config cfg, std::shared_ptr<const tls_context> tls = nullptr);
    ~cluster_impl();

    // Opens the control connection to the first contact point that answers
    // (v5, else v4), discovers the hosts and opens their pools. Any executor.
    asio::awaitable<std::error_code> connect(diagnostics& diag);

    // --- Routing ---
    // The policies of a request: its profile's, else the cluster's. Null
    // profile when `name` is empty; an unknown name is an error.
    const execution_profile* profile(const std::string& name, diagnostics& diag, std::error_code& ec) const;
    load_balancing_policy& load_balancing(const execution_profile* p) const;
    retry_policy& retry(const execution_profile* p) const;
    // The replicas of `token` in `keyspace` (empty when unknown).
    std::span<const host_ptr> replicas(std::string_view keyspace, std::int64_t token) const;
    // The hosts to try for `r`, best first, those down or ignored left out.
    // Any thread: takes snapshot_lock(); a policy that does not declare
    // concurrent_plans() is called one plan at a time.
    void plan(const request_routing& r, const execution_profile* p, std::vector<host_ptr>& out) const;
    // A connection of `h` taking requests, or null: with io_threads > 1 one
    // on the caller's shard when it has room (no hop), else the least busy.
    // Any thread (takes snapshot_lock()).
    std::shared_ptr<connection> connection_to(const host& h) const;
    // A connection for a request that needs no particular host (PREPARE,
    // trace reads): the first of the default plan with one open. Waits
    // (within `timeout`) while pools are still connecting. Any executor.
    asio::awaitable<std::shared_ptr<connection>> acquire(std::error_code& ec, diagnostics& diag,
                                                         std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
    // Waits until some pool changes (a connection opens or closes) or `until`.
    asio::awaitable<void> wait_pool_change(std::chrono::steady_clock::time_point until);
    // Some pool of an up host is opening its first connection.
    bool pools_connecting() const;

    // Waits until every up host reports the same schema version, at most
    // max_schema_agreement_wait. Returns whether they agreed. Any executor.
    asio::awaitable<bool> wait_schema_agreement();

    // --- Lifecycle ---
    // Waits (at most close_timeout) for requests in flight, then shuts down. Any executor.
    asio::awaitable<void> close();
    void shutdown();
    bool closed() const noexcept {
        return closing_.load(std::memory_order_relaxed) || shut_down_.load(std::memory_order_relaxed);
    }

    // --- For the pools ---
    // A pool connection (counted in connections_opened and requests_sent),
    // or with `control` the control connection (counted in neither).
    asio::awaitable<std::shared_ptr<connection>> open_one(const std::string& address, std::uint16_t port, int version,
                                                          std::error_code& ec, diagnostics& diag, bool control = false);
    // open_one in two steps, so that the caller can close a connection still connecting.
    // `metrics`: the host's block (pool connections), null for none.
    // `shard`: the pool connection's strand (io_threads > 1; taken modulo the count).
    std::shared_ptr<connection> make_connection(const std::string& address, std::uint16_t port, int version,
                                                bool control, std::shared_ptr<request_metrics> metrics = nullptr,
                                                std::size_t shard = 0);
    asio::awaitable<std::shared_ptr<connection>> start_connection(std::shared_ptr<connection> c, std::error_code& ec,
                                                                  diagnostics& diag);
    void host_up(const host_ptr& h);
    void host_down(const host_ptr& h, const std::string& why);
    void on_pool_change();
    void count_replaced() noexcept { replaced_.store(replaced_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

    // --- Threads ---
    // io_threads > 1: ex_ is a strand, and requests and pool connections run
    // on io_threads shards, each an event loop with a thread of its own
    // (docs/threads.md).
    bool threaded() const noexcept { return threaded_; }
    // Where a request started here runs: the caller's shard when it runs on
    // one, else the next shard in turn; single-threaded, ex_.
    asio::any_io_executor request_executor() const;
    std::size_t shard_count() const noexcept { return shards_.size(); }
    // The shard the calling thread runs on, or shard_count().
    std::size_t current_shard() const noexcept;
    // The caller runs where requests run: on a shard, or (io_threads = 1)
    // on the cluster's executor.
    bool on_request_executor() const noexcept {
        return threaded_ ? current_shard() < shards_.size() : running_in_this_thread(ex_);
    }
    // Shard i's executor (threaded only).
    const asio::any_io_executor& shard_executor(std::size_t i) const noexcept { return shard_ex_[i]; }
    // The request timeouts of the executor the caller runs on (the cluster's
    // when single-threaded, its shard's), or null on another (the cluster's
    // strand when threaded): such a request arms a timer of its own.
    timeout_queue* timeouts_here() const noexcept;
    // Guards hosts_, pools_ (and the pools' connection lists), the token
    // ring, schema_, the hosts' topology and the prepared cache's counters
    // against requests and readers on other threads; changes on the
    // cluster's strand take snapshot_write_lock(), reads there need no lock.
    // Locks nothing when single-threaded. On a shard it locks only that
    // shard's mutex: for reading (several shards may read at once). On a
    // request's path: once for the plan and its connection.
    routing_lock snapshot_lock() const {
        if (!threaded_) return {};
        const auto here = current_shard();
        if (here < shards_.size()) return routing_lock(&routing_mutexes_[here], 1);
        return snapshot_write_lock();
    }
    // Every shard's mutex: for a change, from any thread. Never while this
    // thread holds snapshot_lock() on a shard: it would take the mutexes out
    // of order (its own first) and could deadlock with another shard doing
    // the same.
    routing_lock snapshot_write_lock() const {
        return threaded_ ? routing_lock(routing_mutexes_.get(), shards_.size()) : routing_lock();
    }

    // --- Introspection ---
    std::vector<host_ptr> hosts() const {
        auto lock = snapshot_lock();
        return hosts_;
    }
    std::size_t connections_opened() const noexcept { return opened_.load(std::memory_order_relaxed); }
    std::size_t connections_replaced() const noexcept { return replaced_.load(std::memory_order_relaxed); }
    std::size_t requests_sent() const noexcept { return counters_->requests_sent.load(); }
    connection_counters& counters() noexcept { return *counters_; }
    std::size_t open_connections() const;
    void add_totals(std::size_t& in_flight, std::size_t& orphaned, std::size_t& queued) const {
        auto lock = snapshot_lock();
        for (const auto& [ep, p] : pools_) p->add_totals(in_flight, orphaned, queued);
    }
    const cluster_config& config() const noexcept { return cfg_; }
    // Null when metrics are off and there is no listener.
    metrics_registry* metrics() const noexcept { return metrics_.get(); }
    const std::shared_ptr<metrics_registry>& metrics_shared() const noexcept { return metrics_; }
    // The block of the host at `endpoint` for `shard`'s stripe (kept alive
    // with the registry), or null when nothing is counted. Locks: call once
    // per connection.
    std::shared_ptr<request_metrics> host_metrics(const std::string& endpoint, std::size_t shard = 0) const;
    const logger& log() const noexcept { return log_; }
    // The completion handler for every coroutine the cluster starts detached
    // (spawn_guard): `restart`, when given, runs on the cluster's executor
    // after the reconnection base delay, unless the cluster is shut down.
    spawn_guard guard(std::string what, std::function<void()> restart = {}) const;
    // Detached coroutines of this cluster that ended on an exception.
    std::size_t coroutine_failures() const noexcept { return coroutine_failures_->load(std::memory_order_relaxed); }
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    int protocol_version() const noexcept { return version_.load(std::memory_order_relaxed); }
    prepared_cache& prepared() noexcept { return prepared_; }
    const std::shared_ptr<connection>& control() const noexcept { return control_; }
    using schema_map = std::map<std::string, keyspace_metadata, std::less<>>;
    // The schema as last read (refreshed on schema events); never null.
    std::shared_ptr<const schema_map> schema() const {
        auto lock = snapshot_lock();
        return schema_;
    }

private:
    // The members above of the same names, on ex_.
    asio::awaitable<std::error_code> connect_here(diagnostics& diag);
    asio::awaitable<std::shared_ptr<connection>> acquire_here(std::error_code& ec, diagnostics& diag,
                                                              std::chrono::milliseconds timeout);
    asio::awaitable<bool> agree_here();
    asio::awaitable<void> close_here();

    // Control connection (control.cpp).
    asio::awaitable<std::error_code> open_control(const std::string& address, std::uint16_t port, diagnostics& diag);
    asio::awaitable<std::error_code> refresh_topology(diagnostics& diag);
    asio::awaitable<std::error_code> refresh_schema(diagnostics& diag);
    asio::awaitable<std::error_code> query(std::string_view cql, result_set& out, diagnostics& diag);
    asio::awaitable<void> event_loop();
    asio::awaitable<void> reconnect_control();
    // Spawn the loops above with guard(), which restarts them.
    void start_event_loop();
    void start_control_reconnection();
    void on_event(const protocol::envelope& env);
    void schedule_refresh(bool topology, bool schema);
    void apply_hosts(std::vector<host_ptr> hosts);
    std::vector<host_ptr> read_hosts(const result_set& local, const result_set& peers) const;
    void rebuild_tokens();
    host_ptr find_host(const std::string& address, std::uint16_t port) const;

    bool drained() const;

    cluster_config cfg_;
    bool threaded_ = cfg_.io_threads > 1;
    // The shards' event loops (threaded_ only). Declared first, destroyed
    // last: every socket and timer of the shards goes before them.
    std::unique_ptr<shard_loops> loops_;
    asio::any_io_executor base_ex_;  // the caller's: pool connections' strands are made on it
    asio::any_io_executor ex_;       // base_ex_, or with threaded_ a strand of it
    using shard_strand = asio::strand<asio::any_io_executor>;
    std::vector<shard_strand> shards_;  // a strand on each of loops_ (threaded_ only)
    std::vector<asio::any_io_executor> shard_ex_;  // the same, type-erased
    mutable std::atomic<std::size_t> next_shard_{0};
    std::vector<std::shared_ptr<timeout_queue>> timeouts_;  // one per shard; single-threaded: ex_'s
    std::unique_ptr<routing_mutex[]> routing_mutexes_;  // one per shard (threaded_ only)
    mutable std::mutex policy_mutex_;  // plan() of a policy that cannot plan on several shards at once
    std::shared_ptr<metrics_registry> metrics_ = make_registry(cfg_);
    logger log_{cfg_.log_sink, cfg_.log_level};
    std::shared_ptr<const tls_context> tls_;
    std::shared_ptr<load_balancing_policy> lb_;
    std::shared_ptr<retry_policy> retry_;
    std::shared_ptr<connection> control_;
    host_ptr control_host_;
    std::vector<host_ptr> hosts_;
    std::map<std::string, std::shared_ptr<host_pool>> pools_;  // by endpoint
    std::map<std::string, std::map<std::string, std::string>> replication_;  // keyspace -> options
    std::unique_ptr<token_ring> ring_;
    std::shared_ptr<const schema_map> schema_ = std::make_shared<const schema_map>();
    bool peers_v2_ = true;  // system.peers_v2 exists (Cassandra 4+)
    std::shared_ptr<connection_counters> counters_ = std::make_shared<connection_counters>();
    std::atomic<int> version_{0};  // cluster::protocol_version() reads it on any thread
    // Atomic: session::closed() reads them on any thread; written on ex_ only.
    std::atomic<bool> closing_{false};
    std::atomic<bool> shut_down_{false};
    bool control_reconnecting_ = false;
    std::chrono::steady_clock::time_point control_opened_at_{};
    int control_short_lived_ = 0;  // control connections in a row lost before host_pool::stable_after
    // Debounced refreshes.
    asio::steady_timer refresh_timer_;
    bool refresh_topology_ = false, refresh_schema_ = false;
    std::chrono::steady_clock::time_point first_event_{};
    asio::steady_timer pool_changed_;
    asio::steady_timer control_wait_;  // between rounds of control reconnection  // cancelled on every pool change: wakes waiters
    std::vector<asio::steady_timer*> drain_waiters_;
    std::atomic<std::size_t> opened_{0}, replaced_{0};  // written on ex_ only
    // Shared with the guards' handlers, which may run after the cluster is gone.
    std::shared_ptr<std::atomic<std::size_t>> coroutine_failures_ = std::make_shared<std::atomic<std::size_t>>(0);
    prepared_cache prepared_{prepared_cache::default_capacity};
};

}  // namespace async_cassandra::detail

// The hosts, their connection pools and the routing snapshot: the token
// ring, the policies and the plans made from them. The control connection
// changes it (apply_hosts, set_replication) on the cluster's executor;
// requests read it from any shard under snapshot_lock(). Opens no
// connection itself: each host_pool does.
#pragma once

#include "cluster/host_pool.hpp"
#include "cluster/token_ring.hpp"

#include <async_cassandra/config.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/host.hpp>
#include <async_cassandra/policies.hpp>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace async_cassandra::detail {

class cluster_impl;
class shard_runtime;

// The routing lock: one recursive mutex per shard, each on a cache line of
// its own. A shard's thread takes only its own, so requests on different
// shards never write one lock word; every other thread, and every writer,
// takes them all, in order.
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

class routing_table {
public:
    // `owner`: the cluster whose services (configuration, log, connections)
    // the pools use; `runtime` its executors.
    routing_table(cluster_impl& owner, const shard_runtime& runtime);
    ~routing_table();
    routing_table(const routing_table&) = delete;
    routing_table& operator=(const routing_table&) = delete;

    // --- Plans, from any thread ---
    // The policies of a request: its profile's, else the cluster's. Null
    // profile when `name` is empty; an unknown name is an error.
    const execution_profile* profile(const std::string& name, diagnostics& diag, error_code& ec) const;
    load_balancing_policy& load_balancing(const execution_profile* p) const;
    retry_policy& retry(const execution_profile* p) const;
    // The replicas of `token` in `keyspace` (empty when unknown). Under snapshot_lock().
    std::span<const host_ptr> replicas(std::string_view keyspace, std::int64_t token) const;
    // The hosts to try for `r`, best first, those down or ignored left out.
    // Takes snapshot_lock(); a policy that does not declare
    // concurrent_plans() is called one plan at a time.
    void plan(const request_routing& r, const execution_profile* p, std::vector<host_ptr>& out) const;
    // A connection of `h` taking requests, or null: with io_threads > 1 one
    // on the caller's shard when it has room (no hop), else the least busy.
    // Takes snapshot_lock().
    std::shared_ptr<connection> connection_to(const host& h) const;
    // An attempt on `h` that began at `start` ended now with `ec`: told to
    // the request's policy when it tracks latency (one branch otherwise).
    // Takes snapshot_lock(): never while on_hosts() runs.
    void report_latency(const execution_profile* p, const host& h, std::chrono::steady_clock::time_point start,
                        error_code ec) const {
        if (latency_tracked_) report_latency_now(p, h, start, ec);
    }
    // A connection for a request that needs no particular host (PREPARE,
    // trace reads): the first of the default plan with one open. Waits
    // (within `timeout`, else the request timeout) while pools are still
    // connecting. Any executor: it goes to the cluster's itself.
    asio::awaitable<std::shared_ptr<connection>> acquire(
        error_code& ec, diagnostics& diag, std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

    // --- The snapshot's lock ---
    // Guards the host and pool lists (and the pools' connection lists), the
    // token ring, the schema, the hosts' topology and the prepared cache's
    // counters against requests and readers on other threads; changes on
    // the cluster's executor take snapshot_write_lock(), reads there need
    // no lock. Locks nothing when single-threaded. On a shard it locks only
    // that shard's mutex: for reading (several shards may read at once). On
    // a request's path: once for the plan and its connection.
    routing_lock snapshot_lock() const;
    // Every shard's mutex: for a change, from any thread. Never while this
    // thread holds snapshot_lock() on a shard: it would take the mutexes out
    // of order (its own first) and could deadlock with another shard doing
    // the same.
    routing_lock snapshot_write_lock() const;

    // --- Changes, on the cluster's executor ---
    // The hosts the control connection found (`control`: the one it is
    // connected to, told to the policies): pools open for new hosts that
    // are not ignored, and close for hosts gone.
    void apply_hosts(std::vector<host_ptr> hosts, const host_ptr& control);
    // Each keyspace's replication options: the ring is rebuilt.
    void set_replication(std::map<std::string, std::map<std::string, std::string>> replication);
    // The host at `address` and `port`, else one at `address` (another port), else null.
    host_ptr find_host(const std::string& address, std::uint16_t port) const;
    const std::vector<host_ptr>& hosts_here() const noexcept { return hosts_; }
    // Closes every pool: requests in flight fail with `code`.
    void close_pools(const std::string& reason, error_code code);

    // --- For the pools, on the cluster's executor ---
    void host_up(const host_ptr& h);
    void host_down(const host_ptr& h, const std::string& why);
    // A connection opened or closed: wakes what waits for pools.
    void on_pool_change();

    // --- Waiting for the pools, on the cluster's executor ---
    // Until some pool changes (a connection opens or closes) or `until`.
    asio::awaitable<void> wait_pool_change(std::chrono::steady_clock::time_point until);
    // Until nothing is in flight or queued on any pool, `timeout` passed,
    // or the caller's cancellation.
    asio::awaitable<void> wait_drained(std::chrono::steady_clock::duration timeout);
    bool drained() const;
    // Every pool has finished its first attempt.
    bool pools_initialized() const;
    // Some pool of an up host is opening its first connection.
    bool pools_connecting() const;
    // "endpoint: last error" for every pool, for a message.
    std::string pool_errors(const char* none = "no connection open") const;

    // --- Introspection, any thread ---
    std::vector<host_ptr> hosts() const {
        auto lock = snapshot_lock();
        return hosts_;
    }
    std::size_t open_connections() const;
    void add_totals(std::size_t& in_flight, std::size_t& orphaned, std::size_t& queued) const;

private:
    asio::awaitable<std::shared_ptr<connection>> acquire_here(error_code& ec, diagnostics& diag,
                                                              std::chrono::milliseconds timeout);

    void report_latency_now(const execution_profile* p, const host& h, std::chrono::steady_clock::time_point start,
                            error_code ec) const;

    cluster_impl& owner_;
    const shard_runtime& runtime_;
    std::shared_ptr<load_balancing_policy> lb_;
    bool latency_tracked_ = false;  // some policy (the cluster's or a profile's) tracks_latency()
    std::shared_ptr<retry_policy> retry_;
    mutable std::mutex policy_mutex_;                   // plan() of a policy that cannot plan on several shards at once
    std::unique_ptr<routing_mutex[]> routing_mutexes_;  // one per shard (threaded only)
    std::vector<host_ptr> hosts_;
    std::map<std::string, std::shared_ptr<host_pool>> pools_;                // by endpoint
    std::map<std::string, std::map<std::string, std::string>> replication_;  // keyspace -> options
    token_ring ring_;
    asio::steady_timer pool_changed_;  // never expires; cancelled on every pool change: wakes waiters
    std::vector<asio::steady_timer*> drain_waiters_;
};

}  // namespace async_cassandra::detail

// The connections to one host: opened up to connections_per_host, reopened
// with exponential backoff and jitter after failures, checked by heartbeats
// when silent. The host is marked down when it has no connection and the
// last attempt failed, and up again when a connection opens.
#pragma once

#include "connection/connection.hpp"

#include <async_cassandra/host.hpp>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <vector>

namespace async_cassandra::detail {

class cluster_impl;

class host_pool : public std::enable_shared_from_this<host_pool> {
public:
    // A connection that stayed open this long resets the backoff; one that
    // closes sooner (a node that sends READY and hangs up) counts as a
    // failed attempt, so such a node is retried on the backoff schedule.
    static constexpr std::chrono::seconds stable_after{5};

    host_pool(cluster_impl& cluster, host_ptr h);
    ~host_pool();

    // Starts the maintenance loop (connects, then keeps the pool full).
    void start();
    // The least busy connection taking requests, or null when none is open;
    // with io_threads > 1 the least busy on the caller's shard when one
    // there has room.
    std::shared_ptr<connection> pick() const;
    // An UP event: skips the backoff delay in progress, at most once per
    // reconnection base_delay since the last attempt (events may flap); the
    // backoff itself is not reset.
    void wake_up();
    // Closes every connection; pending requests fail with `code`.
    void close(const std::string& reason, error_code code);
    // Nothing in flight or queued on any connection.
    bool drained() const;
    // The first connection attempt has finished (whatever its outcome).
    bool initialized() const noexcept { return initialized_; }
    const std::string& last_error() const noexcept { return last_error_; }
    std::size_t open_connections() const;
    // Adds this pool's connections' counts.
    void add_totals(std::size_t& in_flight, std::size_t& orphaned, std::size_t& queued) const;
    const host_ptr& get_host() const noexcept { return host_; }

private:
    asio::awaitable<void> maintain();
    asio::awaitable<void> heartbeat(std::weak_ptr<connection> weak);
    void start_heartbeat(const std::shared_ptr<connection>& c);
    void on_connection_change();
    // Tells the pool of `c`'s changes.
    void listen(connection& c);
    // The shard for the next connection (io_threads > 1).
    std::size_t next_shard() const;

    cluster_impl& cluster_;
    host_ptr host_;
    std::vector<std::shared_ptr<connection>> conns_;
    std::vector<std::shared_ptr<connection>> retiring_;                  // finishing their requests
    std::shared_ptr<connection> opening_;                                // being connected now
    std::vector<std::shared_ptr<asio::steady_timer>> heartbeat_timers_;  // cancelled on close
    asio::steady_timer wake_;
    bool closed_ = false;
    bool initialized_ = false;
    int failures_ = 0;         // consecutive failed attempts: the backoff exponent
    bool died_young_ = false;  // a connection closed before stable_after: back off first
    std::chrono::steady_clock::time_point last_attempt_{};
    std::map<const connection*, std::chrono::steady_clock::time_point> opened_at_;
    std::string last_error_;
    // The version this host speaks when it refused the cluster's (a node not
    // yet upgraded); 0: the cluster's. Kept for the pool's life.
    int version_ = 0;
};

}  // namespace async_cassandra::detail

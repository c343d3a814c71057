// The control connection: one connection to one node of the cluster that
// discovers the hosts (system.local, system.peers_v2 or system.peers),
// reads the schema and each keyspace's replication into the routing table,
// listens for topology, status and schema events (refreshes debounced), and
// waits for schema agreement. Reconnects to another host when it is lost.
// Lives on the cluster's executor; wait_schema_agreement goes there itself.
#pragma once

#include "connection/connection.hpp"

#include <async_cassandra/config.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/host.hpp>
#include <async_cassandra/schema.hpp>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra {
class result_set;
}

namespace async_cassandra::detail {

class cluster_impl;

class control_connection {
public:
    using schema_map = std::map<std::string, keyspace_metadata, std::less<>>;

    explicit control_connection(cluster_impl& owner);
    control_connection(const control_connection&) = delete;
    control_connection& operator=(const control_connection&) = delete;

    // Connects to the first contact point that answers (v5, else v4), then
    // discovers the hosts, reads the schema and starts listening for events.
    // On the cluster's executor.
    asio::awaitable<error_code> connect(diagnostics& diag);
    // Waits until every up host reports the same schema version, at most
    // max_schema_agreement_wait. Returns whether they agreed. Any executor.
    asio::awaitable<bool> wait_schema_agreement();
    // Closes the connection and stops the refreshes and reconnection.
    void close();

    // The protocol version the cluster speaks (0 before connect). Any thread.
    int protocol_version() const noexcept { return version_.load(std::memory_order_relaxed); }
    // The schema as last read (refreshed on schema events); never null. Any thread.
    std::shared_ptr<const schema_map> schema() const;
    const std::shared_ptr<connection>& current() const noexcept { return conn_; }

private:
    asio::awaitable<error_code> open(const std::string& address, std::uint16_t port, diagnostics& diag);
    asio::awaitable<error_code> refresh_topology(diagnostics& diag);
    asio::awaitable<error_code> refresh_schema(diagnostics& diag);
    asio::awaitable<error_code> query(std::string_view cql, result_set& out, diagnostics& diag);
    asio::awaitable<bool> agree_here();
    asio::awaitable<void> event_loop();
    asio::awaitable<void> reconnect();
    // Spawn the loops above with the cluster's guard(), which restarts them.
    void start_event_loop();
    void start_reconnection();
    void on_event(const protocol::envelope& env);
    void schedule_refresh(bool topology, bool schema);
    std::vector<host_ptr> read_hosts(const result_set& local, const result_set& peers) const;
    // Where to connect to a node that advertises `address` and `port`
    // (cluster_config::address_translator; as given without one).
    node_address translate(const std::string& address, std::uint16_t port) const;
    // Hands the hosts found to the routing table.
    void apply(std::vector<host_ptr> found);

    cluster_impl& owner_;
    const cluster_config& cfg_;
    std::shared_ptr<connection> conn_;
    host_ptr host_;                // the node conn_ reached
    bool peers_v2_ = true;         // system.peers_v2 exists (Cassandra 4+)
    std::atomic<int> version_{0};  // cluster::protocol_version() reads it on any thread
    std::shared_ptr<const schema_map> schema_ = std::make_shared<const schema_map>();
    bool reconnecting_ = false;
    std::chrono::steady_clock::time_point opened_at_{};
    int short_lived_ = 0;                // connections in a row lost before host_pool::stable_after
    asio::steady_timer reconnect_wait_;  // between rounds of reconnection
    // Debounced refreshes.
    asio::steady_timer refresh_timer_;
    bool refresh_topology_ = false, refresh_schema_ = false;
    std::chrono::steady_clock::time_point first_event_{};
};

}  // namespace async_cassandra::detail

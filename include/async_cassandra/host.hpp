// A node of the cluster as the driver knows it: where it listens, its place
// in the topology, whether it is up. Load-balancing policies and the
// monitoring API see hosts through this class.
#pragma once

#include <async_cassandra/detail/fwd.hpp>
#include <async_cassandra/detail/striped_counter.hpp>
#include <async_cassandra/uuid.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace async_cassandra {

// What the cluster learns about a host from system.local / system.peers.
// Never changed in place: a change is a new one (host::info()).
struct host_info {
    std::string datacenter, rack;
    uuid host_id{};
    std::string release_version;
    std::vector<std::int64_t> tokens;  // sorted; empty when not Murmur3 tokens
    bool operator==(const host_info&) const = default;
};

class host {
public:
    host(std::string address, std::uint16_t port) : host(address, port, address, port) {}
    // A host reached at `address` that advertises itself as `advertised_address`
    // (an address_translator mapped one to the other).
    host(std::string address, std::uint16_t port, std::string advertised_address, std::uint16_t advertised_port)
        : address_(std::move(address)),
          port_(port),
          advertised_address_(std::move(advertised_address)),
          advertised_port_(advertised_port) {
        endpoint_ = address_ + ":" + std::to_string(port_);
        kept_.push_back(std::make_unique<const host_info>());
        info_.store(kept_.back().get(), std::memory_order_release);
    }
    host(const host&) = delete;
    host& operator=(const host&) = delete;

    // The native-protocol address and port, and both as "address:port".
    const std::string& address() const noexcept { return address_; }
    std::uint16_t port() const noexcept { return port_; }
    const std::string& endpoint() const noexcept { return endpoint_; }
    // The address and port the node gives in the system tables and events
    // (what identifies it to the cluster); the same as address() and port()
    // unless cluster_config::address_translator changed them.
    const std::string& advertised_address() const noexcept { return advertised_address_; }
    std::uint16_t advertised_port() const noexcept { return advertised_port_; }
    // The topology as last read, any thread. A reference stays valid as
    // long as the host: a refresh that finds a change publishes a new
    // host_info and keeps the old one (a handful in a process's life).
    const host_info& info() const noexcept { return *info_.load(std::memory_order_acquire); }
    const std::string& datacenter() const noexcept { return info().datacenter; }
    const std::string& rack() const noexcept { return info().rack; }
    const uuid& host_id() const noexcept { return info().host_id; }
    const std::string& release_version() const noexcept { return info().release_version; }
    const std::vector<std::int64_t>& tokens() const noexcept { return info().tokens; }
    // Up: the driver believes it can serve requests (an UP event or a
    // successful connection after a failure brings it back).
    bool is_up() const noexcept { return up_.load(std::memory_order_relaxed); }

    // --- Maintained by the cluster (detail), from one thread at a time ---
    // Publishes `next` when it differs from info().
    void set_info(host_info next) {
        if (next == info()) return;
        kept_.push_back(std::make_unique<const host_info>(std::move(next)));
        info_.store(kept_.back().get(), std::memory_order_release);
    }
    void set_topology(std::string dc, std::string rack) {
        auto next = info();
        next.datacenter = std::move(dc);
        next.rack = std::move(rack);
        set_info(std::move(next));
    }
    void set_up(bool up) noexcept { up_.store(up, std::memory_order_relaxed); }
    // Attempts sent to this host (requests, retries, speculative executions).
    std::uint64_t requests_sent() const noexcept { return requests_.load(); }
    void count_request() noexcept { requests_.add(); }
    detail::host_pool* pool = nullptr;  // owned by the cluster; null once the host is removed

private:
    std::string address_;
    std::uint16_t port_;
    std::string advertised_address_;
    std::uint16_t advertised_port_;
    std::string endpoint_;
    std::atomic<const host_info*> info_{nullptr};
    std::vector<std::unique_ptr<const host_info>> kept_;  // every info published; the last is current
    std::atomic<bool> up_{true};
    detail::striped_counter<std::uint64_t> requests_;  // every shard counts here
};

using host_ptr = std::shared_ptr<host>;

}  // namespace async_cassandra

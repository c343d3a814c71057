// A node of the cluster as the driver knows it: where it listens, its place
// in the topology, whether it is up. Load-balancing policies and the
// monitoring API see hosts through this class.
#pragma once

#include <async_cassandra/detail/striped_counter.hpp>
#include <async_cassandra/uuid.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace async_cassandra {

namespace detail {
class host_pool;
}

class host {
public:
    host(std::string address, std::uint16_t port) : address_(std::move(address)), port_(port) {
        endpoint_ = address_ + ":" + std::to_string(port_);
    }
    host(const host&) = delete;
    host& operator=(const host&) = delete;

    // The native-protocol address and port, and both as "address:port".
    const std::string& address() const noexcept { return address_; }
    std::uint16_t port() const noexcept { return port_; }
    const std::string& endpoint() const noexcept { return endpoint_; }
    const std::string& datacenter() const noexcept { return datacenter_; }
    const std::string& rack() const noexcept { return rack_; }
    const uuid& host_id() const noexcept { return host_id_; }
    const std::string& release_version() const noexcept { return release_version_; }
    // Up: the driver believes it can serve requests (an UP event or a
    // successful connection after a failure brings it back).
    bool is_up() const noexcept { return up_.load(std::memory_order_relaxed); }

    // --- Maintained by the cluster (detail) ---
    void set_topology(std::string dc, std::string rack) {
        datacenter_ = std::move(dc);
        rack_ = std::move(rack);
    }
    void set_identity(uuid id, std::string release_version) {
        host_id_ = id;
        release_version_ = std::move(release_version);
    }
    void set_up(bool up) noexcept { up_.store(up, std::memory_order_relaxed); }
    std::vector<std::int64_t> tokens;
    // Attempts sent to this host (requests, retries, speculative executions).
    std::uint64_t requests_sent() const noexcept { return requests_.load(); }
    void count_request() noexcept { requests_.add(); }
    detail::host_pool* pool = nullptr;  // owned by the cluster; null once the host is removed

private:
    std::string address_;
    std::uint16_t port_;
    std::string endpoint_;
    std::string datacenter_, rack_;
    uuid host_id_{};
    std::string release_version_;
    std::atomic<bool> up_{true};
    detail::striped_counter<std::uint64_t> requests_;  // every shard counts here
};

using host_ptr = std::shared_ptr<host>;

}  // namespace async_cassandra

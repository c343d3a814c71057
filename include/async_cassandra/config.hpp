// Cluster configuration: a plain aggregate with documented defaults.
#pragma once

#include <async_cassandra/consistency.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace async_cassandra {

// A list of host names or addresses. Built from any number of strings rather
// than an initializer_list: g++ 12 fails to compile ("array used as
// initializer") an initializer_list temporary inside a co_await argument such
// as connect({.contact_points = {"a", "b"}}).
class host_list {
public:
    host_list() = default;
    template <class... S>
        requires(sizeof...(S) > 0 && (std::is_convertible_v<const S&, std::string_view> && ...))
    host_list(const S&... hosts) {  // NOLINT: implicit by design
        (hosts_.emplace_back(std::string_view(hosts)), ...);
    }
    host_list(std::vector<std::string> hosts) : hosts_(std::move(hosts)) {}  // NOLINT

    auto begin() const noexcept { return hosts_.begin(); }
    auto end() const noexcept { return hosts_.end(); }
    std::size_t size() const noexcept { return hosts_.size(); }
    bool empty() const noexcept { return hosts_.empty(); }
    const std::string& operator[](std::size_t i) const { return hosts_[i]; }
    void push_back(std::string h) { hosts_.push_back(std::move(h)); }

private:
    std::vector<std::string> hosts_;
};

struct cluster_config {
    // Hosts tried in order for the first connection ("127.0.0.1", "db1", ...).
    host_list contact_points{"127.0.0.1"};
    std::uint16_t port = 9042;
    // Highest native protocol version to offer: 5, falling back to 4 when the
    // server refuses 5. Set 4 to skip v5.
    int protocol_version = 5;
    // LZ4 compression: v5 segments (or v4 frames, once supported).
    bool lz4 = false;
    // Bounds TCP connect plus the OPTIONS/STARTUP handshake, per host.
    std::chrono::milliseconds connect_timeout{5000};
    // Default per-request timeout (statement::timeout overrides it).
    std::chrono::milliseconds request_timeout{12000};
    consistency default_consistency = consistency::local_one;
    // Rows per page for SELECTs; statement::page_size overrides it.
    std::int32_t default_page_size = 5000;
};

}  // namespace async_cassandra

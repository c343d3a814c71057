// State behind a session handle.
#pragma once

#include "cluster/cluster_impl.hpp"

#include <asio/steady_timer.hpp>

#include <memory>
#include <string>

namespace async_cassandra::detail {

class session_impl {
public:
    session_impl(std::shared_ptr<cluster_impl> cluster, std::string keyspace)
        : cluster_(std::move(cluster)), keyspace_(std::move(keyspace)), drained_(cluster_->executor()) {}

    cluster_impl& cluster() noexcept { return *cluster_; }
    const std::string& keyspace() const noexcept { return keyspace_; }
    bool closed() const noexcept { return closed_ || cluster_->closed(); }

    // Counts requests so close() can wait for them.
    void begin_request() noexcept { ++in_flight_; }
    void end_request() {
        if (--in_flight_ == 0 && closed_) drained_.cancel();
    }
    asio::awaitable<void> close();

private:
    std::shared_ptr<cluster_impl> cluster_;
    std::string keyspace_;
    std::size_t in_flight_ = 0;
    bool closed_ = false;
    asio::steady_timer drained_;  // cancelled when the last request ends after close
};

}  // namespace async_cassandra::detail

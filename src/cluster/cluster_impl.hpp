// Hosts and connections behind a cluster handle. For now: one connection to
// the first contact point that answers, reopened on demand when it drops.
#pragma once

#include "cluster/prepared_cache.hpp"
#include "connection/connection.hpp"

#include <async_cassandra/config.hpp>
#include <async_cassandra/error.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <memory>

namespace async_cassandra::detail {

// Checks a configuration; returns a message naming the bad field, or empty.
std::string validate(const cluster_config& cfg);

class cluster_impl : public std::enable_shared_from_this<cluster_impl> {
public:
    cluster_impl(asio::any_io_executor ex, cluster_config cfg) : ex_(std::move(ex)), cfg_(std::move(cfg)) {}

    // Connects to the first contact point that answers, v5 then v4.
    asio::awaitable<std::error_code> connect(diagnostics& diag);
    // An open connection, reconnecting if the last one dropped.
    asio::awaitable<std::shared_ptr<connection>> acquire(std::error_code& ec, diagnostics& diag);

    void shutdown();
    bool closed() const noexcept { return closed_; }
    const cluster_config& config() const noexcept { return cfg_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    int protocol_version() const noexcept { return version_; }
    // Prepared statements of every session on this cluster.
    prepared_cache& prepared() noexcept { return prepared_; }

private:
    asio::awaitable<std::shared_ptr<connection>> open_one(const std::string& host, int version, std::error_code& ec,
                                                          diagnostics& diag);

    asio::any_io_executor ex_;
    cluster_config cfg_;
    std::shared_ptr<connection> conn_;
    int version_ = 0;
    bool closed_ = false;
    prepared_cache prepared_{prepared_cache::default_capacity};
};

}  // namespace async_cassandra::detail

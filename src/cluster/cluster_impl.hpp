// Hosts and connections behind a cluster handle. For now: one connection to
// the first contact point that answers, reopened on demand when it drops, and
// replaced when it collects too many orphaned stream ids.
#pragma once

#include "cluster/prepared_cache.hpp"
#include "connection/connection.hpp"

#include <async_cassandra/config.hpp>
#include <async_cassandra/error.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <memory>
#include <vector>

namespace async_cassandra::detail {

// Checks a configuration; returns a message naming the bad field, or empty.
std::string validate(const cluster_config& cfg);

class cluster_impl : public std::enable_shared_from_this<cluster_impl> {
public:
    // tls: the context every connection shares (null: plain TCP).
    cluster_impl(asio::any_io_executor ex, cluster_config cfg, std::shared_ptr<const tls_context> tls = nullptr);

    // Connects to the first contact point that answers, v5 then v4.
    asio::awaitable<std::error_code> connect(diagnostics& diag);
    // A connection taking new requests: the current one, else a fresh one
    // (one reconnect serves every concurrent caller). A retiring connection
    // is set aside here; it closes by itself once its requests complete.
    // Errors: session_closed after shutdown, or why connecting failed.
    // Cancellation: what connect() allows while waiting for a connection.
    asio::awaitable<std::shared_ptr<connection>> acquire(std::error_code& ec, diagnostics& diag);

    // Stops taking requests, lets those in flight or queued on the
    // connections finish for at most config().close_timeout, then shutdown().
    asio::awaitable<void> close();
    // Closes every connection now; what is pending fails with session_closed.
    void shutdown();
    // Takes no new requests: closing or closed.
    bool closed() const noexcept { return closing_ || shut_down_; }

    // For session_stats.
    std::size_t connections_opened() const noexcept { return opened_; }
    std::size_t connections_replaced() const noexcept { return replaced_; }
    std::size_t requests_sent() const noexcept { return counters_->requests_sent; }
    const std::shared_ptr<connection>& current() const noexcept { return conn_; }
    const cluster_config& config() const noexcept { return cfg_; }
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    int protocol_version() const noexcept { return version_; }
    // Prepared statements of every session on this cluster.
    prepared_cache& prepared() noexcept { return prepared_; }

private:
    asio::awaitable<std::shared_ptr<connection>> open_one(const std::string& host, int version, std::error_code& ec,
                                                          diagnostics& diag);

    void watch(const std::shared_ptr<connection>& c);
    void on_connection_change();
    bool drained() const;

    asio::any_io_executor ex_;
    cluster_config cfg_;
    std::shared_ptr<const tls_context> tls_;
    std::shared_ptr<connection> conn_;
    std::vector<std::shared_ptr<connection>> retiring_;  // replaced, finishing their requests
    std::shared_ptr<connection_counters> counters_ = std::make_shared<connection_counters>();
    int version_ = 0;
    bool closing_ = false;
    bool shut_down_ = false;
    // One reconnect at a time; the others wait on reconnected_, which it cancels.
    bool reconnecting_ = false;
    std::size_t reconnect_generation_ = 0;
    asio::steady_timer reconnected_;
    std::error_code reconnect_ec_;
    diagnostics reconnect_diag_;
    std::vector<asio::steady_timer*> drain_waiters_;  // close() calls, woken when drained
    std::size_t opened_ = 0, replaced_ = 0;
    prepared_cache prepared_{prepared_cache::default_capacity};
};

}  // namespace async_cassandra::detail

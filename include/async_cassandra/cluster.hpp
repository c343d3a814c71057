// The entry point: connects to a cluster and opens sessions on it.
#pragma once

#include <async_cassandra/config.hpp>
#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/detail/cluster_ops.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/host.hpp>
#include <async_cassandra/metrics.hpp>
#include <async_cassandra/schema.hpp>
#include <async_cassandra/session.hpp>

#include <async_cassandra/detail/net.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace async_cassandra {

// Owns the connections to the cluster. Thread safety: distinct objects safe;
// one cluster is used from its executor, or with cluster_config::io_threads
// > 1 from any thread (it then runs on a strand of the executor given to
// connect, its requests and pool connections on shards, event loops with a
// thread each; docs/threads.md).
// Destruction without close() closes
// the connections without blocking; requests in flight fail with
// connection_closed.
class cluster {
public:
    using executor_type = asio::any_io_executor;

    cluster() = default;
    explicit cluster(std::shared_ptr<detail::cluster_impl> impl);
    cluster(cluster&&) noexcept = default;
    cluster& operator=(cluster&&) noexcept;
    ~cluster();

    // Connects to the first reachable contact point, negotiating protocol v5
    // and falling back to v4. Errors: bad_config (also for unreadable TLS
    // files), no_host_available (the diagnostics name every host:port tried
    // and why it failed, TLS failures included), authentication_required,
    // server_errc::bad_credentials (both at the first host that says so).
    template <class Token>
    static auto async_connect(executor_type ex, cluster_config cfg, diagnostics& diag, Token&& token) {
        return detail::async_run<cluster>(
            ex, std::forward<Token>(token),
            [ex, cfg = std::move(cfg), d = &diag]() mutable { return detail::connect_op(ex, std::move(cfg), d); },
            &diag);
    }
    // Coroutine form on the current coroutine's executor; throws async_cassandra::error.
    static asio::awaitable<cluster> connect(cluster_config cfg);

    // A session; with a keyspace (empty: none), its statements run in that
    // keyspace. Errors: session_closed on a closed cluster; with protocol v4
    // the errors of the USE statement that binds the keyspace.
    template <class Token>
    auto async_open_session(std::string keyspace, diagnostics& diag, Token&& token) {
        return detail::async_run<session>(get_executor(), std::forward<Token>(token),
                                          [impl = impl_, k = std::move(keyspace), d = &diag]() mutable {
                                              return detail::open_session_op(std::move(impl), std::move(k), d);
                                          });
    }
    template <class Token>
    auto async_open_session(std::string keyspace, Token&& token) {
        return detail::async_run<session>(get_executor(), std::forward<Token>(token),
                                          [impl = impl_, k = std::move(keyspace)]() mutable {
                                              return detail::open_session_op(std::move(impl), std::move(k), nullptr);
                                          });
    }
    // Coroutine form; throws async_cassandra::error.
    asio::awaitable<session> open_session(std::string keyspace = {});

    // Refuses new requests and sessions (session_closed), lets requests in
    // flight or waiting finish for at most cluster_config::close_timeout,
    // then closes every connection; what is left fails with session_closed.
    // Returns as soon as that is done: no fixed sleep. Completes with
    // void(error_code), never an error (closing a closed cluster is a no-op).
    template <class Token>
    auto async_close(Token&& token) {
        return detail::async_run<void>(get_executor(), std::forward<Token>(token),
                                       [impl = impl_] { return detail::close_op(impl); });
    }
    asio::awaitable<void> close();

    executor_type get_executor() const;
    // The protocol version the connection negotiated (5 or 4).
    int protocol_version() const;

    // --- Prepared statements ---
    // Counters of the prepared-statement cache every session of this cluster
    // shares (PREPAREs sent, cache hits, ...), for monitoring and tests.
    prepared_cache_stats prepared_stats() const;

    // --- Topology ---
    // The hosts discovered (system.local and system.peers_v2), with their
    // datacenter, rack, state and per-host request counts.
    std::vector<host_ptr> hosts() const;
    // Keyspaces (replication), their tables (partition key, clustering and
    // regular columns with types) and user types, as the control connection
    // last read them from system_schema; refreshed on schema events. A
    // snapshot: later changes make a new one.
    std::shared_ptr<const std::map<std::string, keyspace_metadata, std::less<>>> metadata() const;
    // Waits until every up host reports the same schema version, at most
    // cluster_config::max_schema_agreement_wait; returns whether they agree.
    // (Requests that change the schema already wait for it.) The async_ form
    // completes with void(error_code, bool), the error always empty.
    template <class Token>
    auto async_wait_for_schema_agreement(Token&& token) {
        return detail::async_run<bool>(get_executor(), std::forward<Token>(token),
                                       [impl = impl_] { return detail::agreement_op(impl); });
    }
    asio::awaitable<bool> wait_for_schema_agreement();

    // --- Metrics ---
    // The request counters and latency histograms of every session of this
    // cluster, cluster-wide and per host (docs/metrics.md); snapshot() it or
    // serve it with metrics_server. Null when cluster_config::metrics is
    // false and there is no request_listener; with only a listener, the
    // counters stay at zero. Stays valid after the cluster closes.
    std::shared_ptr<metrics_registry> metrics() const;

private:
    std::shared_ptr<detail::cluster_impl> impl_;
};

}  // namespace async_cassandra

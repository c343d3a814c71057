// PREPARE beyond the host that answered the caller, so that no host answers
// an EXECUTE with UNPREPARED (a round trip more, and a failure for a
// non-idempotent batch that cannot be re-sent): after a PREPARE, on every
// other up host (cluster_config::prepare_on_all_hosts); when a host's pool
// opens its first connection after being down, every cached statement on
// it before it takes requests (cluster_config::reprepare_on_up), since a
// restarted node may have forgotten them and never saw those prepared while
// it was away. Failures are logged and counted, never the caller's error.
#pragma once

#include "cluster/prepared_cache.hpp"
#include "connection/connection.hpp"

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace async_cassandra::detail {

class cluster_impl;

// Counts into the cache's statistics, which prepared_stats() reads on any thread.
void count_prepared(cluster_impl& cl, std::uint64_t prepared_cache_stats::*which);

// PREPARE of k on `conn`. On v4, a statement prepared in a keyspace needs
// the connection bound to it: with `may_use` a USE binds it first (only for
// a connection that carries no requests yet), else such a statement is
// skipped (not an error). Errors: the server's, or request_timeout.
asio::awaitable<error_code> prepare_on(cluster_impl& cl, connection& conn, const prepared_cache::key& k, bool may_use,
                                       std::chrono::milliseconds timeout, diagnostics& diag);

// k on every up host but the one of `answered`, at once; completes when all
// have answered (within `timeout`). Returns how many succeeded.
asio::awaitable<std::size_t> prepare_on_other_hosts(cluster_impl& cl, prepared_cache::key k, const connection* answered,
                                                    std::chrono::milliseconds timeout);

// Every cached statement on `conn`, a new connection no request uses yet,
// at most 32 at once. Returns how many succeeded. On the cluster's executor.
asio::awaitable<std::size_t> prepare_cached_on(cluster_impl& cl, std::shared_ptr<connection> conn,
                                               std::chrono::milliseconds timeout);

}  // namespace async_cassandra::detail

// Cluster configuration: a plain aggregate with documented defaults.
#pragma once

#include <async_cassandra/auth.hpp>
#include <async_cassandra/compression.hpp>
#include <async_cassandra/consistency.hpp>
#include <async_cassandra/policies.hpp>
#include <async_cassandra/logging.hpp>
#include <async_cassandra/request_listener.hpp>
#include <async_cassandra/timestamps.hpp>
#include <async_cassandra/tls_options.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace async_cassandra {

// An aggregate: set fields by name. With g++ 12, give connect() a named
// variable, not a braced temporary: g++ 12 destroys an aggregate temporary
// created inside a co_await expression twice.
struct cluster_config {
    // Hosts tried in order for the first connection ("127.0.0.1", "db1", ...).
    std::vector<std::string> contact_points = {"127.0.0.1"};
    std::uint16_t port = 9042;
    // Highest native protocol version to offer: 5, falling back to 4 when the
    // server refuses 5. Set 4 to skip v5.
    int protocol_version = 5;
    // Compression to negotiate, if the server offers it (connecting fails if
    // not). lz4: v5 segments, or v4 envelope bodies after a fallback to v4.
    // snappy: v4 envelope bodies only, so it needs protocol_version = 4.
    async_cassandra::compression compression = async_cassandra::compression::none;
    // Bounds TCP connect plus the OPTIONS/STARTUP handshake, per host.
    std::chrono::milliseconds connect_timeout{5000};
    // Default per-request timeout (statement::timeout overrides it).
    std::chrono::milliseconds request_timeout{12000};
    consistency default_consistency = consistency::local_one;
    // Rows per page for SELECTs; statement::page_size overrides it.
    std::int32_t default_page_size = 5000;

    // --- Lifecycle and backpressure ---
    // session::close and cluster::close let requests in flight finish for at
    // most this long, then fail what remains with session_closed.
    std::chrono::milliseconds close_timeout{5000};
    // Requests one connection carries at once, counting the stream ids of
    // abandoned requests whose answer is still due. At most 32768 (the
    // protocol's stream ids); larger values act as 32768.
    std::size_t max_requests_per_connection = 2048;
    // Requests one session may have waiting for a connection at its limit;
    // one more fails at once with too_many_requests. Waiting requests keep
    // their timeout and can be cancelled.
    std::size_t max_queued_requests = 8192;
    // A connection holding more than this many abandoned ("orphaned") stream
    // ids is replaced: new requests go to a fresh connection and the old one
    // closes once its requests in flight complete. Default: a quarter of the
    // default max_requests_per_connection.
    std::size_t max_orphaned_streams = 512;

    // --- Cluster: hosts, pools, routing, retries ---
    // Connections the driver keeps open to each host it uses (local and
    // used remote hosts); requests go to the least busy one.
    std::size_t connections_per_host = 1;
    // Which hosts a request tries, in order. Null: default_load_balancing(),
    // token-aware over DC-aware round robin.
    std::shared_ptr<load_balancing_policy> load_balancing{};
    // Maps the addresses nodes advertise (system.peers, events) to the ones
    // the client connects to, e.g. fixed_address_translator({...}) for a
    // cluster behind NAT. Null: every address as advertised. Contact points
    // are never translated.
    std::shared_ptr<async_cassandra::address_translator> address_translator{};
    // What happens after a failed attempt. Null: default_retry().
    std::shared_ptr<retry_policy> retry{};
    // Extra attempts for idempotent requests that have not answered after a
    // delay. Unset: off.
    std::optional<speculative_execution> speculation{};
    // Delays between attempts to reconnect to a host that went down.
    reconnection_options reconnection{};
    // A connection that has read nothing for this long sends an OPTIONS
    // heartbeat; with no answer within heartbeat_timeout it is closed as
    // dead and replaced. 0 disables heartbeats.
    std::chrono::milliseconds heartbeat_interval{30000};
    std::chrono::milliseconds heartbeat_timeout{10000};
    // After a schema change (CREATE, ALTER, DROP) the request completes once
    // every up host reports the same schema version, or after this long.
    std::chrono::milliseconds max_schema_agreement_wait{10000};
    // Topology and schema events within this window cause one refresh.
    std::chrono::milliseconds event_debounce{200};
    // Write times of requests that set none (statement::set_default_timestamp
    // wins). Null (the default): a monotonic_timestamp_generator of the
    // cluster's own, which logs a warning when its timestamps run more than a
    // second ahead of the clock. server_side_timestamps leaves them to the
    // coordinators.
    std::shared_ptr<timestamp_generator> timestamps{};
    // After a PREPARE, prepare the statement on every other up host too
    // (before the prepare completes), so that none answers its first
    // EXECUTE with UNPREPARED.
    bool prepare_on_all_hosts = true;
    // When a host's pool opens its first connection after the host was down
    // (or when a host joins), prepare every cached statement there before it
    // takes requests: a restarted node may have lost them.
    bool reprepare_on_up = true;
    // Named per-request settings (statement::set_profile).
    std::map<std::string, execution_profile> profiles{};

    // --- Threads (docs/threads.md) ---
    // How many event loops carry the requests and pool connections. 1 (the
    // default): the cluster starts no thread; everything runs on the
    // executor `connect` was given, with no strand and no lock. More: that
    // many shards, each an io_context with a thread the cluster starts; each
    // pool connection belongs to one shard, and a request runs on the
    // caller's shard (coroutines spawned on session.get_executor()) or else
    // the next one in turn, using that shard's connection to the host. The
    // cluster's own state (topology, pools, schema) runs on a strand of the
    // given executor, and every session and cluster call may come from any
    // thread. connections_per_host >= io_threads gives every shard its own
    // connection to each host. At most 256; typically the number of cores.
    std::size_t io_threads = 1;

    // --- Observability ---
    // (Every member has an initializer: designated initializers that leave
    // one out would otherwise warn under -Wmissing-field-initializers.)
    // Count requests, errors, retries, connections, bytes and latencies per
    // cluster and per host (cluster::metrics(); docs/metrics.md). Recording
    // is lock-free and costs a few tens of nanoseconds per request.
    bool metrics = true;
    // Told of every request's start and end (tracing integrations); none by default.
    std::shared_ptr<async_cassandra::request_listener> request_listener{};
    // Receives the client's log messages at or above log_level; none by default.
    async_cassandra::log_sink log_sink{};
    async_cassandra::log_level log_level = async_cassandra::log_level::warn;

    // --- Security ---
    // TLS for every connection (off by default); see tls_options.hpp.
    tls_options tls{};
    // Credentials for servers that ask for them (AUTHENTICATE). Null: none,
    // and such a server fails connect with authentication_required. A wrong
    // password fails it with server_errc::bad_credentials, without trying
    // other hosts. E.g. cfg.auth = password_auth("app", secret);
    std::shared_ptr<auth_provider> auth{};
};

}  // namespace async_cassandra

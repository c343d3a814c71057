// The pluggable decisions of the cluster layer: which hosts a request tries
// (load balancing), whether a failed attempt runs again (retry), when a
// second attempt starts before the first answers (speculative execution),
// and how long to wait before reconnecting to a host.
//
// Policies are called on the cluster's executor, one call at a time, so an
// implementation needs no locking of its own.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/error.hpp>
#include <async_cassandra/host.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra {

// --- Load balancing ---

enum class host_distance { local, remote, ignored };

// What a policy knows about one request.
struct request_routing {
    std::string_view keyspace;          // the request's keyspace (may be empty)
    std::optional<std::int64_t> token;  // Murmur3 token of its partition key, when known
    // The replicas owning `token` in `keyspace`, in ring order (empty when
    // the token or the keyspace's replication is unknown).
    std::span<const host_ptr> replicas;
    consistency consistency_level = consistency::local_one;
};

class load_balancing_policy {
public:
    virtual ~load_balancing_policy() = default;
    // The hosts known now (after discovery, and on every topology change),
    // and the one the control connection reached first.
    virtual void on_hosts(std::span<const host_ptr> hosts, const host_ptr& contact) = 0;
    // Hosts "ignored" get no connections and no requests.
    virtual host_distance distance(const host& h) const = 0;
    // Appends the hosts to try, best first; the cluster skips those down.
    virtual void plan(const request_routing& r, std::vector<host_ptr>& out) = 0;
    // With io_threads > 1: true when plan() may run on several shards at
    // once (never at the same time as on_hosts()). The built-in policies
    // can; a policy that says false (the default) gets one plan() at a time.
    virtual bool concurrent_plans() const noexcept { return false; }
    // Among local hosts, whether `h` comes first (the local rack of a
    // rack-aware policy): token_aware tries such replicas before the other
    // local ones. None by default.
    virtual bool preferred(const host& h) const { return (void)h, false; }
};

// Round robin over the up hosts of the local datacenter (those of the local
// rack first, when one is named), then (optionally) at most
// `used_hosts_per_remote_dc` hosts of each other datacenter.
struct dc_aware_options {
    std::string local_dc;  // empty: the datacenter of the first contact point that answered
    std::size_t used_hosts_per_remote_dc = 0;
    // Remote hosts also for LOCAL_ONE / LOCAL_QUORUM (off: those stay local).
    bool allow_remote_dcs_for_local_cl = false;
    // Rack-aware: hosts of this rack (in the local datacenter) come before
    // the rest of the local datacenter, replicas included; empty: no rack
    // is preferred. Saves cross-rack traffic (often cross-zone, and billed).
    std::string local_rack{};
};
std::shared_ptr<load_balancing_policy> dc_aware_round_robin(dc_aware_options options = {});

// Tries the replicas of the request's token first (local replicas before
// remote ones, shuffled among themselves when `shuffle_replicas`), then the
// child's plan without them.
std::shared_ptr<load_balancing_policy> token_aware(std::shared_ptr<load_balancing_policy> child,
                                                   bool shuffle_replicas = true);

// Only hosts for which `accept` is true; the others are ignored.
std::shared_ptr<load_balancing_policy> host_filter(std::shared_ptr<load_balancing_policy> child,
                                                   std::function<bool(const host&)> accept);

// The default: token_aware(dc_aware_round_robin()).
std::shared_ptr<load_balancing_policy> default_load_balancing();

// --- Retries ---

struct retry_decision {
    enum class kind { rethrow, retry_same_host, retry_next_host, ignore };
    kind what = kind::rethrow;
    std::optional<consistency> consistency_level;  // retry at this consistency instead

    static retry_decision rethrow() { return {}; }
    static retry_decision same_host() { return {kind::retry_same_host, {}}; }
    static retry_decision next_host() { return {kind::retry_next_host, {}}; }
};

// One failed attempt, as a retry policy sees it.
struct retry_context {
    error_code error;                               // server_errc or client_errc
    const server_error_details* details = nullptr;  // for server errors
    int retries = 0;                                // retries made so far for this request
    bool idempotent = false;
    consistency consistency_level = consistency::local_one;
    // The request may have reached the server (a timeout or a lost
    // connection after it was sent): the cluster never retries a
    // non-idempotent request in that state, whatever the policy says.
    bool maybe_applied = false;
};

class retry_policy {
public:
    virtual ~retry_policy() = default;
    virtual retry_decision decide(const retry_context& ctx) = 0;
};

// The seed design's rules: a read timeout is retried once on the same host
// when enough replicas answered but the data was missing; a write timeout
// is retried once only for idempotent SIMPLE, BATCH or UNLOGGED_BATCH
// writes; unavailable moves to the next host once; overloaded,
// is_bootstrapping and a lost connection or client timeout (idempotent
// requests only) move to the next host; at most 3 retries in all.
std::shared_ptr<retry_policy> default_retry();
// Never retries: every error reaches the caller.
std::shared_ptr<retry_policy> fallthrough_retry();

// --- Speculative execution (idempotent requests only) ---

struct speculative_execution {
    std::chrono::milliseconds delay{0};  // start another attempt after this long without an answer
    int max_executions = 1;              // attempts at once, the first included; 1 = off
};

// --- Reconnection ---

// Exponential backoff with jitter: base_delay * 2^n, capped at max_delay,
// each delay drawn from [d/2, d].
struct reconnection_options {
    std::chrono::milliseconds base_delay{1000};
    std::chrono::milliseconds max_delay{60000};
};

// --- Execution profiles ---

// A named bundle of per-request settings; statements pick one by name
// (statement::set_profile). Unset fields fall back to the cluster's defaults.
struct execution_profile {
    std::optional<consistency> consistency_level;
    std::optional<consistency> serial_consistency_level;
    std::optional<std::chrono::milliseconds> request_timeout;
    std::shared_ptr<load_balancing_policy> load_balancing;
    std::shared_ptr<retry_policy> retry;
    std::optional<speculative_execution> speculation;
};

}  // namespace async_cassandra

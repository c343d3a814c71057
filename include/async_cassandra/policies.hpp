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
#include <map>
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
    // Whether the cluster reports each attempt's latency to on_latency().
    // Read once, when the cluster starts: a policy that says false (the
    // default) costs the request path nothing.
    virtual bool tracks_latency() const noexcept { return false; }
    // An attempt on `h` ended after `latency` with `ec` (success, or the
    // error). Any thread, several at once (with io_threads > 1), and
    // concurrently with plan(), but never with on_hosts(); `h` is one of the
    // hosts of the last on_hosts(). Must not block.
    virtual void on_latency(const host& h, std::chrono::nanoseconds latency, error_code ec) noexcept {
        (void)h, (void)latency, (void)ec;
    }
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

// Latency-aware routing (opt-in), as in the Java and C/C++ drivers: each
// host's latency is averaged over its recent attempts (an exponential
// moving average whose weight follows the time between samples, with
// `scale`: a sample that follows the previous one after time t weighs
// 1 - ln(t/scale + 1) / (t/scale)). A host whose average exceeds
// `exclusion_threshold` times the best host's goes to the end of the plan,
// until `retry_period` passes without a new sample of its own (it is then
// tried again, which measures it afresh).
struct latency_aware_options {
    double exclusion_threshold = 2.0;
    std::chrono::milliseconds scale{100};
    std::chrono::milliseconds retry_period{10000};
    // How often the best average is recomputed (at a plan, not on a timer).
    std::chrono::milliseconds update_rate{100};
    // Samples a host needs before it is compared, or counts as the best.
    // (The first 30 % of them only warm the average up.)
    std::uint64_t min_measured = 50;
};
// Wraps `child` (whose plan it reorders, never extends). Measures
// successful attempts and server read/write timeouts and client-side
// request timeouts (slowness); other errors (unavailable, overloaded, a
// refused statement...) answer fast and are not measured. Per-host
// measurements are atomics: no lock on the request path.
// Throws std::invalid_argument for a null child, a threshold below 1, or a
// scale, retry period or update rate that is not positive.
std::shared_ptr<load_balancing_policy> latency_aware(std::shared_ptr<load_balancing_policy> child,
                                                     latency_aware_options options = {});

// --- Address translation ---

// An address (a literal IP address or a host name) and a native port.
struct node_address {
    std::string address;
    std::uint16_t port = 0;
    auto operator<=>(const node_address&) const = default;
};

// Maps the address a node advertises (system.peers / peers_v2's
// native_address or rpc_address, and native port; the node of a
// TOPOLOGY_CHANGE or STATUS_CHANGE event) to the one the client connects to:
// for clusters behind NAT, or on cloud hosts whose nodes advertise private
// addresses. Never called for the contact points, which the client reaches
// as given. Called on the cluster's executor, one call at a time. A
// translator that throws, or returns an empty address, leaves the address
// as advertised (with a warning in the log).
class address_translator {
public:
    virtual ~address_translator() = default;
    virtual node_address translate(const node_address& advertised) = 0;
};

// Every address as advertised (what a null cluster_config::address_translator does).
std::shared_ptr<address_translator> identity_address_translator();

// Translates by a fixed map. A key with port 0 matches any port (an entry
// with the exact port wins); a value with port 0 keeps the advertised port.
// An address the map does not name passes through unchanged (logged at
// debug level). Throws std::invalid_argument, naming the entry, for an empty
// address on either side.
std::shared_ptr<address_translator> fixed_address_translator(std::map<node_address, node_address> map);

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

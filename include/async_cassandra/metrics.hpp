// Request metrics: counters and latency histograms per cluster and per host,
// a snapshot of them, and its Prometheus text form. See docs/metrics.md.
#pragma once

#include <async_cassandra/detail/striped_counter.hpp>
#include <async_cassandra/latency_histogram.hpp>
#include <async_cassandra/request_listener.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <async_cassandra/detail/error_code.hpp>
#include <vector>

namespace async_cassandra {

// Why a request failed, as the metrics count it.
enum class error_kind : std::uint8_t {
    request_timeout,  // client_errc::request_timeout: no answer within the client's timeout
    read_timeout,     // server_errc::read_timeout
    write_timeout,    // server_errc::write_timeout
    unavailable,      // server_errc::unavailable
    overloaded,       // server_errc::overloaded
    connection,       // the connection failed, closed, or broke the protocol; no host available; socket errors
    server_other,     // any other server_errc
    client_other,     // any other client_errc (session_closed, too_many_requests, invalid_request, ...)
    cancelled,        // the caller cancelled (operation_aborted)
};
inline constexpr std::size_t error_kind_count = 9;

// The kind of a (non-zero) error code.
error_kind classify_error(error_code ec) noexcept;
// "request_timeout", "read_timeout", ... (the Prometheus `kind` label).
std::string_view to_string(error_kind kind) noexcept;

// A copy of one request_metrics block.
struct request_metrics_snapshot {
    std::uint64_t requests = 0;                            // started
    std::uint64_t completed = 0;                           // ended, with success or an error
    std::uint64_t in_flight = 0;                           // started and not yet ended
    std::array<std::uint64_t, error_kind_count> errors{};  // by error_kind
    std::uint64_t retries = 0;
    std::uint64_t speculative_executions = 0;
    // Connection-level figures. The request path records them per host; in
    // a metrics_snapshot the cluster-wide block holds the hosts' sums.
    std::uint64_t timeouts = 0;          // attempts that timed out on the client, retried or not
    std::uint64_t orphaned_streams = 0;  // stream ids abandoned by cancelled or timed-out requests
    std::uint64_t connections_open = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    histogram_snapshot latency;  // every completed request, failed ones included

    std::uint64_t errors_of(error_kind k) const noexcept { return errors[static_cast<std::size_t>(k)]; }
    std::uint64_t errors_total() const noexcept;
    // Adds `other`'s figures to these (in_flight recomputed from the sums).
    void merge(const request_metrics_snapshot& other);
};

// The counters of one scope: every request of a cluster's sessions, or the
// attempts sent to one host. Every member is lock-free and allocation-free
// (relaxed atomics) and may be called from any thread; the request path
// calls them on the cluster's executor.
class request_metrics {
public:
    request_metrics() noexcept = default;
    request_metrics(const request_metrics&) = delete;
    request_metrics& operator=(const request_metrics&) = delete;

    // A request (or, per host, an attempt) starts and ends. Every start
    // must be followed by exactly one end; `ec` is clear on success.
    void on_request_start() noexcept { started_.fetch_add(1, std::memory_order_relaxed); }
    void on_request_end(std::chrono::nanoseconds latency, error_code ec = {}) noexcept {
        latency_.record(latency);
        if (ec) errors_[static_cast<std::size_t>(classify_error(ec))].fetch_add(1, std::memory_order_relaxed);
        finished_.fetch_add(1, std::memory_order_relaxed);
    }
    void on_retry() noexcept { retries_.fetch_add(1, std::memory_order_relaxed); }
    void on_speculative_execution() noexcept { speculative_.fetch_add(1, std::memory_order_relaxed); }
    void on_timeout() noexcept { timeouts_.fetch_add(1, std::memory_order_relaxed); }
    void on_orphaned_stream() noexcept { orphaned_.fetch_add(1, std::memory_order_relaxed); }
    void on_connection_opened() noexcept { connections_.fetch_add(1, std::memory_order_relaxed); }
    void on_connection_closed() noexcept { connections_.fetch_sub(1, std::memory_order_relaxed); }
    void on_bytes_sent(std::uint64_t n) noexcept { bytes_sent_.fetch_add(n, std::memory_order_relaxed); }
    void on_bytes_received(std::uint64_t n) noexcept { bytes_received_.fetch_add(n, std::memory_order_relaxed); }

    latency_histogram& latency() noexcept { return latency_; }
    request_metrics_snapshot snapshot() const;

private:
    std::atomic<std::uint64_t> started_{0};
    std::atomic<std::uint64_t> finished_{0};
    std::array<std::atomic<std::uint64_t>, error_kind_count> errors_{};
    std::atomic<std::uint64_t> retries_{0};
    std::atomic<std::uint64_t> speculative_{0};
    std::atomic<std::uint64_t> timeouts_{0};
    std::atomic<std::uint64_t> orphaned_{0};
    std::atomic<std::int64_t> connections_{0};
    std::atomic<std::uint64_t> bytes_sent_{0};
    std::atomic<std::uint64_t> bytes_received_{0};
    latency_histogram latency_;
};

struct host_metrics_snapshot {
    std::string endpoint;  // "127.0.0.1:9042"
    request_metrics_snapshot metrics;
};

// Everything a metrics_registry counted, at one moment. A plain value.
struct metrics_snapshot {
    // The requests of every session of the cluster; timeouts, orphaned
    // streams, connections and bytes: the sums of the hosts' (plus any
    // recorded in the cluster-wide block itself).
    request_metrics_snapshot requests;
    std::vector<host_metrics_snapshot> hosts;  // sorted by endpoint
};

// One per cluster: the cluster-wide block of request counters, one block
// per host the cluster has learnt, and the optional request listener.
// Thread safety: every member may be called from any thread. host() may
// take a lock (when it creates an entry); recording into the blocks never
// does. References stay valid as long as the registry: host entries are
// never removed (a host that leaves keeps its totals).
//
// Striped: with io_threads > 1 each block exists once per shard, so that
// shards never write the same counters (a shared cache line would cost
// every request a transfer between cores); snapshot() adds them up.
class metrics_registry {
public:
    // `counting` false: the blocks exist but the request path leaves them
    // alone (only the listener is called). `stripes`: copies of each block
    // (at least 1).
    explicit metrics_registry(std::shared_ptr<request_listener> listener = nullptr, bool counting = true,
                              std::size_t stripes = 1);
    metrics_registry(const metrics_registry&) = delete;
    metrics_registry& operator=(const metrics_registry&) = delete;

    bool counting() const noexcept { return counting_; }
    request_listener* listener() const noexcept { return listener_.get(); }

    std::size_t stripes() const noexcept { return stripes_; }
    // The cluster-wide block (every session's requests) of the calling
    // thread's stripe, or of `stripe` (modulo stripes()). For totals, read
    // snapshot().
    request_metrics& requests() noexcept { return requests(detail::this_thread_stripe()); }
    request_metrics& requests(std::size_t stripe) noexcept { return requests_[stripe % stripes_]; }
    // The block of `endpoint` ("host:port") for `stripe` (modulo
    // stripes()), created on first use: call it when the cluster learns a
    // host and keep the reference.
    request_metrics& host(std::string_view endpoint, std::size_t stripe = 0);
    // The block of `endpoint` for `stripe`, or null when there is none (no allocation).
    request_metrics* find_host(std::string_view endpoint, std::size_t stripe = 0) const;

    metrics_snapshot snapshot() const;

private:
    bool counting_;
    std::size_t stripes_;
    std::shared_ptr<request_listener> listener_;
    std::unique_ptr<request_metrics[]> requests_;  // stripes_ blocks
    mutable std::mutex hosts_mutex_;
    std::map<std::string, std::unique_ptr<request_metrics[]>, std::less<>> hosts_;  // stripes_ blocks each
};

// The snapshot in the Prometheus text exposition format 0.0.4, every name
// starting with `prefix` + "_" (no prefix: none). The cluster-wide metrics
// have no labels; per-host ones are named `<prefix>_host_...` with a
// `host` label. Latencies are summaries in seconds (quantile 0.5, 0.95,
// 0.99, 0.999, plus _sum and _count). docs/metrics.md lists every name.
// Errors: std::invalid_argument when `prefix` is not a valid metric name.
std::string to_prometheus(const metrics_snapshot& snapshot, std::string_view prefix = "async_cassandra");

}  // namespace async_cassandra

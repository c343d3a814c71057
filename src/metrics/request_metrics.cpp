#include <async_cassandra/error.hpp>
#include <async_cassandra/logging.hpp>
#include <async_cassandra/metrics.hpp>

#include <asio/error.hpp>

#include <algorithm>

namespace async_cassandra {

error_kind classify_error(error_code ec) noexcept {
    // Standalone Asio's system category does not map to std::errc: test both.
    if (ec == asio::error::operation_aborted || ec == std::errc::operation_canceled) return error_kind::cancelled;
    if (ec.category() == server_category()) {
        switch (static_cast<server_errc>(ec.value())) {
            case server_errc::read_timeout: return error_kind::read_timeout;
            case server_errc::write_timeout: return error_kind::write_timeout;
            case server_errc::unavailable: return error_kind::unavailable;
            case server_errc::overloaded: return error_kind::overloaded;
            default: return error_kind::server_other;
        }
    }
    if (ec.category() == client_category()) {
        switch (static_cast<client_errc>(ec.value())) {
            case client_errc::request_timeout: return error_kind::request_timeout;
            case client_errc::connect_failed:
            case client_errc::handshake_failed:
            case client_errc::protocol_version_rejected:
            case client_errc::authentication_required:
            case client_errc::connection_closed:
            case client_errc::protocol_violation:
            case client_errc::unexpected_response:
            case client_errc::no_host_available: return error_kind::connection;
            default: return error_kind::client_other;
        }
    }
    // Socket and resolver errors (system, netdb, misc categories).
    return error_kind::connection;
}

std::string_view to_string(error_kind kind) noexcept {
    switch (kind) {
        case error_kind::request_timeout: return "request_timeout";
        case error_kind::read_timeout: return "read_timeout";
        case error_kind::write_timeout: return "write_timeout";
        case error_kind::unavailable: return "unavailable";
        case error_kind::overloaded: return "overloaded";
        case error_kind::connection: return "connection";
        case error_kind::server_other: return "server_other";
        case error_kind::client_other: return "client_other";
        case error_kind::cancelled: return "cancelled";
    }
    return "unknown";
}

std::string_view to_string(log_level level) noexcept {
    switch (level) {
        case log_level::trace: return "trace";
        case log_level::debug: return "debug";
        case log_level::info: return "info";
        case log_level::warn: return "warn";
        case log_level::error: return "error";
        case log_level::off: return "off";
    }
    return "unknown";
}

std::uint64_t request_metrics_snapshot::errors_total() const noexcept {
    std::uint64_t n = 0;
    for (auto e : errors) n += e;
    return n;
}

request_metrics_snapshot request_metrics::snapshot() const {
    constexpr auto relaxed = std::memory_order_relaxed;
    request_metrics_snapshot s;
    // Ends before starts, so a request in flight never shows as ended twice.
    s.completed = finished_.load(relaxed);
    s.requests = started_.load(relaxed);
    s.in_flight = s.requests > s.completed ? s.requests - s.completed : 0;
    for (std::size_t i = 0; i < errors_.size(); ++i) s.errors[i] = errors_[i].load(relaxed);
    s.retries = retries_.load(relaxed);
    s.speculative_executions = speculative_.load(relaxed);
    s.timeouts = timeouts_.load(relaxed);
    s.orphaned_streams = orphaned_.load(relaxed);
    const auto open = connections_.load(relaxed);
    s.connections_open = open > 0 ? static_cast<std::uint64_t>(open) : 0;
    s.bytes_sent = bytes_sent_.load(relaxed);
    s.bytes_received = bytes_received_.load(relaxed);
    s.latency = latency_.snapshot();
    return s;
}

void request_metrics_snapshot::merge(const request_metrics_snapshot& o) {
    requests += o.requests;
    completed += o.completed;
    in_flight = requests > completed ? requests - completed : 0;
    for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
    retries += o.retries;
    speculative_executions += o.speculative_executions;
    timeouts += o.timeouts;
    orphaned_streams += o.orphaned_streams;
    connections_open += o.connections_open;
    bytes_sent += o.bytes_sent;
    bytes_received += o.bytes_received;
    latency.merge(o.latency);
}

metrics_registry::metrics_registry(std::shared_ptr<request_listener> listener, bool counting, std::size_t stripes)
    : counting_(counting),
      stripes_(std::max<std::size_t>(1, stripes)),
      listener_(std::move(listener)),
      requests_(std::make_unique<request_metrics[]>(stripes_)) {}

request_metrics& metrics_registry::host(std::string_view endpoint, std::size_t stripe) {
    std::lock_guard lock(hosts_mutex_);
    auto it = hosts_.find(endpoint);
    if (it == hosts_.end())
        it = hosts_.emplace(std::string(endpoint), std::make_unique<request_metrics[]>(stripes_)).first;
    return it->second[stripe % stripes_];
}

request_metrics* metrics_registry::find_host(std::string_view endpoint, std::size_t stripe) const {
    std::lock_guard lock(hosts_mutex_);
    auto it = hosts_.find(endpoint);
    return it == hosts_.end() ? nullptr : &it->second[stripe % stripes_];
}

namespace {
request_metrics_snapshot sum_of(const request_metrics* blocks, std::size_t n) {
    auto s = blocks[0].snapshot();
    for (std::size_t i = 1; i < n; ++i) s.merge(blocks[i].snapshot());
    return s;
}
}  // namespace

metrics_snapshot metrics_registry::snapshot() const {
    metrics_snapshot s;
    s.requests = sum_of(requests_.get(), stripes_);
    // Copy the (stable) pointers under the lock, read the atomics outside it.
    std::vector<std::pair<std::string, const request_metrics*>> hosts;
    {
        std::lock_guard lock(hosts_mutex_);
        hosts.reserve(hosts_.size());
        for (const auto& [endpoint, m] : hosts_) hosts.emplace_back(endpoint, m.get());
    }
    s.hosts.reserve(hosts.size());
    for (auto& [endpoint, m] : hosts) s.hosts.push_back({std::move(endpoint), sum_of(m, stripes_)});
    // Connection-level figures are recorded per host only: the cluster's are their sums.
    for (const auto& h : s.hosts) {
        s.requests.connections_open += h.metrics.connections_open;
        s.requests.bytes_sent += h.metrics.bytes_sent;
        s.requests.bytes_received += h.metrics.bytes_received;
        s.requests.orphaned_streams += h.metrics.orphaned_streams;
        s.requests.timeouts += h.metrics.timeouts;
    }
    return s;
}

}  // namespace async_cassandra

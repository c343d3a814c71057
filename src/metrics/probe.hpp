// The hooks the request path calls: small RAII timers that feed a
// metrics_registry and its listener. Each costs nothing but a null check
// when the cluster has no registry (metrics off and no listener).
#pragma once

#include <async_cassandra/error.hpp>
#include <async_cassandra/metrics.hpp>

#include <asio/error.hpp>

#include <chrono>
#include <memory>
#include <string_view>
#include <async_cassandra/detail/error_code.hpp>
#include <utility>

namespace async_cassandra::detail {

// How a request that never finished ends: as the library reports a cancellation.
inline error_code make_aborted() noexcept { return asio::error::operation_aborted; }

// One user request, from its start to its completion: counted in the
// registry's cluster-wide block and reported to its listener. Destroyed
// without finish() (the coroutine was destroyed), it ends as cancelled.
//
// Clock reads cost about as much as all the counting (~20 ns each): the
// *_at forms take a time the caller already has (the request timer's start,
// an attempt's end) so one request needs only two reads in all.
class request_probe {
public:
    using clock = std::chrono::steady_clock;

    // `query` must stay valid until finish().
    request_probe(metrics_registry* registry, std::string_view query) noexcept
        : request_probe(registry, query, registry ? clock::now() : clock::time_point{}) {}
    request_probe(metrics_registry* registry, std::string_view query, clock::time_point start) noexcept
        : registry_(registry), start_(start) {
        if (!registry_) return;
        info_.query = query;
        if (registry_->counting()) registry_->requests().on_request_start();
        if (auto* l = registry_->listener()) notify(&request_listener::on_start, *l);
    }
    ~request_probe() { finish(make_aborted()); }
    request_probe(const request_probe&) = delete;
    request_probe& operator=(const request_probe&) = delete;

    // Whether anything is recorded (the registry exists and finish() has
    // not run): without it, the caller need not read the clock for us.
    bool active() const noexcept { return registry_ != nullptr; }
    clock::time_point start_time() const noexcept { return start_; }

    // The attempt the answer now being waited for comes from; `host` must
    // stay valid until finish(). Optional: a request path without retries
    // may pass the host to finish() instead.
    void set_attempt(std::string_view host, int attempt, bool speculative) noexcept {
        info_.host = host;
        info_.attempt = attempt;
        info_.speculative = speculative;
    }

    // Ends the request (ec clear: success); later calls do nothing. A
    // non-empty `host` replaces the one set_attempt gave.
    void finish(error_code ec, std::string_view host = {}) noexcept {
        if (registry_) finish_at(clock::now(), ec, host);
    }
    void finish_at(clock::time_point end, error_code ec, std::string_view host = {}) noexcept {
        if (!registry_) return;
        auto* r = std::exchange(registry_, nullptr);
        info_.latency = end - start_;
        info_.error = ec;
        if (!host.empty()) info_.host = host;
        if (r->counting()) r->requests().on_request_end(info_.latency, ec);
        if (auto* l = r->listener()) notify(ec ? &request_listener::on_error : &request_listener::on_end, *l);
    }

    const request_info& info() const noexcept { return info_; }

private:
    void notify(void (request_listener::*fn)(const request_info&), request_listener& l) noexcept {
        try {
            (l.*fn)(info_);
        } catch (...) {
            // A failing listener must not fail the request it watches.
        }
    }

    metrics_registry* registry_;
    request_info info_;
    clock::time_point start_;
};

// One attempt sent to one host: counted in that host's block (and, for a
// client timeout, in its timeouts). `host` null (metrics off): does nothing.
class attempt_probe {
public:
    using clock = std::chrono::steady_clock;

    explicit attempt_probe(request_metrics* host) noexcept
        : attempt_probe(host, host ? clock::now() : clock::time_point{}) {}
    attempt_probe(request_metrics* host, clock::time_point start) noexcept : host_(host), start_(start) {
        if (host_) host_->on_request_start();
    }
    // Goes on with an attempt another probe started (and forgot()).
    struct continued_t {};
    attempt_probe(request_metrics* host, clock::time_point start, continued_t) noexcept : host_(host), start_(start) {}
    ~attempt_probe() { finish(make_aborted()); }
    attempt_probe(const attempt_probe&) = delete;
    attempt_probe& operator=(const attempt_probe&) = delete;

    bool active() const noexcept { return host_ != nullptr; }
    clock::time_point start_time() const noexcept { return start_; }
    // Hands the attempt on (to a probe made with continued_t): ends nothing.
    void forget() noexcept { host_ = nullptr; }

    // Ends the attempt; later calls do nothing.
    void finish(error_code ec) noexcept {
        if (host_) finish_at(clock::now(), ec);
    }
    void finish_at(clock::time_point end, error_code ec) noexcept {
        if (!host_) return;
        auto* h = std::exchange(host_, nullptr);
        h->on_request_end(end - start_, ec);
        if (ec == client_errc::request_timeout) h->on_timeout();
    }

private:
    request_metrics* host_;
    clock::time_point start_;
};

}  // namespace async_cassandra::detail

// Latency-aware routing (latency_aware() in policies.hpp): per-host
// averages kept in atomics, and the wrapper that moves slow hosts to the end
// of its child's plans. Here rather than in policies.cpp so that unit tests
// drive it with a clock of their own.
#pragma once

#include <async_cassandra/policies.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>

namespace async_cassandra::detail {

// One host's time-scaled moving average of latencies. add() from any
// thread, lock-free; two samples recorded at the very same moment keep one
// (statistics, not accounting).
class latency_tracker {
public:
    struct snapshot {
        std::int64_t average_ns = -1;  // -1: still warming up
        std::uint64_t measured = 0;    // samples seen, the warm-up included
        std::int64_t updated_ns = 0;   // when the last one was recorded
    };
    // `latency_ns` measured at `now_ns`; the first `warm_up` samples only count.
    void add(std::int64_t latency_ns, std::int64_t now_ns, std::int64_t scale_ns, std::uint64_t warm_up) noexcept;
    snapshot read() const noexcept;

private:
    std::atomic<std::int64_t> average_{-1};
    std::atomic<std::uint64_t> measured_{0};
    std::atomic<std::int64_t> updated_{0};
};

class latency_aware_policy final : public load_balancing_policy {
public:
    // Nanoseconds on a monotonic clock (steady_clock's by default).
    using clock_fn = std::function<std::int64_t()>;

    // Throws std::invalid_argument for bad options (see latency_aware()).
    latency_aware_policy(std::shared_ptr<load_balancing_policy> child, latency_aware_options o, clock_fn clock = {});

    void on_hosts(std::span<const host_ptr> hosts, const host_ptr& contact) override;
    host_distance distance(const host& h) const override { return child_->distance(h); }
    bool preferred(const host& h) const override { return child_->preferred(h); }
    void plan(const request_routing& r, std::vector<host_ptr>& out) override;
    bool concurrent_plans() const noexcept override { return child_->concurrent_plans(); }
    bool tracks_latency() const noexcept override { return true; }
    void on_latency(const host& h, std::chrono::nanoseconds latency, error_code ec) noexcept override;

    // For tests and logs: whether `h` goes to the end of plans made now.
    bool excluded(const host& h);
    // The best average (ns) as last computed; -1: none yet.
    std::int64_t best_average() const noexcept { return best_.load(std::memory_order_relaxed); }

private:
    bool excluded_at(const host& h, std::int64_t now, std::int64_t best) const;
    // Recomputes the best average when update_rate has passed since the last time.
    std::int64_t best_at(std::int64_t now);

    std::shared_ptr<load_balancing_policy> child_;
    latency_aware_options o_;
    clock_fn clock_;
    std::int64_t scale_ns_, retry_ns_, update_ns_;
    std::uint64_t warm_up_;
    // Changed only by on_hosts(), which never runs with plan() or on_latency().
    std::unordered_map<const host*, std::unique_ptr<latency_tracker>> trackers_;
    std::atomic<std::int64_t> best_{-1};
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
    std::atomic<std::int64_t> best_computed_{never};
};

}  // namespace async_cassandra::detail

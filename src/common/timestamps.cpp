// monotonic_timestamp_generator: one atomic, no lock. The drift warning is
// rate-limited by a second atomic so that a clock far behind warns once per
// interval, not once per request.
#include <async_cassandra/timestamps.hpp>

#include <utility>

namespace async_cassandra {

monotonic_timestamp_generator::monotonic_timestamp_generator(settings s, drift_fn on_drift, clock_fn clock)
    : settings_(s), on_drift_(std::move(on_drift)), clock_(std::move(clock)) {}

std::int64_t monotonic_timestamp_generator::system_now() noexcept {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<std::int64_t> monotonic_timestamp_generator::next() {
    const std::int64_t now = clock_ ? clock_() : system_now();
    std::int64_t last = last_.load(std::memory_order_relaxed);
    for (;;) {
        const std::int64_t ts = now > last ? now : last + 1;
        if (last_.compare_exchange_weak(last, ts, std::memory_order_relaxed)) {
            if (ts - now > settings_.warning_threshold.count()) maybe_warn(ts - now);
            return ts;
        }
    }
}

void monotonic_timestamp_generator::maybe_warn(std::int64_t drift) {
    if (!on_drift_) return;
    // On the steady clock: the system clock is the one that misbehaves.
    using namespace std::chrono;
    const std::int64_t now = duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count() + 1;
    const auto interval = duration_cast<microseconds>(settings_.warning_interval).count();
    std::int64_t last = last_warning_.load(std::memory_order_relaxed);
    if (last != 0 && now - last < interval) return;
    if (!last_warning_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;  // another thread warns
    on_drift_(microseconds(drift));
}

}  // namespace async_cassandra

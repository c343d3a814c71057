// Client-side timestamps: the write time of every request that does not set
// its own (statement::set_default_timestamp), taken when the request starts
// and kept across its retries and speculative executions. With them, two
// writes one client makes in order apply in that order, whichever
// coordinators they reach and whatever those coordinators' clocks say.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace async_cassandra {

class timestamp_generator {
public:
    virtual ~timestamp_generator() = default;
    // Microseconds since the epoch for the next request; nullopt leaves the
    // write time to the coordinator's clock. Called once per request, on any
    // of the cluster's threads at once: implementations must be thread-safe.
    virtual std::optional<std::int64_t> next() = 0;
};

// Timestamps from the system clock, strictly increasing across all of the
// cluster's requests: when the clock steps back, or more requests start in a
// microsecond than it has, each timestamp is the previous one plus 1 until
// the clock catches up. The default (as in the Java and C/C++ drivers).
class monotonic_timestamp_generator final : public timestamp_generator {
public:
    // Microseconds since the epoch; the system clock unless a test steps it.
    using clock_fn = std::function<std::int64_t()>;
    // Told how far ahead of the clock the timestamps have drifted, once it is
    // more than warning_threshold, at most once per warning_interval. The
    // cluster that makes the default generator logs it as a warning.
    using drift_fn = std::function<void(std::chrono::microseconds drift)>;

    struct settings {
        std::chrono::microseconds warning_threshold{std::chrono::seconds(1)};
        std::chrono::milliseconds warning_interval{std::chrono::seconds(1)};
    };

    monotonic_timestamp_generator() : monotonic_timestamp_generator(settings{}) {}
    explicit monotonic_timestamp_generator(settings s, drift_fn on_drift = {}, clock_fn clock = {});

    std::optional<std::int64_t> next() override;

    // The system clock in microseconds since the epoch.
    static std::int64_t system_now() noexcept;

private:
    void maybe_warn(std::int64_t drift);

    settings settings_;
    drift_fn on_drift_;
    clock_fn clock_;
    std::atomic<std::int64_t> last_{0};
    std::atomic<std::int64_t> last_warning_{0};  // steady clock at the last warning, microseconds; 0: none yet
};

// Leaves every write time to the coordinators (the server stamps them).
class server_side_timestamps final : public timestamp_generator {
public:
    std::optional<std::int64_t> next() override { return std::nullopt; }
};

}  // namespace async_cassandra

// A lock-free log-linear latency histogram (HDR style) with percentiles.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace async_cassandra {

// Log-linear buckets at nanosecond resolution: every power of two from 256 ns
// up is split into 128 equal buckets, and values below 256 ns have a bucket
// each. A bucket's width is at most 1/128 of its lower bound, so a
// percentile read back as the bucket's midpoint is within 0.4 % of the exact
// one. Values from 0 to 2^36 - 1 ns (68.7 s) are tracked; longer ones count
// in the last bucket (the exact maximum is kept apart).
struct histogram_layout {
    static constexpr unsigned sub_bucket_bits = 7;  // 128 buckets per power of two
    static constexpr unsigned max_bits = 36;        // values below 2^36 ns
    static constexpr std::uint64_t max_trackable_ns = (std::uint64_t{1} << max_bits) - 1;
    static constexpr std::size_t bucket_count = ((max_bits - sub_bucket_bits) << sub_bucket_bits) +
                                                (std::size_t{1} << sub_bucket_bits);

    static constexpr std::size_t index_of(std::uint64_t ns) noexcept {
        if (ns > max_trackable_ns) ns = max_trackable_ns;
        const unsigned width = static_cast<unsigned>(std::bit_width(ns));
        const unsigned shift = width > sub_bucket_bits + 1 ? width - (sub_bucket_bits + 1) : 0;
        return (std::size_t{shift} << sub_bucket_bits) + static_cast<std::size_t>(ns >> shift);
    }
    // The smallest value of bucket `index`, and how many values it holds.
    static constexpr std::uint64_t lower_bound(std::size_t index) noexcept {
        if (index < (std::size_t{2} << sub_bucket_bits)) return index;
        const unsigned shift = static_cast<unsigned>(index >> sub_bucket_bits) - 1;
        return static_cast<std::uint64_t>(index - (std::size_t{shift} << sub_bucket_bits)) << shift;
    }
    static constexpr std::uint64_t width(std::size_t index) noexcept {
        if (index < (std::size_t{2} << sub_bucket_bits)) return 1;
        return std::uint64_t{1} << ((index >> sub_bucket_bits) - 1);
    }
};

// A copy of a histogram's counts, to read percentiles from and to merge.
// A plain value: copy and merge freely.
struct histogram_snapshot {
    std::vector<std::uint64_t> counts;  // histogram_layout::bucket_count entries, or empty when nothing was recorded
    std::uint64_t count = 0;            // values recorded
    std::uint64_t sum_ns = 0;           // their sum (wraps after 584 years of latency)
    std::uint64_t max_ns = 0;           // the largest value recorded, exactly

    // The value at or below which p percent of the recorded ones lie
    // (nearest rank: the ceil(p/100 * count)-th smallest), as the midpoint
    // of its bucket: within 0.4 % of the exact value, and never above
    // max(). p is clamped to [0, 100]; zero when nothing was recorded.
    std::chrono::nanoseconds percentile(double p) const noexcept;
    std::chrono::nanoseconds max() const noexcept { return std::chrono::nanoseconds(max_ns); }
    // Zero when nothing was recorded.
    std::chrono::nanoseconds mean() const noexcept { return std::chrono::nanoseconds(count ? sum_ns / count : 0); }
    // Adds `other`'s values to these (e.g. the hosts' into one).
    void merge(const histogram_snapshot& other);
};

// Thread safety: record() may be called from any number of threads at once
// (relaxed atomics, no lock, no allocation); snapshot() from any thread
// while others record: it sees each recorded value entirely or not at all
// per bucket, though count, sum and max may differ by values in flight.
// About 30 KiB: allocate it once, next to what it measures.
class latency_histogram {
public:
    latency_histogram() noexcept = default;
    latency_histogram(const latency_histogram&) = delete;
    latency_histogram& operator=(const latency_histogram&) = delete;

    void record(std::chrono::nanoseconds latency) noexcept {
        record_ns(latency.count() > 0 ? static_cast<std::uint64_t>(latency.count()) : 0);
    }
    void record_ns(std::uint64_t ns) noexcept {
        counts_[histogram_layout::index_of(ns)].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(ns, std::memory_order_relaxed);
        auto seen = max_ns_.load(std::memory_order_relaxed);
        while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
        }
    }

    histogram_snapshot snapshot() const;

private:
    std::array<std::atomic<std::uint64_t>, histogram_layout::bucket_count> counts_{};
    std::atomic<std::uint64_t> sum_ns_{0};
    std::atomic<std::uint64_t> max_ns_{0};
};

}  // namespace async_cassandra

// A log-linear latency histogram in the manner of HdrHistogram: values
// below 128 have a bucket each, above that every power of two is cut into 64
// buckets, so a reported value (a bucket's midpoint) is within 0.8% of every
// value in its bucket. Recording is an index computation and an increment.
#pragma once

#include <array>
#include <cstdint>

namespace cqlbench {

class histogram {
public:
    static constexpr unsigned linear = 128;  // values 0..127 exactly
    static constexpr unsigned sub_buckets = 64;
    static constexpr std::size_t bucket_count = linear + (64 - 7) * sub_buckets;

    void record(std::uint64_t v) noexcept {
        ++counts_[index_of(v)];
        ++count_;
        if (v > max_) max_ = v;
        if (v < min_) min_ = v;
        sum_ += static_cast<double>(v);
    }

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t max() const noexcept { return count_ ? max_ : 0; }
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    double mean() const noexcept { return count_ ? sum_ / static_cast<double>(count_) : 0; }

    // The value at or below which `p` percent (0..100) of the values lie,
    // as the midpoint of its bucket (exact below 128), never above max().
    std::uint64_t percentile(double p) const noexcept;

    // This histogram minus an earlier snapshot of it (for per-interval figures;
    // min and max are this one's).
    histogram since(const histogram& earlier) const noexcept;
    void add(const histogram& other) noexcept;

    static std::size_t index_of(std::uint64_t v) noexcept {
        if (v < linear) return static_cast<std::size_t>(v);
        const unsigned msb = 63u - static_cast<unsigned>(__builtin_clzll(v));  // >= 7
        const unsigned shift = msb - 6;                                        // v >> shift in [64, 128)
        return linear + (msb - 7) * sub_buckets + static_cast<std::size_t>((v >> shift) - sub_buckets);
    }
    // The smallest value of bucket i and the bucket's width.
    static std::uint64_t lowest_of(std::size_t i) noexcept;
    static std::uint64_t width_of(std::size_t i) noexcept;

private:
    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    double sum_ = 0;
};

}  // namespace cqlbench

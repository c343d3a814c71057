#include "histogram.hpp"

#include <algorithm>
#include <cmath>

namespace cqlbench {

std::uint64_t histogram::lowest_of(std::size_t i) noexcept {
    if (i < linear) return i;
    const auto k = i - linear;
    const auto msb = static_cast<unsigned>(k / sub_buckets) + 7;
    const auto sub = k % sub_buckets + sub_buckets;
    return static_cast<std::uint64_t>(sub) << (msb - 6);
}

std::uint64_t histogram::width_of(std::size_t i) noexcept {
    if (i < linear) return 1;
    const auto msb = static_cast<unsigned>((i - linear) / sub_buckets) + 7;
    return std::uint64_t{1} << (msb - 6);
}

std::uint64_t histogram::percentile(double p) const noexcept {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const auto mid = lowest_of(i) + width_of(i) / 2;
            return std::clamp(mid, min(), max());
        }
    }
    return max();
}

histogram histogram::since(const histogram& earlier) const noexcept {
    histogram out = *this;
    for (std::size_t i = 0; i < bucket_count; ++i) out.counts_[i] -= earlier.counts_[i];
    out.count_ -= earlier.count_;
    out.sum_ -= earlier.sum_;
    return out;
}

void histogram::add(const histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
}

}  // namespace cqlbench

#include <async_cassandra/latency_histogram.hpp>

#include <algorithm>
#include <cmath>

namespace async_cassandra {

histogram_snapshot latency_histogram::snapshot() const {
    histogram_snapshot s;
    // Read max and sum first: values recorded meanwhile then show in the
    // counts rather than the other way round, so max() is rarely below a count.
    s.max_ns = max_ns_.load(std::memory_order_relaxed);
    s.sum_ns = sum_ns_.load(std::memory_order_relaxed);
    s.counts.resize(histogram_layout::bucket_count);
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        s.counts[i] = counts_[i].load(std::memory_order_relaxed);
        s.count += s.counts[i];
    }
    if (s.count == 0) s.counts.clear();
    return s;
}

std::chrono::nanoseconds histogram_snapshot::percentile(double p) const noexcept {
    if (count == 0 || counts.size() != histogram_layout::bucket_count) return std::chrono::nanoseconds(0);
    if (!(p > 0)) p = 0;  // NaN too
    if (p > 100) p = 100;
    // Nearest rank; the small slack keeps 99% of 100 at rank 99, not 100.
    const double exact = p / 100.0 * static_cast<double>(count);
    auto rank = static_cast<std::uint64_t>(std::ceil(exact - exact * 1e-12));
    rank = std::clamp<std::uint64_t>(rank, 1, count);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        seen += counts[i];
        if (seen >= rank) {
            const auto mid = histogram_layout::lower_bound(i) + (histogram_layout::width(i) - 1) / 2;
            return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(mid, max_ns)));
        }
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(max_ns));
}

void histogram_snapshot::merge(const histogram_snapshot& other) {
    if (other.count == 0) return;
    if (counts.empty()) counts.assign(histogram_layout::bucket_count, 0);
    for (std::size_t i = 0; i < counts.size() && i < other.counts.size(); ++i) counts[i] += other.counts[i];
    count += other.count;
    sum_ns += other.sum_ns;
    max_ns = std::max(max_ns, other.max_ns);
}

}  // namespace async_cassandra

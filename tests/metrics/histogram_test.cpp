// latency_histogram: bucket layout, percentile accuracy against exact
// percentiles of random data, merge, and exact totals under concurrency.
#include <async_cassandra/latency_histogram.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <thread>
#include <vector>

namespace ac = async_cassandra;
using ac::histogram_layout;
using namespace std::chrono_literals;

namespace {

// The nearest-rank percentile of sorted data, as histogram_snapshot defines it.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double p) {
    const double exact = p / 100.0 * static_cast<double>(sorted.size());
    auto rank = static_cast<std::uint64_t>(std::ceil(exact - exact * 1e-12));
    rank = std::clamp<std::uint64_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

// Records `values`, then checks each percentile within `bound` of the exact one.
void check_accuracy(std::vector<std::uint64_t> values, double bound, const char* what) {
    ac::latency_histogram h;
    for (auto v : values) h.record_ns(v);
    std::sort(values.begin(), values.end());
    const auto snap = h.snapshot();
    ASSERT_EQ(snap.count, values.size()) << what;
    EXPECT_EQ(snap.max_ns, values.back()) << what;
    double worst = 0;
    for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
        const auto exact = std::min(exact_percentile(values, p), histogram_layout::max_trackable_ns);
        const auto got = static_cast<std::uint64_t>(snap.percentile(p).count());
        const double err = exact == 0 ? static_cast<double>(got)
                                      : std::abs(static_cast<double>(got) - static_cast<double>(exact)) /
                                            static_cast<double>(exact);
        worst = std::max(worst, err);
        EXPECT_LE(err, bound) << what << ": p" << p << " exact " << exact << " ns, histogram " << got << " ns";
    }
    ::testing::Test::RecordProperty(std::string("worst_error_") + what, std::to_string(worst));
}

std::vector<std::uint64_t> draw(std::size_t n, const std::function<double(std::mt19937_64&)>& dist,
                                std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::uint64_t> v(n);
    for (auto& x : v) x = static_cast<std::uint64_t>(std::max(0.0, dist(rng)));
    return v;
}

}  // namespace

TEST(histogram_layout, buckets_are_contiguous_and_narrow) {
    // Every bucket starts where the previous ended and is at most 1/128 of its lower bound wide.
    std::uint64_t next = 0;
    for (std::size_t i = 0; i < histogram_layout::bucket_count; ++i) {
        ASSERT_EQ(histogram_layout::lower_bound(i), next) << "bucket " << i;
        const auto lo = histogram_layout::lower_bound(i);
        const auto w = histogram_layout::width(i);
        if (w > 1) {  // buckets of one value are exact
            ASSERT_LE(static_cast<double>(w) / static_cast<double>(lo), 1.0 / 128 + 1e-12) << "bucket " << i;
        }
        ASSERT_EQ(histogram_layout::index_of(lo), i);
        ASSERT_EQ(histogram_layout::index_of(lo + w - 1), i);
        next = lo + w;
    }
    EXPECT_EQ(next, histogram_layout::max_trackable_ns + 1);
    EXPECT_EQ(histogram_layout::index_of(~std::uint64_t{0}), histogram_layout::bucket_count - 1);
    // 60 s is inside the tracked range.
    EXPECT_LT(histogram_layout::index_of(60'000'000'000ULL), histogram_layout::bucket_count - 1);
}

TEST(histogram, empty_snapshot_reads_zero) {
    ac::latency_histogram h;
    const auto s = h.snapshot();
    EXPECT_EQ(s.count, 0u);
    EXPECT_EQ(s.percentile(50), 0ns);
    EXPECT_EQ(s.mean(), 0ns);
    EXPECT_EQ(s.max(), 0ns);
}

TEST(histogram, small_values_are_exact) {
    ac::latency_histogram h;
    for (int i = 1; i <= 100; ++i) h.record(std::chrono::nanoseconds(i));
    const auto s = h.snapshot();
    EXPECT_EQ(s.percentile(50), 50ns);
    EXPECT_EQ(s.percentile(99), 99ns);  // rank 99 of 100, not 100
    EXPECT_EQ(s.percentile(100), 100ns);
    EXPECT_EQ(s.percentile(0), 1ns);
    EXPECT_EQ(s.mean(), 50ns);  // 5050 / 100
    EXPECT_EQ(s.sum_ns, 5050u);
}

TEST(histogram, negative_values_count_as_zero_and_huge_ones_clamp) {
    ac::latency_histogram h;
    h.record(-5ns);
    h.record(std::chrono::hours(2));
    const auto s = h.snapshot();
    EXPECT_EQ(s.count, 2u);
    EXPECT_EQ(s.percentile(1), 0ns);
    EXPECT_EQ(s.max(), std::chrono::hours(2));
    // The top bucket's midpoint, which is at most the exact maximum.
    EXPECT_GT(s.percentile(100), 67s);
    EXPECT_LE(s.percentile(100), std::chrono::hours(2));
}

TEST(histogram, percentiles_within_one_percent_log_uniform_1us_to_60s) {
    check_accuracy(
        draw(
            200000,
            [](auto& r) { return std::exp(std::uniform_real_distribution<>(std::log(1e3), std::log(6e10))(r)); }, 1),
        0.01, "log_uniform");
}

TEST(histogram, percentiles_within_one_percent_exponential) {
    check_accuracy(draw(
                       200000, [](auto& r) { return std::exponential_distribution<>(1.0 / 500e3)(r); }, 2),
                   0.01, "exponential");
}

TEST(histogram, percentiles_within_one_percent_lognormal) {
    // Median ~1 ms with a heavy tail.
    check_accuracy(draw(
                       200000, [](auto& r) { return std::lognormal_distribution<>(std::log(1e6), 1.0)(r); }, 3),
                   0.01, "lognormal");
}

TEST(histogram, percentiles_within_one_percent_bimodal) {
    // 95 % fast (~200 µs), 5 % slow (~2 s): p95 and p99 fall on either side of the gap.
    check_accuracy(draw(
                       200000,
                       [](auto& r) {
                           const bool slow = std::uniform_real_distribution<>(0, 1)(r) < 0.05;
                           return slow ? std::normal_distribution<>(2e9, 2e8)(r)
                                       : std::normal_distribution<>(2e5, 3e4)(r);
                       },
                       4),
                   0.01, "bimodal");
}

TEST(histogram, percentiles_within_one_percent_uniform_narrow) {
    // Values within one power of two stress the linear sub-buckets.
    check_accuracy(draw(
                       100000, [](auto& r) { return std::uniform_real_distribution<>(1.0e6, 1.9e6)(r); }, 5),
                   0.01, "uniform_narrow");
}

TEST(histogram, the_bound_is_tighter_than_required) {
    // The layout promises 1/256 (midpoint of a bucket at most 1/128 wide).
    check_accuracy(
        draw(
            100000,
            [](auto& r) { return std::exp(std::uniform_real_distribution<>(std::log(256.0), std::log(6e10))(r)); }, 6),
        1.0 / 256 + 1e-9, "layout_bound");
}

TEST(histogram, merge_equals_recording_into_one) {
    ac::latency_histogram a, b, both;
    std::mt19937_64 rng(7);
    std::lognormal_distribution<> d(std::log(1e6), 1.5);
    for (int i = 0; i < 50000; ++i) {
        const auto v = static_cast<std::uint64_t>(d(rng));
        (i % 3 ? a : b).record_ns(v);
        both.record_ns(v);
    }
    auto merged = a.snapshot();
    merged.merge(b.snapshot());
    const auto expected = both.snapshot();
    EXPECT_EQ(merged.counts, expected.counts);
    EXPECT_EQ(merged.count, expected.count);
    EXPECT_EQ(merged.sum_ns, expected.sum_ns);
    EXPECT_EQ(merged.max_ns, expected.max_ns);
    for (double p : {50.0, 95.0, 99.0, 99.9}) EXPECT_EQ(merged.percentile(p), expected.percentile(p));

    ac::histogram_snapshot empty;
    empty.merge(expected);  // into an empty snapshot
    EXPECT_EQ(empty.counts, expected.counts);
    auto copy = expected;
    copy.merge(ac::histogram_snapshot{});  // an empty one changes nothing
    EXPECT_EQ(copy.count, expected.count);
}

TEST(histogram, concurrent_records_total_exactly) {
    constexpr int threads = 4;
    constexpr std::uint64_t per_thread = 200000;
    ac::latency_histogram h;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&h, t] {
            for (std::uint64_t i = 0; i < per_thread; ++i)
                h.record_ns((i * 7919 + static_cast<std::uint64_t>(t)) % 5'000'000);
        });
    for (auto& th : pool) th.join();
    // The same values recorded by one thread.
    ac::latency_histogram ref;
    for (int t = 0; t < threads; ++t)
        for (std::uint64_t i = 0; i < per_thread; ++i)
            ref.record_ns((i * 7919 + static_cast<std::uint64_t>(t)) % 5'000'000);
    const auto s = h.snapshot();
    const auto r = ref.snapshot();
    EXPECT_EQ(s.count, threads * per_thread);
    EXPECT_EQ(s.counts, r.counts);
    EXPECT_EQ(s.sum_ns, r.sum_ns);
    EXPECT_EQ(s.max_ns, r.max_ns);
}

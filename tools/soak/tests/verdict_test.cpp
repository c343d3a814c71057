// The soak's pass criteria: a soak that cannot fail proves nothing, so each
// criterion is checked on series that must pass and series that must fail.
#include "options.hpp"
#include "verdict.hpp"

#include <gtest/gtest.h>

#include <vector>

using soak::throughput_series;

namespace {

// 100 ms buckets: `rate` per second everywhere, except [from, to) at `dip`.
throughput_series series(double seconds, std::uint32_t per_bucket, double from, double to, std::uint32_t dip) {
    throughput_series s;
    for (double t = 0; t < seconds; t += s.bucket_s)
        s.ok.push_back(t >= from - 1e-9 && t < to - 1e-9 ? dip : per_bucket);
    return s;
}

}  // namespace

TEST(soak_verdict, rate_counts_the_buckets_of_the_interval) {
    auto s = series(10, 30, 0, 0, 0);
    EXPECT_DOUBLE_EQ(s.rate(0, 10), 300.0);
    EXPECT_DOUBLE_EQ(s.rate(2, 2.5), 300.0);
    EXPECT_DOUBLE_EQ(s.rate(3, 3), 0.0);
}

TEST(soak_verdict, an_event_without_a_dip_recovers_in_one_window) {
    auto s = series(20, 30, 0, 0, 0);
    auto r = soak::recovery_after(s, 10, 300, 5);
    ASSERT_TRUE(r);
    EXPECT_NEAR(*r, 0.5, 1e-9);
}

TEST(soak_verdict, a_dip_counts_until_half_the_rate_is_back) {
    // Nothing for 3 s after the event at 10 s, then full rate: the first
    // 500 ms window at half the rate or more is [12.8, 13.3), 3 of its 5
    // buckets full.
    auto s = series(30, 30, 10, 13, 0);
    auto r = soak::recovery_after(s, 10, 300, 10);
    ASSERT_TRUE(r);
    EXPECT_NEAR(*r, 3.3, 1e-6);
    EXPECT_GT(*r, 3.0);
}

TEST(soak_verdict, a_rate_below_half_for_longer_than_the_horizon_never_recovers) {
    auto s = series(30, 30, 10, 30, 14);  // 140/s against 300/s
    EXPECT_FALSE(soak::recovery_after(s, 10, 300, 10));
    auto fine = series(30, 30, 10, 30, 15);  // exactly half
    EXPECT_TRUE(soak::recovery_after(fine, 10, 300, 10));
}

TEST(soak_verdict, within_percent_is_symmetric_and_strict_beyond) {
    EXPECT_TRUE(soak::within_percent(100, 110, 10));
    EXPECT_TRUE(soak::within_percent(100, 90, 10));
    EXPECT_FALSE(soak::within_percent(100, 111, 10));
    EXPECT_FALSE(soak::within_percent(100, 89, 10));
    EXPECT_FALSE(soak::within_percent(12, 14, 10));
}

TEST(soak_options, the_cluster_and_the_script_are_required) {
    std::vector<std::string> words = {"--hosts", "a,b,c", "--minutes", "3"};
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    auto r = soak::parse(argv);
    EXPECT_NE(r.message.find("--cassandra-script"), std::string::npos) << r.message;
    words.push_back("--cassandra-script");
    words.push_back("/bin/true");
    argv.clear();
    for (auto& w : words) argv.push_back(w.data());
    r = soak::parse(argv);
    EXPECT_TRUE(r.message.empty()) << r.message;
    EXPECT_EQ(r.opts.duration, std::chrono::seconds(180));
    EXPECT_EQ(r.opts.hosts.size(), 3u);
}

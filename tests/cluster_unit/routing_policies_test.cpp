// Latency-aware routing's scoring on a clock of the test's own, and the
// address translators.
#include "cluster/latency_aware.hpp"

#include <async_cassandra/policies.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <stdexcept>

namespace ac = async_cassandra;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t ms = 1'000'000;  // ns

// Plans its hosts in the order given.
class fixed_order final : public ac::load_balancing_policy {
public:
    void on_hosts(std::span<const ac::host_ptr> hosts, const ac::host_ptr&) override {
        hosts_.assign(hosts.begin(), hosts.end());
    }
    ac::host_distance distance(const ac::host&) const override { return ac::host_distance::local; }
    void plan(const ac::request_routing&, std::vector<ac::host_ptr>& out) override {
        out.insert(out.end(), hosts_.begin(), hosts_.end());
    }

private:
    std::vector<ac::host_ptr> hosts_;
};

struct fake_clock {
    std::int64_t now = 1'000 * ms;
};

struct latency_fixture {
    fake_clock clock;
    std::vector<ac::host_ptr> hosts{std::make_shared<ac::host>("10.0.0.1", 9042),
                                    std::make_shared<ac::host>("10.0.0.2", 9042),
                                    std::make_shared<ac::host>("10.0.0.3", 9042)};
    ac::detail::latency_aware_policy policy;

    explicit latency_fixture(ac::latency_aware_options o = {})
        : policy(std::make_shared<fixed_order>(), o, [this] { return clock.now; }) {
        policy.on_hosts(hosts, hosts[0]);
    }
    // `n` rounds, 1 ms apart: one sample per host per round.
    void feed(int n, std::array<std::int64_t, 3> latency) {
        for (int i = 0; i < n; ++i) {
            clock.now += ms;
            for (std::size_t h = 0; h < hosts.size(); ++h)
                policy.on_latency(*hosts[h], std::chrono::nanoseconds(latency[h]), {});
        }
    }
    std::vector<std::string> plan() {
        std::vector<ac::host_ptr> out;
        policy.plan({}, out);
        std::vector<std::string> names;
        for (auto& h : out) names.push_back(h->address());
        return names;
    }
};

const std::vector<std::string> in_order{"10.0.0.1", "10.0.0.2", "10.0.0.3"};

}  // namespace

TEST(latency_tracker, warm_up_then_time_weighted_average) {
    ac::detail::latency_tracker t;
    const std::int64_t scale = 100 * ms;
    std::int64_t now = 0;
    for (int i = 0; i < 3; ++i) t.add(999 * ms, now += ms, scale, 3);  // warm-up: counted, not averaged
    EXPECT_EQ(t.read().average_ns, -1);
    EXPECT_EQ(t.read().measured, 3u);
    t.add(10 * ms, now += ms, scale, 3);  // the first sample after warm-up sets the average
    EXPECT_EQ(t.read().average_ns, 10 * ms);
    // One scale later: weight ln(2) on the old average.
    t.add(20 * ms, now += scale, scale, 3);
    const double w = std::log(2.0);
    EXPECT_NEAR(static_cast<double>(t.read().average_ns), (1 - w) * 20 * ms + w * 10 * ms, 1.0);
    // Long after (100 scales): the new sample counts almost alone.
    t.add(50 * ms, now += 100 * scale, scale, 3);
    EXPECT_NEAR(static_cast<double>(t.read().average_ns), 50 * ms, 3.0 * ms);
    // Right after (1 ms = 0.01 scale): the old average stays almost whole.
    const auto before = t.read().average_ns;
    t.add(500 * ms, now += ms, scale, 3);
    EXPECT_NEAR(static_cast<double>(t.read().average_ns), static_cast<double>(before), 0.01 * 500 * ms);
    // A sample at the same instant as the last one has no weight: kept out.
    const auto same = t.read();
    t.add(900 * ms, now, scale, 3);
    EXPECT_EQ(t.read().average_ns, same.average_ns);
    EXPECT_EQ(t.read().updated_ns, now);
}

TEST(latency_aware, a_host_over_the_threshold_goes_last_until_the_retry_period_passes) {
    latency_fixture f;  // threshold 2, min_measured 50, retry 10 s, update 100 ms
    f.feed(49, {1 * ms, 1 * ms, 5 * ms});
    f.clock.now += 200 * ms;
    EXPECT_EQ(f.plan(), in_order) << "compared before min_measured samples";
    f.feed(10, {1 * ms, 1 * ms, 5 * ms});
    f.clock.now += 200 * ms;  // past update_rate: the best average is recomputed
    EXPECT_EQ(f.plan(), (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_TRUE(f.policy.excluded(*f.hosts[2]));
    EXPECT_FALSE(f.policy.excluded(*f.hosts[0]));
    EXPECT_NEAR(static_cast<double>(f.policy.best_average()), 1.0 * ms, 0.01 * ms);

    // The slow host first in the child's order: moved to the end, the others keep theirs.
    latency_fixture g;
    g.feed(60, {5 * ms, 1 * ms, 1 * ms});
    g.clock.now += 200 * ms;
    EXPECT_EQ(g.plan(), (std::vector<std::string>{"10.0.0.2", "10.0.0.3", "10.0.0.1"}));
    // The others keep answering; the slow one gets no sample for 10 s: tried again.
    for (int i = 0; i < 11; ++i) {
        g.clock.now += 1000 * ms;
        g.policy.on_latency(*g.hosts[1], 1ms, {});
        g.policy.on_latency(*g.hosts[2], 1ms, {});
    }
    g.clock.now += 200 * ms;
    EXPECT_FALSE(g.policy.excluded(*g.hosts[0]));
    EXPECT_EQ(g.plan(), in_order);
}

TEST(latency_aware, threshold_and_best_follow_the_options) {
    ac::latency_aware_options o;
    o.exclusion_threshold = 3.0;
    o.min_measured = 10;
    latency_fixture f(o);
    f.feed(20, {1 * ms, 2 * ms, static_cast<std::int64_t>(2.5 * ms)});  // 2.5x the best: under 3
    f.clock.now += 200 * ms;
    EXPECT_EQ(f.plan(), in_order);
    f.feed(400, {1 * ms, 2 * ms, 4 * ms});  // now 4x
    f.clock.now += 200 * ms;
    EXPECT_EQ(f.plan(), (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_TRUE(f.policy.excluded(*f.hosts[2]));
    EXPECT_FALSE(f.policy.excluded(*f.hosts[1]));
}

TEST(latency_aware, the_best_average_is_recomputed_at_the_update_rate_only) {
    ac::latency_aware_options o;
    o.min_measured = 10;
    o.update_rate = 100ms;
    latency_fixture f(o);
    f.feed(20, {10 * ms, 10 * ms, 10 * ms});
    f.clock.now += 200 * ms;
    (void)f.plan();
    EXPECT_NEAR(static_cast<double>(f.policy.best_average()), 10.0 * ms, 0.1 * ms);
    f.feed(800, {1 * ms, 10 * ms, 10 * ms});  // 800 ms of samples, but no plan: no recompute
    EXPECT_NEAR(static_cast<double>(f.policy.best_average()), 10.0 * ms, 0.1 * ms);
    (void)f.plan();
    EXPECT_LT(f.policy.best_average(), 2 * ms);
    const auto best = f.policy.best_average();
    f.feed(50, {5 * ms, 10 * ms, 10 * ms});  // 50 ms later: within update_rate
    (void)f.plan();
    EXPECT_EQ(f.policy.best_average(), best);
}

TEST(latency_aware, fast_errors_are_not_measured_timeouts_are) {
    ac::latency_aware_options o;
    o.min_measured = 10;
    latency_fixture f(o);
    for (int i = 0; i < 20; ++i) {
        f.clock.now += ms;
        f.policy.on_latency(*f.hosts[0], 1us, ac::make_error_code(ac::server_errc::unavailable));
        f.policy.on_latency(*f.hosts[1], 1ms, ac::make_error_code(ac::server_errc::read_timeout));
        f.policy.on_latency(*f.hosts[2], 1ms, ac::make_error_code(ac::client_errc::request_timeout));
    }
    f.clock.now += 200 * ms;
    (void)f.plan();
    // The timeouts' 1 ms, not the fast refusals' 1 us.
    EXPECT_NEAR(static_cast<double>(f.policy.best_average()), 1.0 * ms, 0.01 * ms);
    // An unknown host (removed since its attempt began) is ignored.
    ac::host stranger("10.9.9.9", 9042);
    f.policy.on_latency(stranger, 1s, {});
    EXPECT_FALSE(f.policy.excluded(stranger));
}

TEST(latency_aware, bad_options_are_refused_with_their_name) {
    auto bad = [](auto change) {
        ac::latency_aware_options o;
        change(o);
        try {
            (void)ac::latency_aware(ac::dc_aware_round_robin(), o);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(bad([](auto& o) { o.exclusion_threshold = 0.5; }).find("exclusion_threshold"), std::string::npos);
    EXPECT_NE(bad([](auto& o) { o.scale = 0ms; }).find("scale"), std::string::npos);
    EXPECT_NE(bad([](auto& o) { o.retry_period = -1ms; }).find("retry_period"), std::string::npos);
    EXPECT_NE(bad([](auto& o) { o.update_rate = 0ms; }).find("update_rate"), std::string::npos);
    EXPECT_THROW((void)ac::latency_aware(nullptr), std::invalid_argument);
    // Wrappers pass latencies on to a latency-aware child.
    EXPECT_TRUE(ac::token_aware(ac::latency_aware(ac::dc_aware_round_robin()))->tracks_latency());
    EXPECT_FALSE(ac::default_load_balancing()->tracks_latency());
}

TEST(address_translator, fixed_map_exact_port_any_port_and_pass_through) {
    auto t = ac::fixed_address_translator({
        {{"10.0.0.1", 9042}, {"203.0.113.1", 19042}},
        {{"10.0.0.1", 0}, {"203.0.113.9", 0}},
        {{"10.0.0.2", 0}, {"db2.example", 9142}},
    });
    EXPECT_EQ(t->translate({"10.0.0.1", 9042}), (ac::node_address{"203.0.113.1", 19042}));
    EXPECT_EQ(t->translate({"10.0.0.1", 7000}), (ac::node_address{"203.0.113.9", 7000}));  // port kept
    EXPECT_EQ(t->translate({"10.0.0.2", 1}), (ac::node_address{"db2.example", 9142}));
    EXPECT_EQ(t->translate({"10.0.0.3", 9042}), (ac::node_address{"10.0.0.3", 9042}));  // unknown: unchanged
    EXPECT_EQ(ac::identity_address_translator()->translate({"10.0.0.1", 9042}), (ac::node_address{"10.0.0.1", 9042}));
    try {
        (void)ac::fixed_address_translator({{{"10.0.0.1", 0}, {"", 9042}}});
        FAIL() << "an empty address was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'10.0.0.1' (any port)"), std::string::npos) << e.what();
    }
}

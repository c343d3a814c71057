// Load balancing and pools against a cql-sim topology, where the tests
// choose each node's data centre and answer:
//
// - dc_aware.*        dc_aware_round_robin with two data centres (nodes 1-2 in
//                     dc1, node 3 in dc2): the local DC comes first; remote hosts
//                     only when used_hosts_per_remote_dc > 0, never for LOCAL_*
//                     consistencies unless allow_remote_dcs_for_local_cl; the local
//                     DC defaults to the contact point's; ignored hosts get no pool.
// - pool_size.*       cluster_config::connections_per_host > 1: that many
//                     connections per host, and requests spread over all of them.
//
// Local hosts refuse with "overloaded" (the coordinator did not run the
// statement, so the request moves to the next host of the plan whatever its
// idempotence); node 3 answers 42.
#include "fault_env.hpp"

#include <asio/detached.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace fault_env;

namespace {

cql_sim::config two_dcs() {
    cql_sim::config sc;
    sc.nodes = 3;
    sc.node_data_centers = {"dc1", "dc1", "dc2"};
    return sc;
}

// Nodes 1 and 2 refuse "SELECT x"; node 3 answers. Returns node 3's rule.
std::size_t local_refuses_remote_answers(cql_sim::server& sim) {
    pr::error_response busy;
    busy.code = pr::error_codes::overloaded;
    busy.message = "busy";
    for (int n = 0; n < 2; ++n) {
        auto r = cql_sim::error_rule("SELECT x", busy);
        r.node = n;
        sim.add_rule(r);
    }
    auto ok = cql_sim::rows_rule("SELECT x", {cql_sim::column("v", ac::type_id::int_)},
                                 {{ac::encode_value(std::int32_t{42})}});
    ok.node = 2;
    return sim.add_rule(ok);
}

struct dc_case {
    const char* name;
    ac::dc_aware_options options;
    ac::consistency consistency_level;
    bool reaches_remote;  // the request ends on node 3 with its answer
};

}  // namespace

class dc_aware : public ::testing::TestWithParam<dc_case> {};

TEST_P(dc_aware, remote_hosts_only_where_the_options_allow) {
    const auto& c = GetParam();
    sim_env env(two_dcs());
    const auto remote = local_refuses_remote_answers(env.sim);
    std::vector<outcome> outcomes;
    std::size_t open_remote = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.load_balancing = ac::dc_aware_round_robin(c.options);
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        // Pools to the local hosts open; a remote one only when it is used.
        CO_ASSERT(
            co_await wait_until([&] { return env.sim.open_connections(0) >= 2 && env.sim.open_connections(1) >= 1; }));
        if (c.options.used_hosts_per_remote_dc > 0)
            CO_ASSERT(co_await wait_until([&] { return env.sim.open_connections(2) >= 1; }));
        co_await sleep_for(50ms);
        open_remote = env.sim.open_connections(2);
        for (int i = 0; i < 4; ++i) {
            ac::statement st("SELECT x");
            st.set_consistency(c.consistency_level);
            outcomes.push_back(co_await attempt(session, st));
        }
        co_await cluster.close();
    });
    ASSERT_EQ(outcomes.size(), 4u);
    for (const auto& o : outcomes) {
        if (c.reaches_remote) {
            ASSERT_FALSE(o.ec) << o.ec.message() << ": " << o.diag.message();
            EXPECT_EQ(first_int(o.rs), 42);
        } else {
            // Every local host refused and no remote one may be tried.
            EXPECT_TRUE(o.ec) << "a request reached the remote DC";
        }
    }
    EXPECT_EQ(env.sim.hits(remote), c.reaches_remote ? 4u : 0u);
    // Remote hosts the policy never uses are "ignored": no pool at all.
    if (c.options.used_hosts_per_remote_dc == 0)
        EXPECT_EQ(open_remote, 0u);
    else
        EXPECT_GE(open_remote, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    cases, dc_aware,
    ::testing::Values(dc_case{"no_remote_hosts", {"dc1", 0, false}, ac::consistency::one, false},
                      dc_case{"remote_fallback_for_one", {"dc1", 1, false}, ac::consistency::one, true},
                      dc_case{"local_cl_stays_local", {"dc1", 1, false}, ac::consistency::local_one, false},
                      dc_case{"local_cl_remote_allowed", {"dc1", 1, true}, ac::consistency::local_quorum, true},
                      // No local_dc: the contact point's (127.0.0.1, dc1).
                      dc_case{"local_dc_from_contact_point", {"", 1, false}, ac::consistency::one, true}),
    [](const auto& tp) { return std::string(tp.param.name); });

// With the contact point in dc2 and no local_dc, node 3 is the local host:
// every request goes there first and the dc1 hosts are never asked.
TEST(dc_aware_contact, local_dc_is_the_contact_points) {
    sim_env env(two_dcs());
    const auto remote = local_refuses_remote_answers(env.sim);
    std::vector<outcome> outcomes;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.contact_points = {"127.0.0.3"};
        cfg.load_balancing = ac::dc_aware_round_robin();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        for (int i = 0; i < 6; ++i) {
            ac::statement st("SELECT x");
            outcomes.push_back(co_await attempt(session, st));
        }
        co_await cluster.close();
    });
    for (const auto& o : outcomes) ASSERT_FALSE(o.ec) << o.ec.message() << ": " << o.diag.message();
    EXPECT_EQ(env.sim.hits(remote), 6u);
    const auto& st = env.sim.stats();
    EXPECT_EQ(st.nodes[0].requests_of(pr::opcode::query) + st.nodes[1].requests_of(pr::opcode::query), 0u)
        << "dc1 hosts were asked although dc2 is local";
}

// ---- pool size ---------------------------------------------------------------

// connections_per_host = 3: three pool connections (plus the control
// connection) to the one node, and 60 concurrent slow requests use all three.
TEST(pool_size, requests_spread_over_every_connection_of_a_host) {
    sim_env env;
    auto slow = cql_sim::rows_rule("SELECT slow", {cql_sim::column("v", ac::type_id::int_)},
                                   {{ac::encode_value(std::int32_t{7})}});
    slow.delay = 50ms;
    const auto slow_rule = env.sim.add_rule(slow);
    std::size_t open = 0;
    std::vector<std::uint64_t> per_connection_before, per_connection;
    int ok = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.connections_per_host = 3;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await wait_until([&] { return env.sim.open_connections(0) >= 4; }));
        co_await sleep_for(50ms);  // a fourth pool connection would show up now
        open = env.sim.open_connections(0);
        per_connection_before = env.sim.statements_per_connection(0);
        auto ex = co_await asio::this_coro::executor;
        int running = 0;
        for (int i = 0; i < 60; ++i) {
            ++running;
            asio::co_spawn(
                ex,
                [&]() -> asio::awaitable<void> {
                    ac::statement st("SELECT slow");
                    auto o = co_await attempt(session, st);
                    if (!o.ec && first_int(o.rs) == 7) ++ok;
                    --running;
                },
                asio::detached);
        }
        CO_ASSERT(co_await wait_until([&] { return running == 0; }));
        per_connection = env.sim.statements_per_connection(0);
        std::printf("[ figure ] connections_per_host=3: %zu open on the node; requests per connection:", open);
        for (std::size_t i = 0; i < per_connection.size(); ++i)
            std::printf(" %llu",
                        static_cast<unsigned long long>(
                            per_connection[i] - (i < per_connection_before.size() ? per_connection_before[i] : 0)));
        std::printf("\n");
        co_await cluster.close();
    });
    EXPECT_EQ(open, 4u);  // 3 pool connections + the control connection
    EXPECT_EQ(ok, 60);
    EXPECT_EQ(env.sim.hits(slow_rule), 60u);
    ASSERT_EQ(per_connection.size(), per_connection_before.size());
    // The least-busy pick: with 60 requests in flight at once, every pool
    // connection carries some (the control connection none).
    int busy = 0;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < per_connection.size(); ++i) {
        const auto n = per_connection[i] - per_connection_before[i];
        total += n;
        if (n >= 10) ++busy;
    }
    EXPECT_EQ(total, 60u);
    EXPECT_EQ(busy, 3) << "requests did not spread over the 3 pool connections";
}

// With io_threads > 1 shards plan at once only through a policy that says
// it can (concurrent_plans()); a policy of the user's that does not gets
// one plan() at a time, whichever shard its requests run on.
namespace {
class counting_policy final : public ac::load_balancing_policy {
public:
    explicit counting_policy(bool concurrent) : concurrent_(concurrent) {}
    void on_hosts(std::span<const ac::host_ptr> hosts, const ac::host_ptr& contact) override {
        inner_->on_hosts(hosts, contact);
    }
    ac::host_distance distance(const ac::host& h) const override { return inner_->distance(h); }
    void plan(const ac::request_routing& r, std::vector<ac::host_ptr>& out) override {
        const int now = ++inside_;
        int seen = most_.load();
        while (now > seen && !most_.compare_exchange_weak(seen, now)) {
        }
        // Stays a while, so that two shards planning at once would overlap here.
        const auto until = std::chrono::steady_clock::now() + 200us;
        while (std::chrono::steady_clock::now() < until) {
        }
        inner_->plan(r, out);
        ++plans_;
        --inside_;
    }
    bool concurrent_plans() const noexcept override { return concurrent_; }
    int most() const { return most_; }
    int plans() const { return plans_; }

private:
    bool concurrent_;
    std::shared_ptr<ac::load_balancing_policy> inner_ = ac::dc_aware_round_robin();
    std::atomic<int> inside_{0}, most_{0}, plans_{0};
};
}  // namespace

TEST(shards, a_policy_without_concurrent_plans_plans_one_at_a_time) {
    for (const bool concurrent : {false, true}) {
        cql_sim::config sc;
        sc.nodes = 1;
        sim_env env(sc);
        env.sim.add_rule(cql_sim::rows_rule("SELECT x", {cql_sim::column("v", ac::type_id::int_)},
                                            {{ac::encode_value(std::int32_t{42})}}));
        auto policy = std::make_shared<counting_policy>(concurrent);
        std::atomic<int> ok{0}, running{0};
        env.run([&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.io_threads = 2;
            cfg.connections_per_host = 2;
            cfg.load_balancing = policy;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT(co_await wait_until([&] { return env.sim.open_connections(0) >= 3; }));
            // Workers on both shards, each running requests back to back.
            for (int w = 0; w < 8; ++w) {
                ++running;
                asio::co_spawn(
                    session.get_executor(),
                    [&]() -> asio::awaitable<void> {
                        for (int i = 0; i < 50; ++i) {
                            ac::statement st("SELECT x");
                            auto o = co_await attempt(session, st);
                            if (!o.ec && first_int(o.rs) == 42) ++ok;
                        }
                        --running;
                    },
                    asio::detached);
            }
            CO_ASSERT(co_await wait_until([&] { return running == 0; }, 30s));
            co_await cluster.close();
        });
        EXPECT_EQ(ok, 400) << "concurrent_plans " << concurrent;
        EXPECT_GE(policy->plans(), 400);
        if (!concurrent) {
            EXPECT_EQ(policy->most(), 1) << "two shards were in plan() at once";
        }
        std::printf("[ figure ] concurrent_plans=%d: at most %d plan() calls at once\n", concurrent ? 1 : 0,
                    policy->most());
    }
}

namespace {
// Retries an unavailable on the same host at a consistency one step lower,
// recording the level each failed attempt ran at.
struct stepping_down final : ac::retry_policy {
    std::vector<ac::consistency> seen;
    ac::retry_decision decide(const ac::retry_context& rc) override {
        seen.push_back(rc.consistency_level);
        ac::retry_decision d;
        d.what = ac::retry_decision::kind::retry_same_host;
        d.consistency_level = rc.consistency_level == ac::consistency::quorum ? ac::consistency::two
                                                                              : ac::consistency::one;
        return d;
    }
};
}  // namespace

TEST(retry_policy, sees_the_consistency_the_failed_attempt_ran_at) {
    sim_env env;
    pr::error_response unavailable;
    unavailable.code = pr::error_codes::unavailable;
    unavailable.message = "not enough replicas";
    auto r = cql_sim::error_rule("SELECT down", unavailable);
    r.max_hits = 2;
    env.sim.add_rule(r);
    env.run([&]() -> asio::awaitable<void> {
        auto policy = std::make_shared<stepping_down>();
        auto cfg = env.client_config();
        cfg.retry = policy;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto st = ac::statement("SELECT down");
        st.set_consistency(ac::consistency::quorum);
        (void)co_await session.execute(st);  // QUORUM fails, TWO fails, ONE succeeds
        CO_ASSERT(policy->seen.size() == 2u);
        EXPECT_EQ(policy->seen[0], ac::consistency::quorum);
        EXPECT_EQ(policy->seen[1], ac::consistency::two) << "the policy saw the request's level, not the retry's";
        co_await cluster.close();
    });
}

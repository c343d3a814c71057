// PREPARE beyond the host that answered (cluster_config::prepare_on_all_hosts
// and reprepare_on_up) against a cql-sim topology: a prepare reaches every
// up host before it completes; a host whose pool reopens gets every cached
// statement before it takes requests, so no EXECUTE meets UNPREPARED.
#include "fault_env.hpp"

#include <string>
#include <vector>

using namespace fault_env;

namespace {

cql_sim::config nodes(int n) {
    cql_sim::config sc;
    sc.nodes = n;
    return sc;
}

std::uint64_t prepares_on(const cql_sim::server& sim, int node) {
    return sim.stats().nodes[static_cast<std::size_t>(node)].requests_of(pr::opcode::prepare);
}

// Pools on every node (node 1 also holds the control connection).
asio::awaitable<bool> pools_up(const cql_sim::server& sim, int n) {
    co_return co_await wait_until([&] {
        for (int i = 0; i < n; ++i)
            if (sim.open_connections(i) < (i == 0 ? 2u : 1u)) return false;
        return true;
    });
}

}  // namespace

TEST(prepare_on_hosts, a_prepare_reaches_every_up_host_before_it_completes) {
    for (const bool on : {true, false}) {
        sim_env env(nodes(3));
        env.run([&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.prepare_on_all_hosts = on;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT(co_await pools_up(env.sim, 3));
            co_await sleep_for(100ms);  // their handshakes
            (void)co_await session.prepare(ac::statement("SELECT p FROM t"));
            int reached = 0;
            for (int i = 0; i < 3; ++i) reached += prepares_on(env.sim, i) > 0 ? 1 : 0;
            const auto st = cluster.prepared_stats();
            EXPECT_EQ(st.prepare_requests, 1u);
            if (on) {
                EXPECT_EQ(reached, 3) << "the prepare completed before every host had it";
                EXPECT_EQ(st.prepared_elsewhere, 2u);
            } else {
                EXPECT_EQ(reached, 1);
                EXPECT_EQ(st.prepared_elsewhere, 0u);
            }
            co_await cluster.close();
        });
    }
}

TEST(prepare_on_hosts, a_host_whose_pool_reopens_gets_the_cached_statements_first) {
    for (const bool on : {true, false}) {
        sim_env env(nodes(2));
        env.run([&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.reprepare_on_up = on;
            cfg.reconnection.base_delay = 20ms;
            cfg.reconnection.max_delay = 100ms;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT(co_await pools_up(env.sim, 2));
            co_await sleep_for(100ms);
            std::vector<ac::prepared_statement> st;
            for (int i = 0; i < 5; ++i)
                st.push_back(co_await session.prepare(ac::statement("SELECT p" + std::to_string(i) + " FROM t")));
            // The sim forgets every statement (as restarted nodes would), and
            // node 2's pool loses its connection and opens a new one.
            env.sim.forget_prepared();
            const auto before = prepares_on(env.sim, 1);
            const auto reprepares_before = cluster.prepared_stats().reprepares;
            CO_ASSERT(env.sim.reset_connections(1) >= 1);
            CO_ASSERT(co_await wait_until([&] { return env.sim.open_connections(1) >= 1; }));
            co_await sleep_for(300ms);
            if (on) {
                EXPECT_EQ(prepares_on(env.sim, 1) - before, 5u) << "node 2 did not get the cached statements";
            }
            // Every statement on both nodes, twice over.
            for (int round = 0; round < 4; ++round)
                for (auto& p : st) (void)co_await session.execute(p.bind());
            const auto unprepared = cluster.prepared_stats().reprepares - reprepares_before;
            if (on) {
                EXPECT_EQ(unprepared, 0u) << "an EXECUTE met UNPREPARED";
            } else {
                EXPECT_GT(unprepared, 0u) << "the control case: without reprepare_on_up the sim answers UNPREPARED";
            }
            co_await cluster.close();
        });
    }
}

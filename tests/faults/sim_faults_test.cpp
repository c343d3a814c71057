// The cql-sim features the fault tests rely on, checked through our client:
// one listener per node address with its own counts, rules for one node,
// rule hits, mute and reset of live connections.
#include "fault_env.hpp"

using namespace fault_env;

TEST(cql_sim_nodes, each_node_address_listens_and_counts_its_own_requests) {
    cql_sim::config sc;
    sc.nodes = 3;
    sim_env env(sc);
    auto only_node2 = cql_sim::error_rule("SELECT which", [] {
        pr::error_response e;
        e.code = pr::error_codes::invalid;
        e.message = "node 2 says no";
        return e;
    }());
    only_node2.node = 1;
    const auto rule = env.sim.add_rule(only_node2);
    outcome on1, on2;
    std::string rpc2;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg1 = env.client_config();
        auto cfg2 = env.client_config();
        cfg2.contact_points = {"127.0.0.2"};
        auto c1 = co_await ac::cluster::connect(cfg1);
        auto c2 = co_await ac::cluster::connect(cfg2);
        auto s1 = co_await c1.open_session();
        auto s2 = co_await c2.open_session();
        ac::statement st("SELECT which");
        on1 = co_await attempt(s1, st);
        on2 = co_await attempt(s2, st);
        auto local = co_await s2.execute("SELECT rpc_address FROM system.local");
        rpc2 = local.first_row().get<ac::inet_address>("rpc_address").to_string();
        co_await c1.close();
        co_await c2.close();
    });
    EXPECT_FALSE(on1.ec) << on1.diag.message();
    EXPECT_EQ(on2.ec, ac::server_errc::invalid);
    EXPECT_EQ(on2.diag.host(), "127.0.0.2:" + std::to_string(env.sim.port()));
    EXPECT_EQ(rpc2, "127.0.0.2");
    EXPECT_EQ(env.sim.hits(rule), 1u);
    const auto& st = env.sim.stats();
    ASSERT_EQ(st.nodes.size(), 3u);
    EXPECT_EQ(st.nodes[0].connections_accepted, 1u);
    EXPECT_EQ(st.nodes[1].connections_accepted, 1u);
    EXPECT_EQ(st.nodes[2].connections_accepted, 0u);
    EXPECT_EQ(st.nodes[0].requests_of(pr::opcode::query), 1u);
    EXPECT_EQ(st.nodes[1].requests_of(pr::opcode::query), 2u);
    EXPECT_EQ(st.requests_of(pr::opcode::query), 3u);
    EXPECT_EQ(st.connections_accepted, 2u);
}

// mute_connections: requests are read (counted) but never answered; the
// client's request timeout ends them. reset_connections: the client sees
// the connection end and reconnects.
TEST(cql_sim_nodes, mute_and_reset_act_on_live_connections) {
    sim_env env;
    outcome muted, after_reset;
    std::size_t muted_count = 0, reset_count = 0, open_after = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        muted_count = env.sim.mute_connections();
        ac::statement st("SELECT quiet");
        st.set_timeout(300ms);
        muted = co_await attempt(session, st);
        reset_count = env.sim.reset_connections();
        open_after = env.sim.open_connections();
        co_await sleep_for(100ms);  // a request racing the RST may fail with it; this one should not
        ac::statement again("SELECT release_version FROM system.local");
        after_reset = co_await attempt(session, again);
        co_await cluster.close();
    });
    EXPECT_EQ(muted_count, 1u);
    EXPECT_EQ(muted.ec, ac::client_errc::request_timeout);
    EXPECT_EQ(env.sim.stats().requests_of(pr::opcode::query), 2u);  // the muted one was read
    EXPECT_EQ(reset_count, 1u);
    EXPECT_EQ(open_after, 0u);
    EXPECT_FALSE(after_reset.ec) << after_reset.diag.message();
    EXPECT_EQ(env.sim.stats().connections_accepted, 2u);
}

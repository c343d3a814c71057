// A cluster whose nodes speak different protocol versions, as in the middle
// of a rolling upgrade (issue 15; per-host negotiation is defect 4). What
// the client must do:
//
// - mixed_versions.contact_point_on_v4_others_on_v5   the control connection
//       falls back to v4 and every pool speaks v4, which the v5 nodes also
//       accept: every node gets a pool and answers.
// - mixed_versions.contact_point_on_v5_a_node_on_v4_only   the v4-only node
//       gets a pool too (per-host negotiation or a cluster-wide downgrade)
//       and answers. FAILS until defect 4 is fixed.
#include "fault_env.hpp"

using namespace fault_env;

namespace {

// Connects through 127.0.0.1 to a 2-node sim whose nodes speak up to
// `versions`; runs 40 requests. Returns the version negotiated, the pools
// opened and the queries each node answered.
struct mixed_outcome {
    int version = 0;
    std::size_t open_connections = 0;
    std::uint64_t node1_queries = 0, node2_queries = 0;
    int failed = 0;
    std::string errors;
};

mixed_outcome run_mixed(std::vector<int> versions) {
    cql_sim::config sc;
    sc.nodes = 2;
    sc.node_max_protocol_versions = std::move(versions);
    sim_env env(sc);
    mixed_outcome out;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config(5);
        cfg.reconnection.base_delay = 100ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await wait_until([&] { return session.stats().open_connections == 2; }, 5s);
        out.open_connections = session.stats().open_connections;
        out.version = cluster.protocol_version();
        const auto q1 = env.sim.stats().nodes[0].requests_of(pr::opcode::query);
        const auto q2 = env.sim.stats().nodes[1].requests_of(pr::opcode::query);
        for (int i = 0; i < 40; ++i) {
            auto o = co_await attempt(session, ac::statement("SELECT work"));
            if (o.ec) {
                ++out.failed;
                out.errors += o.ec.message() + " (" + o.diag.message() + "); ";
            }
        }
        out.node1_queries = env.sim.stats().nodes[0].requests_of(pr::opcode::query) - q1;
        out.node2_queries = env.sim.stats().nodes[1].requests_of(pr::opcode::query) - q2;
        co_await session.close();
        co_await cluster.close();
    });
    return out;
}

}  // namespace

TEST(mixed_versions, contact_point_on_v4_others_on_v5) {
    auto o = run_mixed({4, 5});
    EXPECT_EQ(o.version, 4);
    EXPECT_EQ(o.open_connections, 2u);
    EXPECT_EQ(o.failed, 0) << o.errors;
    EXPECT_GT(o.node1_queries, 0u);
    EXPECT_GT(o.node2_queries, 0u) << "the v5 node must serve at v4";
}

// Defect 4 (the lead's): fails until pools negotiate per host or the
// cluster downgrades. The contact point speaks v5, the other node only v4:
// today its pool offers v5 forever and is refused (protocol_version_rejected),
// so it never gets a connection.
TEST(mixed_versions, contact_point_on_v5_a_node_on_v4_only) {
    auto o = run_mixed({5, 4});
    EXPECT_EQ(o.open_connections, 2u) << "the v4-only node has no pool";
    EXPECT_EQ(o.failed, 0) << o.errors;
    EXPECT_GT(o.node1_queries, 0u);
    EXPECT_GT(o.node2_queries, 0u) << "the v4-only node must serve too";
}

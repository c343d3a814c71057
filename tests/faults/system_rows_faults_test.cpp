// System-table rows a client cannot take at face value (issue 15): a peer
// whose native_port is not a port number, and a schema version it cannot
// read while it waits for schema agreement. Each names what the client must
// do instead of what it did before the fix (a host on a truncated port; an
// internal_error for a DDL that was applied).
#include "faults/fault_env.hpp"

#include <cql_sim/topology.hpp>

#include <algorithm>
#include <memory>
#include <tuple>
#include <vector>

using namespace fault_env;

namespace {

// The client's log, kept for the test to search.
struct log_capture {
    std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
    ac::log_sink sink() const {
        return [l = lines](ac::log_level, std::string_view m) { l->emplace_back(m); };
    }
    bool has(std::string_view a, std::string_view b) const {
        for (const auto& s : *lines)
            if (s.find(a) != std::string::npos && s.find(b) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST(system_rows_faults, a_peer_with_native_port_out_of_range_is_left_out_with_a_warning) {
    cql_sim::config sc;
    sc.nodes = 3;
    sim_env env(sc);
    // Node 1's view: 127.0.0.2 as usual, 127.0.0.3 with native_port 70000
    // (which a 16-bit cast would have made port 4464).
    cql_sim::topology t;
    t.nodes = 3;
    t.port = env.sim.port();
    auto peers = t.peers_v2(0);
    ASSERT_EQ(peers.rows.size(), 2u);
    ASSERT_EQ(peers.columns[5].name, "native_port");
    peers.rows[1][5] = ac::encode_value(std::int32_t{70000});
    cql_sim::rule r;
    r.query = "SELECT * FROM system.peers_v2";
    r.node = 0;
    r.result = peers;
    env.sim.add_rule(r);
    log_capture log;
    std::vector<std::string> endpoints;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.log_sink = log.sink();
        auto cluster = co_await ac::cluster::connect(cfg);
        for (const auto& h : cluster.hosts()) endpoints.push_back(h->endpoint());
        co_await cluster.close();
    });
    const auto port = std::to_string(env.sim.port());
    EXPECT_EQ(endpoints.size(), 2u);
    for (const auto& e : endpoints) EXPECT_EQ(e.find("127.0.0.3"), std::string::npos) << e;
    EXPECT_NE(std::find(endpoints.begin(), endpoints.end(), "127.0.0.2:" + port), endpoints.end());
    EXPECT_TRUE(log.has("native_port 70000", "left out")) << "no warning naming the port";
}

TEST(system_rows_faults, an_unreadable_schema_version_means_no_agreement_that_round) {
    cql_sim::config sc;
    sc.nodes = 2;
    sim_env env(sc);
    // The first answer to the agreement's system.local query carries
    // schema_version as text, which cannot be read as a uuid; later ones
    // are the sim's usual rows.
    cql_sim::rule r = cql_sim::rows_rule("SELECT schema_version FROM system.local WHERE key='local'",
                                         {cql_sim::column("schema_version", ac::type_id::varchar, "system", "local")},
                                         {{ac::encode_value("not-a-uuid")}});
    r.max_hits = 1;
    const auto rule_index = env.sim.add_rule(r);
    log_capture log;
    bool agreed = false;
    ac::error_code ec;
    clock::duration took{};
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.log_sink = log.sink();
        cfg.max_schema_agreement_wait = 5s;
        auto cluster = co_await ac::cluster::connect(cfg);
        const auto t0 = clock::now();
        std::tie(ec, agreed) = co_await cluster.async_wait_for_schema_agreement(
            asio::experimental::as_tuple(asio::use_awaitable));
        took = clock::now() - t0;
        co_await cluster.close();
    });
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(agreed) << "the next round reads the versions and agrees";
    EXPECT_EQ(env.sim.hits(rule_index), 1u) << "the unreadable answer was given";
    EXPECT_GE(took, 150ms) << "agreement came only in a later round";
    EXPECT_TRUE(log.has("schema agreement", "cannot read the schema versions"));
}

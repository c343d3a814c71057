// The cql-sim features the fault tests rely on: one listener per node
// address with its own counts, rules for one node, rule hits (by hand, so no
// client policy picks the node), mute and reset of live connections, and the
// rules file's options for them.
#include "fault_env.hpp"

#include <cql_sim/rules_file.hpp>

#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>

#include <asio/write.hpp>

using namespace fault_env;

namespace {

// STARTUP and one QUERY (v4) by hand on a new connection to `address`, so
// that no client policy decides which node is asked; the answer's opcode.
asio::awaitable<pr::opcode> query_by_hand(std::string address, std::uint16_t port, std::string text) {
    asio::ip::tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect({asio::ip::make_address(address), port}, asio::use_awaitable);
    pr::frame_decoder d;
    auto exchange = [&](pr::opcode op, auto body) -> asio::awaitable<pr::envelope> {
        pr::byte_buffer out;
        pr::write_envelope(out, 4, 0, 1, op, body);
        co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
        for (;;) {
            if (auto e = d.next()) co_return std::move(*e);
            auto space = d.prepare();
            d.commit(co_await s.async_read_some(asio::buffer(space.data(), space.size()), asio::use_awaitable));
        }
    };
    auto ready = co_await exchange(pr::opcode::startup, [](pr::byte_writer& w) {
        pr::encode_startup(w, {{"CQL_VERSION", "3.0.0"}});
    });
    CO_ASSERT(ready.header.opcode == pr::opcode::ready);
    auto answer = co_await exchange(pr::opcode::query,
                                    [&](pr::byte_writer& w) { pr::encode_query(w, text, pr::query_parameters{}, 4); });
    co_return answer.header.opcode;
}

}  // namespace

TEST(cql_sim_nodes, each_node_address_listens_and_counts_its_own_requests) {
    cql_sim::config sc;
    sc.nodes = 3;
    sim_env env(sc);
    pr::error_response no;
    no.code = pr::error_codes::invalid;
    no.message = "node 2 says no";
    auto only_node2 = cql_sim::error_rule("SELECT which", no);
    only_node2.node = 1;
    const auto rule = env.sim.add_rule(only_node2);
    pr::opcode on1{}, on2{}, on2_again{};
    env.run([&]() -> asio::awaitable<void> {
        on1 = co_await query_by_hand("127.0.0.1", env.sim.port(), "SELECT which");
        on2 = co_await query_by_hand("127.0.0.2", env.sim.port(), "SELECT which");
        on2_again = co_await query_by_hand("127.0.0.2", env.sim.port(), "SELECT other");
    });
    EXPECT_EQ(on1, pr::opcode::result);
    EXPECT_EQ(on2, pr::opcode::error);
    EXPECT_EQ(on2_again, pr::opcode::result);
    EXPECT_EQ(env.sim.hits(rule), 1u);
    const auto& st = env.sim.stats();
    ASSERT_EQ(st.nodes.size(), 3u);
    EXPECT_EQ(st.nodes[0].connections_accepted, 1u);
    EXPECT_EQ(st.nodes[1].connections_accepted, 2u);
    EXPECT_EQ(st.nodes[2].connections_accepted, 0u);
    EXPECT_EQ(st.nodes[0].requests_of(pr::opcode::query), 1u);
    EXPECT_EQ(st.nodes[1].requests_of(pr::opcode::query), 2u);
    EXPECT_EQ(st.nodes[1].requests_of(pr::opcode::startup), 2u);
    EXPECT_EQ(st.requests_of(pr::opcode::query), 3u);
    EXPECT_EQ(st.connections_accepted, 3u);
}

// mute_connections: requests are read (counted) but never answered; the
// client's request timeout ends them. reset_connections: the client sees
// the connection end and reconnects.
TEST(cql_sim_nodes, mute_and_reset_act_on_live_connections) {
    sim_env env;
    cql_sim::rule quiet;
    quiet.query = "SELECT quiet";
    const auto rule = env.sim.add_rule(quiet);
    outcome muted, after_reset;
    std::size_t muted_count = 0, reset_count = 0, open_after = 0;
    std::uint64_t accepted_before = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        muted_count = env.sim.mute_connections();
        ac::statement st("SELECT quiet");
        st.set_timeout(300ms);
        muted = co_await attempt(session, st);
        accepted_before = env.sim.stats().connections_accepted;
        reset_count = env.sim.reset_connections();
        open_after = env.sim.open_connections();
        co_await sleep_for(100ms);  // a request racing the RST may fail with it; this one should not
        ac::statement again("SELECT release_version FROM system.local");
        after_reset = co_await attempt(session, again);
        co_await cluster.close();
    });
    EXPECT_GE(muted_count, 1u);
    EXPECT_EQ(muted.ec, ac::client_errc::request_timeout);
    EXPECT_EQ(env.sim.hits(rule), 1u);  // the muted connection read it, and kept quiet
    EXPECT_EQ(reset_count, muted_count);
    EXPECT_EQ(open_after, 0u);
    EXPECT_FALSE(after_reset.ec) << after_reset.diag.message();
    EXPECT_GT(env.sim.stats().connections_accepted, accepted_before);
}

TEST(cql_sim_rules_file, reads_node_and_the_fault_options_for_faults) {
    auto rules = cql_sim::parse_rules(
        "SELECT x => node=1 fault=mute_after:5\n"
        "SELECT y => fault=reset\n");
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].node, 1);
    EXPECT_EQ(rules[0].fault.kind, cql_sim::fault_kind::mute_after);
    EXPECT_EQ(rules[0].fault.bytes, 5u);
    EXPECT_FALSE(rules[1].node);
    EXPECT_EQ(rules[1].fault.kind, cql_sim::fault_kind::reset);
    EXPECT_THROW(cql_sim::parse_rules("X => node=two"), std::invalid_argument);
}

// A PREPARE is bounded by its statement's execution profile's request_timeout
// (resolve_options: statement, then profile, then the cluster), as EXECUTE is.
TEST(cql_sim_nodes, prepare_honours_the_profiles_request_timeout) {
    sim_env env;
    ac::error_code ec;
    clock::duration took{};
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();  // request_timeout 10 s
        ac::execution_profile fast;
        fast.request_timeout = 300ms;
        cfg.profiles["fast"] = fast;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        CO_ASSERT(env.sim.mute_connections() >= 1);
        ac::statement st("SELECT never FROM ks.t WHERE k = ?");
        st.set_profile("fast");
        const auto start = clock::now();
        auto [e, prepared] = co_await session.async_prepare(st, asio::experimental::as_tuple(asio::use_awaitable));
        took = clock::now() - start;
        ec = e;
        env.sim.reset_connections();
        co_await cluster.close();
    });
    EXPECT_EQ(ec, ac::client_errc::request_timeout);
    EXPECT_LT(ms(took), 3000.0);  // the profile's 300 ms, not the cluster's 10 s
}

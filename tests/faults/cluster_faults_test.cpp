// Faults that need the cluster layer: several hosts, a retry policy,
// heartbeats and pools that reconnect by themselves. What each test
// relies on:
//
// - next_host.*                       connections to every node cql-sim presents (127.0.0.1..3, found
//                                     through system.peers), round-robin balancing, and overloaded /
//                                     is_bootstrapping sending the request to the next host.
// - retried_once/retry_policy.*       the default retry policy (docs/architecture.md, "Safe retries"):
//                                     read timeout retried once when enough replicas answered and no
//                                     data came back; write timeout retried once only for idempotent
//                                     SIMPLE/BATCH/UNLOGGED_BATCH writes; unavailable retried once on
//                                     the next host; statement::set_idempotent.
// - heartbeat.*                       cluster_config::heartbeat_interval (std::chrono::milliseconds:
//                                     an OPTIONS is sent after that long without traffic, also while a
//                                     request is in flight: the half-written-frame test depends on it) and
//                                     cluster_config::heartbeat_timeout (no answer within it: the
//                                     connection is defunct, its requests fail with connection_closed,
//                                     and it is replaced).
// - pool.*                            per-host pools that reopen a lost connection by themselves (the
//                                     reconnection policy's first delay, 1 s, well within the bounds).
// - corrupt_frame.one_host_*          per-host pools: a broken connection to one host is replaced and
//                                     the other hosts' connections stay as they were.
//
// Per-host counts come from cql_sim::stats::nodes[i] and rule hits
// (cql_sim::server::hits); rules limited to one node use cql_sim::rule::node.
#include "fault_env.hpp"
#include "retry_cases.hpp"

#include <asio/redirect_error.hpp>

#include <numeric>

using namespace fault_env;

namespace {

cql_sim::config three_nodes() {
    cql_sim::config sc;
    sc.nodes = 3;
    return sc;
}

pr::error_response server_error(std::int32_t code, std::string message) {
    pr::error_response e;
    e.code = code;
    e.message = std::move(message);
    return e;
}

// A rule answering `query` with `e` on node `node` only.
cql_sim::rule error_on(std::string query, pr::error_response e, int node) {
    auto r = cql_sim::error_rule(std::move(query), std::move(e));
    r.node = node;
    return r;
}

// Waits until the client has a connection open to every node of the sim.
asio::awaitable<bool> connected_to_all(const cql_sim::server& sim, int nodes) {
    co_return co_await wait_until([&] {
        for (int i = 0; i < nodes; ++i)
            if (sim.open_connections(i) == 0) return false;
        return true;
    });
}

}  // namespace

// ---- next host ---------------------------------------------------------------

class next_host : public ::testing::TestWithParam<std::int32_t> {};

// Nodes 1 and 2 refuse every request (the coordinator did not try it, so
// any statement may move on); node 3 answers. Each request, wherever the
// balancer starts it, must end on node 3 with its answer.
TEST_P(next_host, a_refusing_coordinator_sends_the_request_to_the_next_host) {
    constexpr int requests = 6;
    sim_env env(three_nodes());
    const auto refused0 = env.sim.add_rule(error_on("SELECT x", server_error(GetParam(), "busy"), 0));
    const auto refused1 = env.sim.add_rule(error_on("SELECT x", server_error(GetParam(), "busy"), 1));
    auto ok = cql_sim::rows_rule("SELECT x", {cql_sim::column("v", ac::type_id::int_)},
                                 {{ac::encode_value(std::int32_t{42})}});
    ok.node = 2;
    const auto answered = env.sim.add_rule(ok);
    std::vector<outcome> outcomes;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await connected_to_all(env.sim, 3));
        for (int i = 0; i < requests; ++i) {
            ac::statement st("SELECT x");  // not idempotent: refusals move on regardless
            outcomes.push_back(co_await attempt(session, st));
        }
        co_await cluster.close();
    });
    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(requests));
    for (const auto& o : outcomes) {
        ASSERT_FALSE(o.ec) << o.ec.message() << ": " << o.diag.message();
        EXPECT_EQ(first_int(o.rs), 42);
    }
    EXPECT_EQ(env.sim.hits(answered), static_cast<std::uint64_t>(requests));
    const auto refusals = env.sim.hits(refused0) + env.sim.hits(refused1);
    EXPECT_GE(refusals, 2u);             // round robin starts some requests on the refusing nodes
    EXPECT_LE(refusals, 2u * requests);  // and no host is tried twice for one request
}

INSTANTIATE_TEST_SUITE_P(codes, next_host,
                         ::testing::Values(pr::error_codes::overloaded, pr::error_codes::is_bootstrapping),
                         [](const auto& tp) {
                             return std::string(tp.param == pr::error_codes::overloaded ? "overloaded"
                                                                                        : "is_bootstrapping");
                         });

// ---- retry policy ------------------------------------------------------------

// The TEST_P is in server_errors_test.cpp, with the cases nothing retries.
INSTANTIATE_TEST_SUITE_P(retried_once, retry_policy,
                         ::testing::Values(retry_case{"read_timeout_enough_replicas_no_data",
                                                      pr::error_codes::read_timeout, 2, 2, false, "", true, 2},
                                           retry_case{"write_timeout_idempotent_simple", pr::error_codes::write_timeout,
                                                      0, 2, false, "SIMPLE", true, 2},
                                           retry_case{"write_timeout_idempotent_unlogged_batch",
                                                      pr::error_codes::write_timeout, 0, 2, false, "UNLOGGED_BATCH",
                                                      true, 2}),
                         [](const auto& tp) { return std::string(tp.param.name); });

// Unavailable: the coordinator did not try; one more attempt, on another host.
TEST(retry_policy_unavailable, moves_to_another_host_once) {
    sim_env env(three_nodes());
    auto e = server_error(pr::error_codes::unavailable, "Cannot achieve consistency level QUORUM");
    e.consistency_level = ac::consistency::quorum;
    e.required = 2;
    e.alive = 1;
    std::size_t rules[3];
    for (int n = 0; n < 3; ++n) rules[n] = env.sim.add_rule(error_on("INSERT INTO ks.t (k) VALUES (1)", e, n));
    outcome o;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await connected_to_all(env.sim, 3));
        ac::statement st("INSERT INTO ks.t (k) VALUES (1)");
        o = co_await attempt(session, st);
        co_await sleep_for(200ms);
        co_await cluster.close();
    });
    EXPECT_EQ(o.ec, ac::server_errc::unavailable) << o.diag.message();
    std::uint64_t total = 0;
    for (auto r : rules) {
        EXPECT_LE(env.sim.hits(r), 1u);  // never the same host twice
        total += env.sim.hits(r);
    }
    EXPECT_EQ(total, 2u);
}

// ---- mixed protocol versions ---------------------------------------------------

// A rolling upgrade: the contact point speaks v5, the two other nodes only
// v4. Each host negotiates its own version (host_pool), so all three get a
// pool and serve requests; statements prepared on one run on the others.
TEST(mixed_versions, nodes_that_speak_only_v4_get_pools_in_a_v5_cluster) {
    auto sc = three_nodes();
    sc.node_max_protocol_versions = {5, 4, 4};
    sim_env env(sc);
    bool all_connected = false;
    int cluster_version = 0, failures = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(env.client_config());
        cluster_version = cluster.protocol_version();
        auto session = co_await cluster.open_session();
        all_connected = co_await connected_to_all(env.sim, 3);
        auto ps = co_await session.prepare(ac::statement("SELECT v FROM t"));  // (cql-sim: no markers)
        for (int i = 0; i < 30; ++i) {
            auto o = co_await attempt(session, ps.bind());
            if (o.ec) ++failures;
            o = co_await attempt(session, ac::statement("SELECT x"));
            if (o.ec) ++failures;
        }
        co_await cluster.close();
    });
    EXPECT_EQ(cluster_version, 5);
    EXPECT_TRUE(all_connected) << "a v4-only node got no pool";
    EXPECT_EQ(failures, 0);
    for (int node = 0; node < 3; ++node)
        EXPECT_GE(env.sim.stats()
                          .nodes[static_cast<std::size_t>(node)]
                          .requests[static_cast<std::size_t>(pr::opcode::execute)] +
                      env.sim.stats()
                          .nodes[static_cast<std::size_t>(node)]
                          .requests[static_cast<std::size_t>(pr::opcode::query)],
                  10u)
            << "node " << node << " served too few requests";
}

// ---- heartbeat ---------------------------------------------------------------

namespace {
ac::cluster_config heartbeat_config(const sim_env& env) {
    auto cfg = env.client_config();
    cfg.heartbeat_interval = 200ms;
    cfg.heartbeat_timeout = 300ms;
    cfg.request_timeout = 10s;
    return cfg;
}
}  // namespace

// A heartbeat the connection itself refuses (its one stream id is busy and
// nothing may queue) does not end the heartbeats: once the connection is
// idle again, OPTIONS go out every interval. (The loop used to end there.)
TEST(heartbeat, keeps_watching_after_the_connection_refused_one) {
    sim_env env;
    std::uint64_t options_idle = 0;
    ac::error_code slow_ec;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = heartbeat_config(env);
        cfg.max_requests_per_connection = 1;
        cfg.max_queued_requests = 0;
        cfg.connections_per_host = 1;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        cql_sim::rule slow;
        slow.query = "SELECT slow FROM t";
        slow.delay = 700ms;  // > heartbeat_interval: the heartbeat comes while the id is taken
        env.sim.add_rule(slow);
        ac::diagnostics d;
        co_await session.async_execute(ac::statement("SELECT slow FROM t"), d,
                                       asio::redirect_error(asio::use_awaitable, slow_ec));
        const auto before = env.sim.stats().requests_of(pr::opcode::options);
        co_await sleep_for(1200ms);
        options_idle = env.sim.stats().requests_of(pr::opcode::options) - before;
        co_await cluster.close();
    });
    EXPECT_FALSE(slow_ec) << slow_ec.message();
    EXPECT_GE(options_idle, 3u) << "no heartbeat after the refused one";
}

// A connection with nothing to say still answers OPTIONS: kept, not replaced.
TEST(heartbeat, keeps_an_idle_connection_that_answers) {
    sim_env env;
    std::uint64_t options_before = 0, options_after = 0, accepted_before = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = heartbeat_config(env);
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await session.execute("SELECT release_version FROM system.local");
        options_before = env.sim.stats().requests_of(pr::opcode::options);
        accepted_before = env.sim.stats().connections_accepted;
        co_await sleep_for(1200ms);
        options_after = env.sim.stats().requests_of(pr::opcode::options);
        co_await session.execute("SELECT release_version FROM system.local");
        co_await cluster.close();
    });
    EXPECT_GE(options_after - options_before, 3u);  // ~ every 200 ms for 1.2 s, per connection
    EXPECT_EQ(env.sim.stats().connections_accepted, accepted_before);
}

// The answer stops halfway through a frame and the node goes silent: no
// byte will ever complete it. The heartbeat finds the connection dead long
// before the request's 10 s timeout; the request fails with a connection
// error and the next one succeeds on a new connection.
TEST(heartbeat, half_written_frame_then_silence_replaces_the_connection) {
    sim_env env;
    cql_sim::rule half;
    half.query = "SELECT half";
    half.fault.kind = cql_sim::fault_kind::mute_after;
    half.fault.bytes = 5;  // 5 of the 9 header bytes (v5: of the segment header)
    env.sim.add_rule(half);
    outcome o, after;
    std::uint64_t accepted_before = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = heartbeat_config(env);
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        accepted_before = env.sim.stats().connections_accepted;
        ac::statement st("SELECT half");
        o = co_await attempt(session, st);
        ac::statement again("SELECT release_version FROM system.local");
        after = co_await attempt(session, again);
        co_await cluster.close();
    });
    EXPECT_EQ(o.ec, ac::client_errc::connection_closed) << o.ec.message() << ": " << o.diag.message();
    EXPECT_TRUE(throws_as<ac::connection_error>(o));
    // interval + timeout = 0.5 s; the request's own timeout is 10 s.
    EXPECT_LT(o.took, 2s) << ms(o.took) << " ms";
    std::printf("[ figure ] half-written frame: connection declared dead after %.1f ms\n", ms(o.took));
    EXPECT_FALSE(after.ec) << after.diag.message();
    EXPECT_LT(after.took, 1s);
    EXPECT_GT(env.sim.stats().connections_accepted, accepted_before);
}

// The node stops answering anything (a partition): the idle connections'
// heartbeats go unanswered, so they are replaced before a request needs them.
TEST(heartbeat, idle_connection_to_a_silent_node_is_replaced) {
    sim_env env;
    std::uint64_t accepted_before = 0, options_before = 0;
    outcome after;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = heartbeat_config(env);
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await session.execute("SELECT release_version FROM system.local");
        accepted_before = env.sim.stats().connections_accepted;
        options_before = env.sim.stats().requests_of(pr::opcode::options);
        CO_ASSERT(env.sim.mute_connections() >= 1);
        // interval + timeout = 0.5 s, then a reconnect (the policy's first delay, 1 s at most).
        CO_ASSERT(co_await wait_until([&] { return env.sim.stats().connections_accepted > accepted_before; }, 4s));
        ac::statement st("SELECT release_version FROM system.local");
        after = co_await attempt(session, st);
        co_await cluster.close();
    });
    EXPECT_GT(env.sim.stats().requests_of(pr::opcode::options), options_before);  // the unanswered heartbeat
    EXPECT_FALSE(after.ec) << after.diag.message();
    EXPECT_LT(after.took, 1s);
}

// ---- pools -------------------------------------------------------------------

// A reset connection is reopened by its pool without waiting for a request.
TEST(pool, reopens_a_reset_connection_by_itself) {
    sim_env env;
    std::uint64_t accepted_before = 0;
    clock::duration reopened_after{};
    outcome after;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await session.execute("SELECT release_version FROM system.local");
        accepted_before = env.sim.stats().connections_accepted;
        const auto t0 = clock::now();
        CO_ASSERT(env.sim.reset_connections() >= 1);
        CO_ASSERT(co_await wait_until([&] { return env.sim.stats().connections_accepted > accepted_before; }, 5s));
        reopened_after = clock::now() - t0;
        ac::statement st("SELECT release_version FROM system.local");
        after = co_await attempt(session, st);
        co_await cluster.close();
    });
    std::printf("[ figure ] pool reopened a reset connection after %.1f ms\n", ms(reopened_after));
    EXPECT_LT(reopened_after, 3s);
    EXPECT_FALSE(after.ec) << after.diag.message();
}

// ---- corrupt frame, several hosts -------------------------------------------

// A bad CRC from node 1 replaces the connection to node 1 only: nodes 2 and
// 3 keep theirs (no new connection accepted there, none closed).
TEST(corrupt_frame, one_host_broken_leaves_the_other_hosts_connections_alone) {
    sim_env env(three_nodes());
    cql_sim::rule crc;
    crc.query = "SELECT x";
    crc.node = 0;
    crc.max_hits = 1;
    crc.fault.kind = cql_sim::fault_kind::corrupt_crc;
    const auto broken = env.sim.add_rule(crc);
    std::uint64_t accepted_before[3] = {}, accepted_after[3] = {};
    std::size_t open_before[3] = {}, open_after[3] = {};
    outcome failed;
    int failures = 0, successes = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config(5);
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await connected_to_all(env.sim, 3));
        for (int n = 0; n < 3; ++n) {
            accepted_before[n] = env.sim.stats().nodes[n].connections_accepted;
            open_before[n] = env.sim.open_connections(n);
        }
        // Round robin reaches node 1 within a few requests.
        for (int i = 0; i < 9 && env.sim.hits(broken) == 0; ++i) {
            ac::statement st("SELECT x");
            auto o = co_await attempt(session, st);
            if (o.ec) {
                failed = o;
                ++failures;
            }
        }
        CO_ASSERT(env.sim.hits(broken) == 1);
        // Node 1's pool reopens its connection; the rest is as it was.
        CO_ASSERT(co_await wait_until(
            [&] { return env.sim.stats().nodes[0].connections_accepted > accepted_before[0]; }, 5s));
        for (int i = 0; i < 6; ++i) {
            ac::statement st("SELECT x");
            auto o = co_await attempt(session, st);
            if (!o.ec) ++successes;
        }
        for (int n = 0; n < 3; ++n) {
            accepted_after[n] = env.sim.stats().nodes[n].connections_accepted;
            open_after[n] = env.sim.open_connections(n);
        }
        co_await cluster.close();
    });
    EXPECT_EQ(failures, 1);
    EXPECT_EQ(failed.ec, ac::client_errc::protocol_violation) << failed.diag.message();
    EXPECT_EQ(successes, 6);
    EXPECT_GT(accepted_after[0], accepted_before[0]);
    for (int n = 1; n < 3; ++n) {
        EXPECT_EQ(accepted_after[n], accepted_before[n]) << "node " << n + 1;
        EXPECT_EQ(open_after[n], open_before[n]) << "node " << n + 1;
    }
}

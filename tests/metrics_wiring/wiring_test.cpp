// The metrics wired into the request path, against the real node (keyspace
// wire_metrics) and, for client timeouts, the in-process cql-sim.
#include "faults/fault_env.hpp"
#include "integration/test_env.hpp"

#include <cql_sim/rules.hpp>
#include <cql_sim/server.hpp>

#include <async_cassandra/async_cassandra.hpp>
#include <async_cassandra/metrics.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ac = async_cassandra;
using namespace std::chrono_literals;

namespace {

// What a request_listener was told, copied (the views die with the call).
struct event {
    std::string what;  // "start", "end", "error"
    std::string query;
    std::string host;
    int attempt = 0;
    bool speculative = false;
    std::chrono::nanoseconds latency{0};
    ac::error_code error;
};

struct recording_listener : ac::request_listener {
    std::vector<event> events;
    void record(const char* what, const ac::request_info& i) {
        events.push_back(
            {what, std::string(i.query), std::string(i.host), i.attempt, i.speculative, i.latency, i.error});
    }
    void on_start(const ac::request_info& i) override { record("start", i); }
    void on_end(const ac::request_info& i) override { record("end", i); }
    void on_error(const ac::request_info& i) override { record("error", i); }
};

const ac::host_metrics_snapshot* find_host(const ac::metrics_snapshot& s, const std::string& endpoint) {
    auto it = std::find_if(s.hosts.begin(), s.hosts.end(), [&](const auto& h) { return h.endpoint == endpoint; });
    return it == s.hosts.end() ? nullptr : &*it;
}

const std::string node_endpoint = test_env::host() + ":9042";

asio::awaitable<void> create_schema(ac::session& s) {
    co_await s.execute(
        "CREATE KEYSPACE IF NOT EXISTS wire_metrics WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': 1}");
    co_await s.execute("CREATE TABLE IF NOT EXISTS wire_metrics.kv (k int PRIMARY KEY, v text)");
}

}  // namespace

TEST(metrics_wiring, requests_hosts_latency_bytes_errors_and_connections_are_counted) {
    test_env::run([]() -> asio::awaitable<void> {
        auto cfg = test_env::config();
        cfg.connections_per_host = 2;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto reg = cluster.metrics();
        CO_ASSERT(reg != nullptr);
        auto session = co_await cluster.open_session();
        CO_ASSERT(session.metrics() == reg);
        co_await create_schema(session);

        const auto before = reg->snapshot();
        constexpr int n = 25;
        auto insert = co_await session.prepare("INSERT INTO wire_metrics.kv (k, v) VALUES (?, ?)");
        for (int i = 0; i < n - 1; ++i) co_await session.execute(insert.bind(i, std::string("v")));
        co_await session.execute("SELECT v FROM wire_metrics.kv WHERE k = 1");
        const auto after = reg->snapshot();

        // n requests: the prepare, n - 1 inserts... plus the select; the prepare counts too.
        const auto& b = before.requests;
        const auto& a = after.requests;
        CO_ASSERT(a.requests - b.requests == n + 1);
        CO_ASSERT(a.completed - b.completed == n + 1);
        CO_ASSERT(a.latency.count - b.latency.count == n + 1);
        CO_ASSERT(a.in_flight == 0);
        CO_ASSERT(a.errors_total() == b.errors_total());
        CO_ASSERT(a.latency.percentile(50).count() > 0);

        const auto* h = find_host(after, node_endpoint);
        CO_ASSERT(h != nullptr);
        const auto* hb = find_host(before, node_endpoint);
        CO_ASSERT(hb != nullptr);
        // Attempts (the prepare goes through no attempt of run_request, so at least the n executes).
        CO_ASSERT(h->metrics.requests - hb->metrics.requests >= static_cast<std::uint64_t>(n));
        CO_ASSERT(h->metrics.bytes_sent > hb->metrics.bytes_sent);
        CO_ASSERT(h->metrics.bytes_received > hb->metrics.bytes_received);
        CO_ASSERT(a.bytes_sent >= h->metrics.bytes_sent);

        // Open connections: what the pools hold (the control connection is not counted).
        CO_ASSERT(co_await fault_env::wait_until([&] { return session.stats().open_connections == 2; }));
        const auto st = session.stats();
        const auto now = reg->snapshot();
        CO_ASSERT(find_host(now, node_endpoint)->metrics.connections_open == st.open_connections);
        CO_ASSERT(now.requests.connections_open == st.open_connections);

        // A syntax error counts as a server error, once.
        bool failed = false;
        try {
            co_await session.execute("SELEC nothing FROM nowhere");
        } catch (const ac::error&) {
            failed = true;
        }
        CO_ASSERT(failed);
        const auto err = reg->snapshot();
        CO_ASSERT(err.requests.errors_of(ac::error_kind::server_other) ==
                  a.errors_of(ac::error_kind::server_other) + 1);
        CO_ASSERT(err.requests.errors_total() == a.errors_total() + 1);
        CO_ASSERT(err.requests.completed == a.completed + 1);

        // Per-host series in the Prometheus text.
        const auto text = ac::to_prometheus(err);
        CO_ASSERT(text.find("async_cassandra_requests_total ") != std::string::npos);
        CO_ASSERT(text.find("async_cassandra_host_requests_total{host=\"" + node_endpoint + "\"}") !=
                  std::string::npos);
        CO_ASSERT(text.find("async_cassandra_host_connections_open{host=\"" + node_endpoint + "\"} 2") !=
                  std::string::npos);

        co_await cluster.close();
        // Every connection reported its close exactly once: the gauge is back at zero.
        const auto closed = reg->snapshot();
        CO_ASSERT(closed.requests.connections_open == 0);
        CO_ASSERT(find_host(closed, node_endpoint)->metrics.connections_open == 0);
    });
}

TEST(metrics_wiring, listener_sees_start_end_and_error_with_statement_and_host) {
    auto listener = std::make_shared<recording_listener>();
    test_env::run([listener]() -> asio::awaitable<void> {
        auto cfg = test_env::config();
        cfg.request_listener = listener;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        listener->events.clear();
        const std::string ok = "SELECT release_version FROM system.local";
        co_await session.execute(ok);
        const std::string bad = "SELEC broken";
        try {
            co_await session.execute(bad);
        } catch (const ac::error&) {
        }
        co_await cluster.close();
    });
    const auto& ev = listener->events;
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_EQ(ev[0].what, "start");
    EXPECT_EQ(ev[0].query, "SELECT release_version FROM system.local");
    EXPECT_EQ(ev[0].host, "");
    EXPECT_EQ(ev[1].what, "end");
    EXPECT_EQ(ev[1].query, "SELECT release_version FROM system.local");
    EXPECT_EQ(ev[1].host, node_endpoint);
    EXPECT_EQ(ev[1].attempt, 1);
    EXPECT_GT(ev[1].latency.count(), 0);
    EXPECT_FALSE(ev[1].error);
    EXPECT_EQ(ev[2].what, "start");
    EXPECT_EQ(ev[2].query, "SELEC broken");
    EXPECT_EQ(ev[3].what, "error");
    EXPECT_EQ(ev[3].query, "SELEC broken");
    EXPECT_EQ(ev[3].host, node_endpoint);
    EXPECT_EQ(ev[3].error, ac::server_errc::syntax_error);
}

TEST(metrics_wiring, metrics_off_counts_nothing) {
    auto listener = std::make_shared<recording_listener>();
    std::shared_ptr<ac::metrics_registry> without, with_listener;
    test_env::run([&]() -> asio::awaitable<void> {
        auto cfg = test_env::config();
        cfg.metrics = false;
        {
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            co_await session.execute("SELECT release_version FROM system.local");
            without = cluster.metrics();
            co_await cluster.close();
        }
        cfg.request_listener = listener;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await session.execute("SELECT release_version FROM system.local");
        with_listener = cluster.metrics();
        co_await cluster.close();
    });
    EXPECT_EQ(without, nullptr);
    ASSERT_NE(with_listener, nullptr);
    const auto snap = with_listener->snapshot();
    EXPECT_EQ(snap.requests.requests, 0u);
    EXPECT_EQ(snap.requests.latency.count, 0u);
    EXPECT_EQ(snap.requests.bytes_sent, 0u);
    EXPECT_TRUE(snap.hosts.empty());
    // The listener still hears of the request.
    ASSERT_EQ(listener->events.size(), 2u);
    EXPECT_EQ(listener->events[1].what, "end");
}

TEST(metrics_wiring, client_timeout_is_counted_with_its_orphaned_stream) {
    fault_env::sim_env env;  // the sim and its loop; run() fails a hang or a throw
    cql_sim::rule slow;
    slow.query = "SELECT slow";
    slow.delay = 2s;
    env.sim.add_rule(slow);
    auto listener = std::make_shared<recording_listener>();
    std::shared_ptr<ac::metrics_registry> reg;
    ac::error_code got;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.request_listener = listener;
        auto cluster = co_await ac::cluster::connect(cfg);
        reg = cluster.metrics();
        auto session = co_await cluster.open_session();
        ac::statement st("SELECT slow");
        st.set_timeout(100ms);
        try {
            co_await session.execute(st);
        } catch (const ac::error& e) {
            got = e.code();
        }
        co_await cluster.close();
    });
    EXPECT_EQ(got, ac::client_errc::request_timeout);
    ASSERT_NE(reg, nullptr);
    const auto snap = reg->snapshot();
    EXPECT_EQ(snap.requests.errors_of(ac::error_kind::request_timeout), 1u);
    EXPECT_EQ(snap.requests.timeouts, 1u);
    EXPECT_EQ(snap.requests.orphaned_streams, 1u);
    ASSERT_EQ(snap.hosts.size(), 1u);
    EXPECT_EQ(snap.hosts[0].endpoint, "127.0.0.1:" + std::to_string(env.sim.port()));
    EXPECT_EQ(snap.hosts[0].metrics.timeouts, 1u);
    EXPECT_EQ(snap.hosts[0].metrics.errors_of(ac::error_kind::request_timeout), 1u);
    // The attempt gets what is left of the 100 ms (rounded up to whole ms).
    EXPECT_GE(snap.requests.latency.max(), std::chrono::nanoseconds(90ms));
    EXPECT_LT(snap.requests.latency.max(), std::chrono::nanoseconds(2s));
    ASSERT_FALSE(listener->events.empty());
    EXPECT_EQ(listener->events.back().what, "error");
    EXPECT_EQ(listener->events.back().query, "SELECT slow");
    EXPECT_EQ(listener->events.back().error, ac::client_errc::request_timeout);
}

// Node 1 of two refuses with OVERLOADED (the coordinator did not try): each
// refused request moves to node 2. The retries count cluster-wide and on
// node 2 (where they go), the refusals as node 1's errors, and the listener
// hears of node 2 answering the second attempt.
TEST(metrics_wiring, retries_are_counted_and_the_answering_attempt_reported) {
    namespace pr = async_cassandra::protocol;
    cql_sim::config sc;
    sc.nodes = 2;
    fault_env::sim_env env(sc);
    pr::error_response busy;
    busy.code = pr::error_codes::overloaded;
    busy.message = "busy";
    auto refuse = cql_sim::error_rule("SELECT x", busy);
    refuse.node = 0;
    const auto refused = env.sim.add_rule(refuse);
    auto ok = cql_sim::rows_rule("SELECT x", {cql_sim::column("v", ac::type_id::int_)},
                                 {{ac::encode_value(std::int32_t{7})}});
    ok.node = 1;
    env.sim.add_rule(ok);
    auto listener = std::make_shared<recording_listener>();
    std::shared_ptr<ac::metrics_registry> reg;
    constexpr int requests = 6;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.request_listener = listener;
        auto cluster = co_await ac::cluster::connect(cfg);
        reg = cluster.metrics();
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await fault_env::wait_until(
            [&] { return env.sim.open_connections(0) > 0 && env.sim.open_connections(1) > 0; }));
        listener->events.clear();
        for (int i = 0; i < requests; ++i) co_await session.execute("SELECT x");
        co_await cluster.close();
    });
    ASSERT_NE(reg, nullptr);
    const auto refusals = env.sim.hits(refused);
    ASSERT_GE(refusals, 1u);  // round robin starts some requests on node 1
    const auto snap = reg->snapshot();
    EXPECT_EQ(snap.requests.retries, refusals);
    EXPECT_EQ(snap.requests.errors_total(), 0u);  // every request succeeded in the end
    const std::string n1 = "127.0.0.1:" + std::to_string(env.sim.port());
    const std::string n2 = "127.0.0.2:" + std::to_string(env.sim.port());
    const auto* h1 = find_host(snap, n1);
    const auto* h2 = find_host(snap, n2);
    ASSERT_NE(h1, nullptr);
    ASSERT_NE(h2, nullptr);
    EXPECT_EQ(h1->metrics.errors_of(ac::error_kind::overloaded), refusals);
    EXPECT_EQ(h2->metrics.retries, refusals);
    EXPECT_EQ(h1->metrics.retries, 0u);
    std::uint64_t second_attempts = 0;
    for (const auto& e : listener->events) {
        if (e.what != "end") continue;
        EXPECT_EQ(e.host, n2);
        EXPECT_EQ(e.query, "SELECT x");
        if (e.attempt == 2) ++second_attempts;
    }
    EXPECT_EQ(second_attempts, refusals);
    EXPECT_EQ(listener->events.size(), 2u * requests);
}

// The log sink hears of the pool's connections (info) and nothing below its level.
TEST(metrics_wiring, log_sink_receives_connection_messages_at_its_level) {
    auto messages = std::make_shared<std::vector<std::pair<ac::log_level, std::string>>>();
    test_env::run([messages]() -> asio::awaitable<void> {
        auto cfg = test_env::config();
        cfg.connections_per_host = 2;
        cfg.log_level = ac::log_level::info;
        cfg.log_sink = [messages](ac::log_level l, std::string_view m) { messages->emplace_back(l, std::string(m)); };
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await session.execute("SELECT release_version FROM system.local");
        CO_ASSERT(co_await fault_env::wait_until([&] { return session.stats().open_connections == 2; }));
        co_await cluster.close();
    });
    std::size_t opened = 0;
    for (const auto& [level, text] : *messages) {
        EXPECT_GE(level, ac::log_level::info) << text;
        if (text.find("connection to " + node_endpoint + " opened") != std::string::npos) ++opened;
    }
    EXPECT_EQ(opened, 2u);
}

// Node 1 of two answers late; an idempotent request started there
// speculates to node 2, whose answer wins. The speculative executions
// count, and the listener hears that the answer came from one.
TEST(metrics_wiring, speculative_executions_are_counted_and_reported) {
    cql_sim::config sc;
    sc.nodes = 2;
    fault_env::sim_env env(sc);
    auto answer = [](int node, std::chrono::milliseconds delay) {
        auto r = cql_sim::rows_rule("SELECT spec", {cql_sim::column("v", ac::type_id::int_)},
                                    {{ac::encode_value(std::int32_t{1})}});
        r.node = node;
        r.delay = delay;
        return r;
    };
    env.sim.add_rule(answer(0, 400ms));
    env.sim.add_rule(answer(1, 0ms));
    auto listener = std::make_shared<recording_listener>();
    std::shared_ptr<ac::metrics_registry> reg;
    constexpr int requests = 4;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.request_listener = listener;
        ac::speculative_execution spec;
        spec.delay = 30ms;
        spec.max_executions = 2;
        cfg.speculation = spec;
        auto cluster = co_await ac::cluster::connect(cfg);
        reg = cluster.metrics();
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await fault_env::wait_until(
            [&] { return env.sim.open_connections(0) > 0 && env.sim.open_connections(1) > 0; }));
        listener->events.clear();
        for (int i = 0; i < requests; ++i) {
            ac::statement st("SELECT spec");
            st.set_idempotent();
            co_await session.execute(st);
        }
        co_await cluster.close();
    });
    ASSERT_NE(reg, nullptr);
    const auto snap = reg->snapshot();
    EXPECT_GE(snap.requests.speculative_executions, 1u);  // round robin starts some requests on node 1
    const std::string n2 = "127.0.0.2:" + std::to_string(env.sim.port());
    const auto* h2 = find_host(snap, n2);
    ASSERT_NE(h2, nullptr);
    EXPECT_EQ(h2->metrics.speculative_executions, snap.requests.speculative_executions);
    std::uint64_t won = 0;
    for (const auto& e : listener->events) {
        if (e.what != "end") continue;
        EXPECT_EQ(e.host, n2);  // node 1 never answers first
        if (e.speculative) {
            ++won;
            EXPECT_EQ(e.attempt, 2);
            EXPECT_LT(e.latency, std::chrono::nanoseconds(400ms));
        }
    }
    EXPECT_EQ(won, snap.requests.speculative_executions);
    EXPECT_EQ(snap.requests.errors_total(), 0u);
}

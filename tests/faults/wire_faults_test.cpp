// Peers that break the stream-id contract or stop moving bytes, and event
// storms (issue 15). What the client must do:
//
// - wire_faults.an_answer_on_a_stream_id_never_used   a stray answer matches
//       no request: it is dropped, the request it was meant for times out
//       with request_timeout, and the connection goes on serving.
// - wire_faults.a_second_answer_on_one_id            the first answer
//       completes the request; the copy finds the id idle and is dropped;
//       the requests after it each get their own answer, on that connection.
//       (Ids are reused oldest first: before, the request sent from the
//       first answer's completion took the freed id at once and received
//       the copy. A copy arriving after every other id was used since
//       cannot be told from an answer: the protocol carries nothing more.)
// - wire_faults.a_server_that_stops_reading          requests to it time out
//       with request_timeout; what the client holds for it stays within
//       max_requests_per_connection + max_queued_requests (the excess is
//       refused at once with too_many_requests); the other node keeps
//       answering and the event loop keeps running; the stuck connection
//       retires after max_orphaned_streams and a new one serves again.
// - wire_faults.a_half_closed_socket                 a FIN from the server
//       fails the request in flight at once (not at its timeout), and the
//       pool reconnects.
// - wire_faults.oversized_metadata_within_a_memory_bound   a RESULT claiming
//       2^31 - 1 columns fails its request with protocol_violation naming
//       the column limit, one claiming 65,535 columns of nested tuples in
//       64 KiB with one saying they cannot fit; the process grows by less
//       than 64 MiB meanwhile, and the session serves the next request.
// - event_storm.ten_thousand_events_in_a_second      STATUS and TOPOLOGY
//       events only schedule a debounced refresh: at most one per
//       5 x event_debounce plus the trailing one; no connection is opened
//       for them and requests meanwhile are answered.
// - event_storm.a_node_flapping_every_100ms          its connections reset,
//       DOWN and UP events, every 100 ms: idempotent requests keep
//       succeeding (on the other nodes), its reconnections follow the
//       backoff, and the refreshes stay debounced.
#include "fault_env.hpp"

#include <asio/detached.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <vector>

using namespace fault_env;

namespace {

// Records the longest gap between 5 ms ticks while *ticking holds.
asio::awaitable<void> tick_every_5ms(const bool* ticking, clock::duration* max_gap) {
    auto last = clock::now();
    while (*ticking) {
        co_await sleep_for(5ms);
        *max_gap = std::max(*max_gap, clock::now() - last);
        last = clock::now();
    }
}

// Rules answering "SELECT v FROM ks.t WHERE k = <i>" with the row v = i,
// for i in [0, n): an answer that went to the wrong request shows.
void add_numbered_rules(cql_sim::server& sim, int n) {
    for (int i = 0; i < n; ++i)
        sim.add_rule(cql_sim::rows_rule("SELECT v FROM ks.t WHERE k = " + std::to_string(i),
                                        {cql_sim::column("v", ac::type_id::int_)},
                                        {{ac::encode_value(std::int32_t{i})}}));
}
ac::statement numbered(int i) { return ac::statement("SELECT v FROM ks.t WHERE k = " + std::to_string(i)); }

}  // namespace

TEST(wire_faults, an_answer_on_a_stream_id_never_used) {
    sim_env env;
    cql_sim::rule stray;
    stray.query = "SELECT stray";
    stray.fault.kind = cql_sim::fault_kind::wrong_stream;
    stray.max_hits = 1;
    const auto rule = env.sim.add_rule(stray);
    add_numbered_rules(env.sim, 20);
    outcome lost;
    std::vector<std::int32_t> after;
    std::uint64_t accepted_before = 0, accepted_after = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.request_timeout = 300ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        accepted_before = env.sim.stats().connections_accepted;
        lost = co_await attempt(session, ac::statement("SELECT stray"));
        for (int i = 0; i < 20; ++i) after.push_back(first_int(co_await session.execute(numbered(i))));
        accepted_after = env.sim.stats().connections_accepted;
        co_await session.close();
        co_await cluster.close();
    });
    EXPECT_EQ(env.sim.hits(rule), 1u);
    EXPECT_EQ(lost.ec, make_error_code(ac::client_errc::request_timeout))
        << lost.ec.message() << " " << lost.diag.message();
    EXPECT_GE(lost.took, 300ms);
    EXPECT_LT(lost.took, 2s);
    ASSERT_EQ(after.size(), 20u);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(after[static_cast<std::size_t>(i)], i) << "request " << i;
    EXPECT_EQ(accepted_after, accepted_before) << "the stray answer must not cost the connection";
}

TEST(wire_faults, a_second_answer_on_one_id) {
    for (int version : {4, 5}) {
        SCOPED_TRACE("protocol v" + std::to_string(version));
        sim_env env;
        // k = 0 is answered twice; the others once.
        auto twice = cql_sim::rows_rule("SELECT v FROM ks.t WHERE k = 0", {cql_sim::column("v", ac::type_id::int_)},
                                        {{ac::encode_value(std::int32_t{0})}});
        twice.fault.kind = cql_sim::fault_kind::duplicate;
        const auto rule = env.sim.add_rule(twice);
        add_numbered_rules(env.sim, 200);
        std::vector<std::int32_t> seen;
        std::uint64_t accepted_before = 0, accepted_after = 0;
        std::size_t in_flight_after = 1, orphaned_after = 1;
        env.run([&]() -> asio::awaitable<void> {
            auto cluster = co_await ac::cluster::connect(env.client_config(version));
            auto session = co_await cluster.open_session();
            accepted_before = env.sim.stats().connections_accepted;
            for (int round = 0; round < 5; ++round) {
                seen.push_back(first_int(co_await session.execute(numbered(0))));
                // The next request takes the id just freed (the copy may still be on its way).
                for (int i = 1; i < 40; ++i)
                    seen.push_back(first_int(co_await session.execute(numbered(round * 40 + i))));
            }
            accepted_after = env.sim.stats().connections_accepted;
            in_flight_after = session.stats().connection_in_flight;
            orphaned_after = session.stats().connection_orphaned;
            co_await session.close();
            co_await cluster.close();
        });
        EXPECT_EQ(env.sim.hits(rule), 5u);
        ASSERT_EQ(seen.size(), 200u);
        for (int round = 0; round < 5; ++round) {
            EXPECT_EQ(seen[static_cast<std::size_t>(round * 40)], 0);
            for (int i = 1; i < 40; ++i)
                EXPECT_EQ(seen[static_cast<std::size_t>(round * 40 + i)], round * 40 + i) << "an answer went astray";
        }
        EXPECT_EQ(accepted_after, accepted_before);
        EXPECT_EQ(in_flight_after, 0u);
        EXPECT_EQ(orphaned_after, 0u);
    }
}

TEST(wire_faults, a_server_that_stops_reading) {
    cql_sim::config sc;
    sc.nodes = 2;
    sim_env env(sc);
    constexpr std::size_t per_connection = 32, queued = 32, orphans = 16;
    constexpr int requests = 600;
    const std::string padding(32 * 1024, 'x');  // 600 x 32 KiB: 19 MiB offered
    int ok = 0, timed_out = 0, refused = 0, other = 0, done = 0;
    std::string other_errors;
    std::size_t peak_held = 0, peak_queued = 0;
    clock::duration max_gap{}, slowest{};
    bool recovered = false, ticking = true;
    std::size_t replaced = 0;
    env.run(
        [&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.contact_points = {"127.0.0.1", "127.0.0.2"};
            cfg.request_timeout = 800ms;
            cfg.max_requests_per_connection = per_connection;
            cfg.max_queued_requests = queued;
            cfg.max_orphaned_streams = orphans;
            cfg.heartbeat_interval = 0ms;  // only the requests tell the connection is stuck
            cfg.reconnection.base_delay = 100ms;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT(co_await wait_until([&] { return session.stats().open_connections == 2; }));
            CO_ASSERT(env.sim.stop_reading(0) >= 1);  // node 1: its pool connection (and the control one)
            // The loop must keep running. (The ticker's state lives in the
            // test's scope: it may wake once more after this coroutine ends.)
            asio::co_spawn(co_await asio::this_coro::executor, tick_every_5ms(&ticking, &max_gap), asio::detached);
            auto one = [&](int i) -> asio::awaitable<void> {
                auto o = co_await attempt(session, ac::statement("SELECT v FROM ks.t WHERE k = " + std::to_string(i) +
                                                                 " /* " + padding + " */"));
                slowest = std::max(slowest, o.took);
                if (!o.ec)
                    ++ok;
                else if (o.ec == ac::client_errc::request_timeout)
                    ++timed_out;
                else if (o.ec == ac::client_errc::too_many_requests)
                    ++refused;
                else {
                    ++other;
                    other_errors += o.ec.message() + " (" + o.diag.message() + "); ";
                }
                ++done;
            };
            auto ex = co_await asio::this_coro::executor;
            for (int i = 0; i < requests; ++i) asio::co_spawn(ex, one(i), asio::detached);
            while (done < requests) {
                const auto st = session.stats();
                peak_held = std::max(peak_held, st.connection_in_flight + st.connection_orphaned);
                peak_queued = std::max(peak_queued, st.connection_queued);
                co_await sleep_for(1ms);
            }
            // The stuck connection retires (its ids all orphaned) and a new one serves.
            recovered = co_await wait_until(
                [&] { return session.stats().connections_replaced >= 1 && session.stats().open_connections == 2; },
                10s);
            int served = 0;
            for (int i = 0; i < 20; ++i) {
                auto o = co_await attempt(session, ac::statement("SELECT after"));
                if (!o.ec) ++served;
            }
            recovered = recovered && served == 20;
            replaced = session.stats().connections_replaced;
            ticking = false;
            co_await session.close();
            co_await cluster.close();
        },
        60s);
    std::printf(
        "[ figure ] stuck reader: %d ok, %d timed out, %d refused at once; peak held %zu ids, %zu queued; "
        "slowest %.0f ms; longest loop gap %.1f ms\n",
        ok, timed_out, refused, peak_held, peak_queued, ms(slowest), ms(max_gap));
    EXPECT_EQ(done, requests);
    EXPECT_EQ(other, 0) << other_errors;
    EXPECT_GT(ok, 0) << "node 2 must keep answering";
    EXPECT_GT(timed_out, 0) << "requests to the stuck node time out";
    EXPECT_GT(refused, 0) << "beyond the limits the client refuses rather than buffers";
    // The memory bound: ids (in flight or orphaned) per connection, and the session's queue.
    EXPECT_LE(peak_held, 2 * per_connection);
    EXPECT_LE(peak_queued, queued);
    EXPECT_LT(slowest, 800ms + 1s) << "no request outlives its timeout by much";
    EXPECT_LT(max_gap, 250ms) << "the event loop stalled";
    EXPECT_TRUE(recovered) << "the stuck connection was not replaced (replaced: " << replaced << ")";
}

TEST(wire_faults, a_half_closed_socket) {
    sim_env env;
    cql_sim::rule slow;
    slow.query = "SELECT slow";
    slow.fault.kind = cql_sim::fault_kind::stall;
    env.sim.add_rule(slow);
    outcome in_flight;
    bool reconnected = false, answered = false;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.request_timeout = 10s;
        cfg.reconnection.base_delay = 100ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        CO_ASSERT(co_await wait_until([&] { return session.stats().open_connections == 1; }));
        const auto accepted = env.sim.stats().connections_accepted;
        bool finished = false;
        auto wait_slow = [&]() -> asio::awaitable<void> {
            in_flight = co_await attempt(session, ac::statement("SELECT slow"));
            finished = true;
        };
        asio::co_spawn(co_await asio::this_coro::executor, wait_slow(), asio::detached);
        CO_ASSERT(co_await wait_until([&] { return session.stats().connection_in_flight == 1; }));
        CO_ASSERT(env.sim.half_close() >= 1);
        CO_ASSERT(co_await wait_until([&] { return finished; }, 12s));
        reconnected = co_await wait_until(
            [&] { return env.sim.stats().connections_accepted > accepted && session.stats().open_connections == 1; },
            5s);
        auto o = co_await attempt(session, ac::statement("SELECT fine"));
        answered = !o.ec;
        co_await session.close();
        co_await cluster.close();
    });
    EXPECT_TRUE(in_flight.ec) << "the request cannot have been answered";
    EXPECT_NE(in_flight.ec, make_error_code(ac::client_errc::request_timeout)) << "it waited for its timeout";
    EXPECT_LT(in_flight.took, 2s) << in_flight.ec.message();
    EXPECT_TRUE(reconnected);
    EXPECT_TRUE(answered);
}

namespace {

// The process's peak resident set so far, in KiB.
long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

pr::byte_buffer rows_claiming(std::int32_t columns, int tuple_depth) {
    pr::byte_buffer body;
    pr::byte_writer w(body);
    w.i32(2);       // Rows
    w.i32(0x0001);  // global table spec
    w.i32(columns);
    w.string("ks");
    w.string("t");
    // As many columns as fit in 64 KiB: each a tuple nested `tuple_depth` deep.
    for (int c = 0; body.size() < 64 * 1024; ++c) {
        w.string("c");
        for (int d = 0; d < tuple_depth; ++d) {
            w.u16(0x0031);  // tuple
            w.u16(1);
        }
        w.u16(0x0009);  // int
    }
    return body;
}

}  // namespace

TEST(wire_faults, oversized_metadata_within_a_memory_bound) {
    sim_env env;
    struct claim {
        const char* query;
        std::int32_t columns;
        int depth;
        const char* says;
    };
    const claim claims[] = {{"SELECT huge", 0x7fffffff, 0, "limit"}, {"SELECT nested", 65535, 8, "cannot fit"}};
    for (const auto& c : claims) {
        cql_sim::rule r;
        r.query = c.query;
        r.fault.kind = cql_sim::fault_kind::body;
        r.fault.answer = pr::opcode::result;
        r.fault.raw = rows_claiming(c.columns, c.depth);
        env.sim.add_rule(r);
    }
    std::vector<outcome> outcomes;
    bool served_after = false;
    long grew_kib = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.reconnection.base_delay = 100ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        const auto before = peak_rss_kib();
        for (const auto& c : claims) outcomes.push_back(co_await attempt(session, ac::statement(c.query)));
        grew_kib = peak_rss_kib() - before;
        for (int i = 0; i < 50 && !served_after; ++i) {
            auto o = co_await attempt(session, ac::statement("SELECT fine"));
            served_after = !o.ec;
            if (!served_after) co_await sleep_for(100ms);
        }
        co_await session.close();
        co_await cluster.close();
    });
    ASSERT_EQ(outcomes.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& o = outcomes[i];
        EXPECT_EQ(o.ec, make_error_code(ac::client_errc::protocol_violation))
            << o.ec.message() << ": " << o.diag.message();
        EXPECT_NE(o.diag.message().find(claims[i].says), std::string::npos) << o.diag.message();
    }
    std::printf("[ figure ] oversized metadata: peak RSS grew by %ld KiB\n", grew_kib);
    EXPECT_LT(grew_kib, 64 * 1024) << "the decoder built far more than it read";
    EXPECT_TRUE(served_after);
}

namespace {

// Queries the sim received so far (with no workload: the control
// connection's refreshes).
std::uint64_t queries(const cql_sim::server& sim) { return sim.stats().requests_of(pr::opcode::query); }

}  // namespace

TEST(event_storm, ten_thousand_events_in_a_second) {
    cql_sim::config sc;
    sc.nodes = 3;
    sim_env env(sc);
    constexpr auto debounce = 200ms;
    std::uint64_t per_refresh = 0, storm_queries = 0, accepted_during = 1;
    int events = 0, answered = 0;
    env.run(
        [&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.event_debounce = debounce;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT(co_await wait_until([&] { return session.stats().open_connections == 3; }));
            co_await sleep_for(2 * debounce);
            // One event: what one refresh costs.
            auto q0 = queries(env.sim);
            CO_ASSERT(env.sim.push_event(pr::topology_change_event{"NEW_NODE", {"127.0.0.3", env.sim.port()}}) == 1);
            co_await sleep_for(3 * debounce);
            per_refresh = queries(env.sim) - q0;
            CO_ASSERT(per_refresh >= 1);
            // 10,000 events over a second, 100 every 10 ms, with a request between.
            const auto accepted = env.sim.stats().connections_accepted;
            q0 = queries(env.sim);
            for (int tick = 0; tick < 100; ++tick) {
                for (int j = 0; j < 100; ++j, ++events) {
                    const auto node = "127.0.0." + std::to_string(2 + j % 2);
                    if (j % 3 == 0)
                        env.sim.push_event(pr::topology_change_event{"NEW_NODE", {node, env.sim.port()}});
                    else
                        env.sim.push_event(pr::status_change_event{j % 3 == 1 ? "UP" : "DOWN", {node, env.sim.port()}});
                }
                auto o = co_await attempt(session, ac::statement("SELECT during"));
                if (!o.ec) ++answered;
                co_await sleep_for(10ms);
            }
            co_await sleep_for(3 * debounce);
            storm_queries = queries(env.sim) - q0 - 100;  // less the requests of the test itself
            accepted_during = env.sim.stats().connections_accepted - accepted;
            co_await session.close();
            co_await cluster.close();
        },
        60s);
    const auto refreshes = static_cast<double>(storm_queries) / static_cast<double>(per_refresh);
    std::printf("[ figure ] event storm: %d events, %.1f refreshes (%llu queries, %llu per refresh)\n", events,
                refreshes, static_cast<unsigned long long>(storm_queries),
                static_cast<unsigned long long>(per_refresh));
    EXPECT_EQ(events, 10000);
    EXPECT_EQ(answered, 100) << "requests during the storm";
    // The storm lasts about 1 s (more on a loaded machine): one refresh per
    // 5 windows at most, plus the trailing one, plus one for slack.
    EXPECT_GE(storm_queries, per_refresh) << "the events must lead to a refresh";
    EXPECT_LE(storm_queries, 4 * per_refresh) << "refreshes were not debounced";
    EXPECT_EQ(accepted_during, 0u) << "events about healthy nodes opened connections";
}

TEST(event_storm, a_node_flapping_every_100ms) {
    cql_sim::config sc;
    sc.nodes = 3;
    sim_env env(sc);
    constexpr auto debounce = 200ms;
    constexpr auto base_delay = 200ms;
    constexpr auto flapping = 3s;
    int ok = 0, failed = 0, flaps = 0;
    std::string errors;
    std::uint64_t node2_connections = 0, storm_queries = 0;
    env.run(
        [&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.event_debounce = debounce;
            cfg.reconnection.base_delay = base_delay;
            cfg.reconnection.max_delay = 1600ms;
            cfg.request_timeout = 2s;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT(co_await wait_until([&] { return session.stats().open_connections == 3; }));
            const auto accepted = env.sim.stats().nodes[1].connections_accepted;
            const auto q0 = queries(env.sim);
            bool flapping_on = true;
            auto flap = [&]() -> asio::awaitable<void> {
                const auto until = clock::now() + flapping;
                while (clock::now() < until) {
                    env.sim.reset_connections(1);
                    env.sim.push_event(pr::status_change_event{"DOWN", {"127.0.0.2", env.sim.port()}});
                    co_await sleep_for(50ms);
                    env.sim.push_event(pr::status_change_event{"UP", {"127.0.0.2", env.sim.port()}});
                    co_await sleep_for(50ms);
                    ++flaps;
                }
                flapping_on = false;
            };
            asio::co_spawn(co_await asio::this_coro::executor, flap(), asio::detached);
            int sent = 0;
            while (flapping_on) {
                ac::statement st("SELECT work");
                st.set_idempotent(true);
                auto o = co_await attempt(session, st);
                ++sent;
                if (!o.ec)
                    ++ok;
                else {
                    ++failed;
                    errors += o.ec.message() + " (" + o.diag.message() + "); ";
                }
                co_await sleep_for(2ms);
            }
            node2_connections = env.sim.stats().nodes[1].connections_accepted - accepted;
            storm_queries = queries(env.sim) - q0 - static_cast<std::uint64_t>(sent);
            co_await session.close();
            co_await cluster.close();
        },
        60s);
    std::printf(
        "[ figure ] flapping: %d flaps, %d ok, %d failed, %llu connections to the flapping node, %llu "
        "refresh queries\n",
        flaps, ok, failed, static_cast<unsigned long long>(node2_connections),
        static_cast<unsigned long long>(storm_queries));
    EXPECT_GE(flaps, 20);
    EXPECT_GT(ok, 100);
    EXPECT_EQ(failed, 0) << errors;
    // Backoff: delays from [d/2, d], d = 200 ms doubling to 1.6 s; UP events
    // skip a wait at most once per base_delay. 3 s of flapping allow at most
    // 3 s / (base_delay / 2) attempts even if every wait were cut short.
    EXPECT_LE(node2_connections, 30u) << "reconnection storm";
    EXPECT_GE(node2_connections, 1u) << "the pool must keep trying";
    // Debounced: one refresh per 5 windows (1 s) at most, plus the trailing
    // one; a refresh is a handful of queries (fewer than 10).
    EXPECT_LE(storm_queries, 6u * 10u) << "refreshes were not debounced";
}

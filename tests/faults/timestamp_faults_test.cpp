// Client-side timestamps (timestamps.hpp) as cql-sim receives them: every
// QUERY, EXECUTE and BATCH carries one, strictly increasing; a request's
// retries and speculative executions carry its first attempt's; a
// statement's own wins; server_side_timestamps sends none; a clock that
// steps back keeps the order and warns once. The generator alone, and
// under threads, at the end.
#include "fault_env.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <thread>
#include <vector>

using namespace fault_env;

namespace {

cql_sim::config recording(int nodes = 1) {
    cql_sim::config sc;
    sc.nodes = nodes;
    sc.record_timestamps = true;
    return sc;
}

// The timestamps recorded from the `from`th statement on.
std::vector<std::optional<std::int64_t>> since(const cql_sim::server& sim, std::size_t from) {
    const auto& all = sim.stats().timestamps;
    return {all.begin() + static_cast<std::ptrdiff_t>(std::min(from, all.size())), all.end()};
}

std::int64_t clock_now() { return ac::monotonic_timestamp_generator::system_now(); }

}  // namespace

TEST(timestamps, every_statement_carries_one_strictly_increasing_from_the_clock) {
    sim_env env(recording());
    cql_sim::rule var;
    var.query = "INSERT INTO t (k) VALUES (?)";
    var.variables = {cql_sim::column("k", ac::type_id::int_)};
    env.sim.add_rule(var);
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto prepared = co_await session.prepare(ac::statement("INSERT INTO t (k) VALUES (?)"));
        const auto from = env.sim.stats().timestamps.size();
        const auto before = clock_now();
        for (int i = 0; i < 20; ++i) (void)co_await session.execute(ac::statement("UPDATE t SET v = 1"));
        for (int i = 0; i < 20; ++i) (void)co_await session.execute(prepared.bind(i));
        ac::batch b;
        b.add(prepared.bind(1));
        for (int i = 0; i < 5; ++i) (void)co_await session.execute(b);
        const auto after = clock_now();
        const auto got = since(env.sim, from);
        EXPECT_EQ(got.size(), 45u);
        std::int64_t last = 0;
        for (const auto& ts : got) {
            CO_ASSERT(ts.has_value());
            EXPECT_GT(*ts, last);
            EXPECT_GE(*ts, before);
            EXPECT_LE(*ts, after + 45);  // + 1 per request when the clock did not tick in between
            last = *ts;
        }
        co_await cluster.close();
    });
}

TEST(timestamps, a_retry_and_a_speculative_execution_write_with_the_first_attempts) {
    sim_env env(recording(2));
    // The first attempt is refused as overloaded: the request moves to the other host.
    pr::error_response busy;
    busy.code = pr::error_codes::overloaded;
    busy.message = "busy";
    auto refuse = cql_sim::error_rule("UPDATE retried", busy);
    refuse.max_hits = 1;
    env.sim.add_rule(refuse);
    // The first execution answers after 300 ms: a second starts after 20 ms.
    cql_sim::rule slow;
    slow.query = "UPDATE raced";
    slow.delay = 300ms;
    slow.max_hits = 1;
    env.sim.add_rule(slow);
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.speculation = ac::speculative_execution{20ms, 2};
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        // Pools on both nodes (node 1 also holds the control connection).
        CO_ASSERT(
            co_await wait_until([&] { return env.sim.open_connections(0) >= 2 && env.sim.open_connections(1) >= 1; }));
        co_await sleep_for(100ms);  // their handshakes

        auto from = env.sim.stats().timestamps.size();
        (void)co_await session.execute(ac::statement("UPDATE retried"));
        auto got = since(env.sim, from);
        CO_ASSERT(got.size() == 2u);
        CO_ASSERT(got[0].has_value());
        EXPECT_EQ(got[0], got[1]) << "the retry wrote with a timestamp of its own";

        from = env.sim.stats().timestamps.size();
        auto raced = ac::statement("UPDATE raced");
        raced.set_idempotent();
        (void)co_await session.execute(raced);
        got = since(env.sim, from);
        CO_ASSERT(got.size() == 2u);
        CO_ASSERT(got[0].has_value());
        EXPECT_EQ(got[0], got[1]) << "the speculative execution wrote with a timestamp of its own";
        co_await cluster.close();
    });
}

TEST(timestamps, a_statements_own_wins_and_server_side_timestamps_send_none) {
    sim_env env(recording());
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto from = env.sim.stats().timestamps.size();
        auto own = ac::statement("UPDATE t SET v = 1");
        own.set_default_timestamp(12345);
        (void)co_await session.execute(own);
        auto got = since(env.sim, from);
        CO_ASSERT(got.size() == 1u);
        EXPECT_EQ(got[0], std::optional<std::int64_t>(12345));
        co_await cluster.close();

        auto server_side = env.client_config();
        server_side.timestamps = std::make_shared<ac::server_side_timestamps>();
        auto cluster2 = co_await ac::cluster::connect(server_side);
        auto session2 = co_await cluster2.open_session();
        from = env.sim.stats().timestamps.size();
        (void)co_await session2.execute(ac::statement("UPDATE t SET v = 1"));
        got = since(env.sim, from);
        CO_ASSERT(got.size() == 1u);
        EXPECT_FALSE(got[0].has_value()) << *got[0];
        co_await cluster2.close();
    });
}

TEST(timestamps, a_clock_stepped_back_keeps_the_order_and_warns_once) {
    sim_env env(recording());
    std::atomic<std::int64_t> fake{clock_now()};
    std::vector<std::chrono::microseconds> warnings;
    auto gen = std::make_shared<ac::monotonic_timestamp_generator>(
        ac::monotonic_timestamp_generator::settings{std::chrono::seconds(1), std::chrono::hours(1)},
        [&](std::chrono::microseconds drift) { warnings.push_back(drift); }, [&] { return fake.load(); });
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.timestamps = gen;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        const auto from = env.sim.stats().timestamps.size();
        const auto start = fake.load();
        (void)co_await session.execute(ac::statement("UPDATE t SET v = 1"));
        fake -= 10'000'000;  // the clock steps back 10 s
        for (int i = 0; i < 100; ++i) (void)co_await session.execute(ac::statement("UPDATE t SET v = 1"));
        const auto got = since(env.sim, from);
        CO_ASSERT(got.size() == 101u);
        EXPECT_EQ(got[0], std::optional<std::int64_t>(start));
        for (std::size_t i = 1; i < got.size(); ++i)
            EXPECT_EQ(got[i], std::optional<std::int64_t>(start + static_cast<std::int64_t>(i)));
        CO_ASSERT(warnings.size() == 1u);  // the 100 behind the clock warn once per interval
        EXPECT_GE(warnings[0].count(), 9'999'000);
        co_await cluster.close();
    });
}

TEST(timestamps, the_generator_from_several_threads_never_repeats_and_each_thread_sees_them_rise) {
    ac::monotonic_timestamp_generator gen;
    constexpr int threads = 4, each = 50'000;
    std::vector<std::vector<std::int64_t>> got(threads);
    {
        std::vector<std::jthread> workers;
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                got[t].reserve(each);
                for (int i = 0; i < each; ++i) got[t].push_back(*gen.next());
            });
    }
    std::set<std::int64_t> all;
    for (const auto& g : got) {
        EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));
        EXPECT_EQ(std::adjacent_find(g.begin(), g.end()), g.end());
        all.insert(g.begin(), g.end());
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * each));
}

TEST(timestamps, the_drift_warning_comes_once_per_interval) {
    std::int64_t now = 5'000'000'000;
    int warned = 0;
    ac::monotonic_timestamp_generator gen(
        {std::chrono::microseconds(100), std::chrono::milliseconds(0)}, [&](std::chrono::microseconds) { ++warned; },
        [&] { return now; });
    (void)gen.next();
    for (int i = 0; i < 100; ++i) (void)gen.next();  // the clock stands still: 100 µs ahead at most
    EXPECT_EQ(warned, 0);
    for (int i = 0; i < 10; ++i) (void)gen.next();  // now more than 100 µs ahead, interval 0: each warns
    EXPECT_EQ(warned, 10);
    EXPECT_EQ(gen.next(), std::optional<std::int64_t>(now + 111));
    now += 1'000;  // the clock overtakes: timestamps follow it again
    EXPECT_EQ(gen.next(), std::optional<std::int64_t>(now));
}

// Client-side timestamps against the node: concurrent writes from one client
// apply in the order they were started, over several connections; the
// write time the node stores is the client's; a statement's own timestamp
// wins; a client clock that steps back does not reorder writes.
#include "test_env.hpp"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <memory>

namespace ac = async_cassandra;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {

std::int64_t clock_now() { return ac::monotonic_timestamp_generator::system_now(); }

awaitable<void> make_table(ac::session& s) {
    co_await s.execute(
        "CREATE KEYSPACE IF NOT EXISTS ac_ts WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    co_await s.execute("CREATE TABLE IF NOT EXISTS ac_ts.t (k int PRIMARY KEY, v int)");
}

// v and WRITETIME(v) of row k.
awaitable<std::pair<std::int32_t, std::int64_t>> read(ac::session& s, std::int32_t k) {
    auto st = ac::statement("SELECT v, WRITETIME(v) FROM ac_ts.t WHERE k = ?");
    st.bind(k);
    st.set_consistency(ac::consistency::one);
    auto rs = co_await s.execute(st);
    CO_ASSERT(rs.size() == 1u);
    co_return std::pair{rs.first_row().get<std::int32_t>(0), rs.first_row().get<std::int64_t>(1)};
}

}  // namespace

TEST(timestamps, concurrent_writes_from_one_client_apply_in_the_order_they_started) {
    for (const int version : {5, 4}) {
        test_env::run([version]() -> awaitable<void> {
            auto cfg = test_env::config(version);
            cfg.connections_per_host = 4;  // the writes spread over 4 connections
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            co_await make_table(session);
            constexpr int writes = 400;
            const std::int32_t k = version;
            const auto before = clock_now();
            auto left = std::make_shared<int>(writes);
            auto failed = std::make_shared<int>(0);
            for (int i = 1; i <= writes; ++i)
                session.async_execute(ac::statement("UPDATE ac_ts.t SET v = ? WHERE k = ?").bind(i, k),
                                      [left, failed](ac::error_code ec, ac::result_set) {
                                          if (ec) ++*failed;
                                          --*left;
                                      });
            asio::steady_timer t(co_await asio::this_coro::executor);
            while (*left > 0) {
                t.expires_after(5ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            const auto after = clock_now();
            EXPECT_EQ(*failed, 0);
            const auto [v, written] = co_await read(session, k);
            EXPECT_EQ(v, writes) << "v" << version << ": a write started earlier won";
            EXPECT_GE(written, before) << "the write time is not the client's";
            EXPECT_LE(written, after + writes);
            co_await cluster.close();
        });
    }
}

TEST(timestamps, a_statements_own_timestamp_wins_over_the_generator) {
    test_env::run([]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto session = co_await cluster.open_session();
        co_await make_table(session);
        // A key of this run's own: earlier runs' writes with these fixed
        // timestamps must not decide the outcome.
        const auto k = static_cast<std::int32_t>(clock_now() % 1'000'000'000) + 100;
        auto first = ac::statement("UPDATE ac_ts.t SET v = 1 WHERE k = ?");
        first.bind(k).set_default_timestamp(2'000'000);
        co_await session.execute(first);
        auto older = ac::statement("UPDATE ac_ts.t SET v = 2 WHERE k = ?");
        older.bind(k).set_default_timestamp(1'000'000);  // written later, but older: it loses
        co_await session.execute(older);
        const auto [v, written] = co_await read(session, k);
        EXPECT_EQ(v, 1);
        EXPECT_EQ(written, 2'000'000);
        co_await cluster.close();
    });
}

TEST(timestamps, a_client_clock_that_steps_back_does_not_reorder_writes) {
    test_env::run([]() -> awaitable<void> {
        auto fake = std::make_shared<std::atomic<std::int64_t>>(clock_now());
        auto warnings = std::make_shared<std::atomic<int>>(0);
        auto cfg = test_env::config();
        cfg.timestamps = std::make_shared<ac::monotonic_timestamp_generator>(
            ac::monotonic_timestamp_generator::settings{}, [warnings](std::chrono::microseconds) { ++*warnings; },
            [fake] { return fake->load(); });
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        co_await make_table(session);
        co_await session.execute("UPDATE ac_ts.t SET v = 1 WHERE k = 11");
        const auto [v1, t1] = co_await read(session, 11);
        EXPECT_EQ(v1, 1);
        *fake -= 60'000'000;  // a minute back
        co_await session.execute("UPDATE ac_ts.t SET v = 2 WHERE k = 11");
        const auto [v2, t2] = co_await read(session, 11);
        EXPECT_EQ(v2, 2) << "the later write lost to the earlier one";
        EXPECT_GT(t2, t1);
        EXPECT_EQ(warnings->load(), 1);
        co_await cluster.close();
    });
}

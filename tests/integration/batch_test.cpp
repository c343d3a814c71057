// Batches against the real node, on v5 and v4: logged and unlogged with
// simple and prepared statements mixed, counters, conditions, options, and
// UNPREPARED inside a batch.
#include "stmt_env.hpp"

namespace ac = async_cassandra;
using asio::awaitable;
using namespace std::chrono_literals;
using stmt_env::setup;
using stmt_env::thrown;

class batches : public ::testing::TestWithParam<int> {
protected:
    int version() const { return GetParam(); }
    std::string ks() const { return "ac_stmt_batch_v" + std::to_string(GetParam()); }
};

TEST_P(batches, logged_and_unlogged_mix_simple_and_prepared_statements) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "mixed (k int, c int, v text, PRIMARY KEY (k, c))");
        auto& s = c.session;
        auto ins = co_await s.prepare("INSERT INTO mixed (k, c, v) VALUES (?, ?, ?)");
        ac::batch logged;
        logged.add(ac::statement("INSERT INTO mixed (k, c, v) VALUES (?, ?, ?)").bind(1, 1, std::string("simple")))
            .add(ins.bind(1, 2, "prepared"))
            .add(ac::statement("INSERT INTO mixed (k, c, v) VALUES (1, 3, 'literal')"))
            .add(ins.bind(2, 1, "other partition"))
            .set_default_timestamp(42)
            .set_consistency(ac::consistency::one)
            .set_timeout(10s)
            .set_idempotent();
        auto rs = co_await s.execute(logged);
        EXPECT_EQ(rs.kind(), ac::result_kind::void_);
        EXPECT_TRUE(rs.was_applied());

        auto rows = co_await s.execute("SELECT k, c, v, WRITETIME(v) FROM mixed");
        CO_ASSERT(rows.size() == 4u);
        for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows.row(i).get<std::int64_t>(3), 42);
        auto one = co_await s.execute("SELECT v FROM mixed WHERE k = 1 AND c = 2");
        EXPECT_EQ(one.first_row().get<std::string>(0), "prepared");

        auto del = co_await s.prepare("DELETE FROM mixed WHERE k = ? AND c = ?");
        ac::batch unlogged(ac::batch_type::unlogged);
        unlogged.add(del.bind(1, 1)).add(ac::statement("UPDATE mixed SET v = 'changed' WHERE k = 2 AND c = 1"));
        co_await s.execute(unlogged);
        rows = co_await s.execute("SELECT k, c, v FROM mixed");
        EXPECT_EQ(rows.size(), 3u);
        auto changed = co_await s.execute("SELECT v FROM mixed WHERE k = 2 AND c = 1");
        EXPECT_EQ(changed.first_row().get<std::string>(0), "changed");
        co_await c.cluster.close();
    });
}

TEST_P(batches, counter_batch) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "counted (k int PRIMARY KEY, n counter)");
        auto& s = c.session;
        auto inc = co_await s.prepare("UPDATE counted SET n = n + ? WHERE k = ?");
        ac::batch b(ac::batch_type::counter);
        b.add(inc.bind(std::int64_t{10}, 1))
            .add(inc.bind(std::int64_t{3}, 1))
            .add(ac::statement("UPDATE counted SET n = n + 5 WHERE k = 2"));
        co_await s.execute(b);
        co_await s.execute(b);
        auto rs = co_await s.execute("SELECT k, n FROM counted");
        CO_ASSERT(rs.size() == 2u);
        for (std::size_t i = 0; i < rs.size(); ++i)
            EXPECT_EQ(rs.row(i).get<std::int64_t>("n"), rs.row(i).get<std::int32_t>("k") == 1 ? 26 : 10);
        // Counters in a logged batch are the server's error.
        ac::batch wrong;
        wrong.add(inc.bind(std::int64_t{1}, 1));
        auto e = co_await thrown<ac::invalid_query_error>([&]() -> awaitable<void> { co_await s.execute(wrong); });
        EXPECT_TRUE(e);
        co_await c.cluster.close();
    });
}

TEST_P(batches, conditional_batch_reports_whether_it_applied) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "cond (k int, c int, v text, PRIMARY KEY (k, c))");
        auto& s = c.session;
        auto ins = co_await s.prepare("INSERT INTO cond (k, c, v) VALUES (?, ?, ?) IF NOT EXISTS");
        auto make = [&](const char* v) {
            ac::batch b;
            b.add(ins.bind(1, 1, v)).add(ins.bind(1, 2, v)).set_serial_consistency(ac::consistency::local_serial);
            return b;
        };
        auto first = co_await s.execute(make("first"));
        EXPECT_TRUE(first.was_applied());
        auto second = co_await s.execute(make("second"));
        EXPECT_FALSE(second.was_applied());
        CO_ASSERT(second.size() >= 1u);
        EXPECT_EQ(second.first_row().get<std::string>("v"), "first");
        co_await c.cluster.close();
    });
}

TEST_P(batches, unprepared_statement_in_a_batch_is_reprepared) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "again (k int PRIMARY KEY, v int)");
        auto& s = c.session;
        auto ins = co_await s.prepare("INSERT INTO again (k, v) VALUES (?, ?)");
        auto upd = co_await s.prepare("UPDATE again SET v = ? WHERE k = ?");
        co_await s.execute(ins.bind(1, 1));
        co_await s.execute("DROP TABLE again");
        co_await s.execute("CREATE TABLE again (k int PRIMARY KEY, v int)");
        const auto before = c.cluster.prepared_stats();
        ac::batch b;
        b.add(ins.bind(2, 2)).add(ac::statement("INSERT INTO again (k, v) VALUES (3, 3)")).add(upd.bind(4, 4));
        co_await s.execute(b);
        const auto after = c.cluster.prepared_stats();
        // Each UNPREPARED names one statement; the retry then meets the other.
        EXPECT_EQ(after.reprepares - before.reprepares, 2u);
        auto rs = co_await s.execute("SELECT k, v FROM again");
        EXPECT_EQ(rs.size(), 3u);
        co_await c.cluster.close();
    });
}

TEST_P(batches, keyspace_per_batch) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "where_ks (k int PRIMARY KEY, v int)");
        ac::batch b;
        b.add(ac::statement("INSERT INTO where_ks (k, v) VALUES (1, 1)")).set_keyspace(ks());
        if (version() >= 5) {
            co_await c.admin.execute(b);
            auto rs = co_await c.session.execute("SELECT v FROM where_ks WHERE k = 1");
            EXPECT_EQ(rs.size(), 1u);
        } else {
            auto e = co_await thrown<ac::invalid_request_error>(
                [&]() -> awaitable<void> { co_await c.admin.execute(b); });
            EXPECT_TRUE(e);
        }
        auto empty = co_await thrown<ac::invalid_request_error>(
            [&]() -> awaitable<void> { co_await c.session.execute(ac::batch()); });
        EXPECT_TRUE(empty);
        co_await c.cluster.close();
    });
}

INSTANTIATE_TEST_SUITE_P(protocols, batches, ::testing::Values(5, 4),
                         [](const ::testing::TestParamInfo<int>& i) { return "v" + std::to_string(i.param); });

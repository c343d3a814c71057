// Prepared statements, per-statement options, named values, LWT, counters,
// tracing and error classes against the real node, on v5 and v4.
#include "stmt_env.hpp"

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace ac = async_cassandra;
using asio::awaitable;
using namespace std::chrono_literals;
using stmt_env::setup;
using stmt_env::thrown;

class prepared : public ::testing::TestWithParam<int> {
protected:
    int version() const { return GetParam(); }
    std::string ks() const { return "ac_stmt_prep_v" + std::to_string(GetParam()); }
};

TEST_P(prepared, prepare_and_execute_with_every_option) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "opts (k int, c int, v text, PRIMARY KEY (k, c))");
        auto& s = c.session;
        auto ins = co_await s.prepare(ac::statement("INSERT INTO opts (k, c, v) VALUES (?, ?, ?) USING TTL 1000")
                                          .set_idempotent()
                                          .set_consistency(ac::consistency::one));
        CO_ASSERT(ins.variables().size() == 3u);
        EXPECT_EQ(ins.variables()[0].name, "k");
        EXPECT_EQ(ins.variables()[2].type.id, ac::type_id::varchar);
        EXPECT_EQ(ins.partition_key_indexes(), std::vector<std::uint16_t>{0});
        EXPECT_FALSE(ins.id().empty());
        EXPECT_EQ(ins.result_metadata_id().empty(), version() < 5);
        for (std::int32_t i = 0; i < 10; ++i) {
            auto b = ins.bind(1, i, "v" + std::to_string(i));
            EXPECT_TRUE(b.is_idempotent());
            EXPECT_EQ(b.get_consistency(), ac::consistency::one);
            b.set_default_timestamp(1'000'000 + i).set_timeout(10s).set_custom_payload({{"ac-test", {std::byte{1}}}});
            auto rs = co_await s.execute(b);
            EXPECT_EQ(rs.kind(), ac::result_kind::void_);
        }

        auto sel = co_await s.prepare("SELECT c, v, WRITETIME(v) AS wt FROM opts WHERE k = ?");
        CO_ASSERT(sel.result_columns().size() == 3u);
        EXPECT_EQ(sel.result_columns()[2].name, "wt");
        // Pages of 3, resumed by paging state: 10 rows in 4 pages.
        auto page = sel.bind(1).set_page_size(3).set_consistency(ac::consistency::local_quorum);
        std::vector<std::int32_t> seen;
        int pages = 0;
        for (;;) {
            auto rs = co_await s.execute(page);
            ++pages;
            EXPECT_EQ(rs.columns().size(), 3u);
            for (std::size_t i = 0; i < rs.size(); ++i) {
                const auto ci = rs.row(i).get<std::int32_t>("c");
                seen.push_back(ci);
                EXPECT_EQ(rs.row(i).get<std::string>("v"), "v" + std::to_string(ci));
                EXPECT_EQ(rs.row(i).get<std::int64_t>("wt"), 1'000'000 + ci);
            }
            if (!rs.has_more_pages()) break;
            page.set_paging_state(*rs.paging_state());
        }
        EXPECT_EQ(pages, 4);
        EXPECT_EQ(seen, (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));

        // Serial consistency for a conditional update.
        auto cas = co_await s.prepare("UPDATE opts SET v = ? WHERE k = ? AND c = ? IF v = ?");
        auto applied = co_await s.execute(
            cas.bind("changed", 1, 0, "v0").set_serial_consistency(ac::consistency::local_serial));
        EXPECT_TRUE(applied.was_applied());

        // Tracing: the result names the trace.
        auto traced = co_await s.execute(sel.bind(1).set_tracing());
        EXPECT_TRUE(traced.tracing_id().has_value());
        auto untraced = co_await s.execute(sel.bind(1));
        EXPECT_FALSE(untraced.tracing_id().has_value());

        // now_in_seconds (v5): far enough ahead, every TTL has expired; only
        // the row the conditional update rewrote without a TTL is left.
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        auto later = sel.bind(1).set_now_in_seconds(static_cast<std::int32_t>(now + 5000));
        if (version() >= 5) {
            auto expired = co_await s.execute(later);
            CO_ASSERT(expired.size() == 1u);
            EXPECT_EQ(expired.first_row().get<std::string>("v"), "changed");
            auto current = co_await s.execute(sel.bind(1).set_now_in_seconds(static_cast<std::int32_t>(now)));
            EXPECT_EQ(current.size(), 10u);
        } else {
            auto e = co_await thrown<ac::invalid_request_error>(
                [&]() -> awaitable<void> { co_await s.execute(later); });
            CO_ASSERT(e);
            EXPECT_NE(std::string(e->what()).find("v5"), std::string::npos) << e->what();
        }

        // Keyspace per statement: v5 prepares in it; v4 cannot.
        auto in_ks = ac::statement("SELECT v FROM opts WHERE k = 1 AND c = 1").set_keyspace(ks());
        if (version() >= 5) {
            auto other = co_await c.admin.prepare(in_ks);
            EXPECT_EQ(other.keyspace(), ks());
            auto rs = co_await c.admin.execute(other.bind());
            EXPECT_EQ(rs.first_row().get<std::string>(0), "v1");
            auto simple = co_await c.admin.execute(in_ks);
            EXPECT_EQ(simple.first_row().get<std::string>(0), "v1");
        } else {
            auto e = co_await thrown<ac::invalid_request_error>(
                [&]() -> awaitable<void> { (void)co_await c.admin.prepare(in_ks); });
            EXPECT_TRUE(e);
            e = co_await thrown<ac::invalid_request_error>(
                [&]() -> awaitable<void> { (void)co_await c.admin.execute(in_ks); });
            EXPECT_TRUE(e);
        }
        co_await c.cluster.close();
    });
}

TEST_P(prepared, concurrent_prepares_of_one_text_send_one_prepare) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "conc (k int PRIMARY KEY, v int)");
        const auto before = c.cluster.prepared_stats();
        const std::string query = "SELECT v FROM conc WHERE k = ?";
        constexpr int n = 50;
        int done = 0, failed = 0;
        std::vector<std::vector<std::byte>> ids;
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
        for (int i = 0; i < n; ++i) {
            c.session.async_prepare(query, [&](ac::error_code ec, ac::prepared_statement ps) {
                if (ec)
                    ++failed;
                else
                    ids.emplace_back(ps.id().begin(), ps.id().end());
                if (++done == n) all_done.cancel();
            });
        }
        ac::error_code ignored;
        co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        EXPECT_EQ(failed, 0);
        CO_ASSERT(ids.size() == static_cast<std::size_t>(n));
        EXPECT_TRUE(std::all_of(ids.begin(), ids.end(), [&](const auto& id) { return id == ids[0]; }));
        auto after = c.cluster.prepared_stats();
        EXPECT_EQ(after.prepare_requests - before.prepare_requests, 1u);
        EXPECT_EQ(after.shared_waits - before.shared_waits, static_cast<std::uint64_t>(n - 1));

        // Later prepares of the same text come from the cache, in any session of the cluster.
        auto again = co_await c.session.prepare(query);
        EXPECT_TRUE(std::ranges::equal(again.id(), ids[0]));
        after = c.cluster.prepared_stats();
        EXPECT_EQ(after.prepare_requests - before.prepare_requests, 1u);
        EXPECT_EQ(after.hits - before.hits, 1u);
        // The same text in another keyspace is another statement.
        auto qualified = co_await c.admin.prepare("SELECT v FROM " + ks() + ".conc WHERE k = ?");
        EXPECT_EQ(c.cluster.prepared_stats().prepare_requests - before.prepare_requests, 2u);
        EXPECT_FALSE(std::ranges::equal(qualified.id(), ids[0]));
        co_await c.cluster.close();
    });
}

TEST_P(prepared, named_values_in_simple_and_prepared_statements) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "named (k int PRIMARY KEY, a text, b int)");
        auto& s = c.session;
        // Simple statement: names in any order, the server matches them.
        co_await s.execute(ac::statement("INSERT INTO named (k, a, b) VALUES (:k, :a, :b)")
                               .bind_named("b", 2)
                               .bind_named("a", std::string("simple"))
                               .bind_named("k", 1));
        // Prepared with named markers.
        auto ins = co_await s.prepare("INSERT INTO named (k, a, b) VALUES (:key, :a, :b)");
        CO_ASSERT(ins.variables().size() == 3u);
        EXPECT_EQ(ins.variables()[0].name, "key");
        co_await s.execute(ins.bind().bind_named("a", "prepared").bind_named("b", 3).bind_named("key", 2));
        // Prepared with ?: markers take the column names.
        auto upd = co_await s.prepare("UPDATE named SET b = ? WHERE k = ?");
        co_await s.execute(upd.bind().bind_named("k", 2).bind_named("b", 30));
        // A marker left unset leaves its column alone.
        co_await s.execute(ins.bind().bind_named("key", 1).bind_named("b", 20));

        auto rs = co_await s.execute("SELECT k, a, b FROM named");
        CO_ASSERT(rs.size() == 2u);
        for (std::size_t i = 0; i < rs.size(); ++i) {
            auto r = rs.row(i);
            if (r.get<std::int32_t>("k") == 1) {
                EXPECT_EQ(r.get<std::string>("a"), "simple");
                EXPECT_EQ(r.get<std::int32_t>("b"), 20);
            } else {
                EXPECT_EQ(r.get<std::string>("a"), "prepared");
                EXPECT_EQ(r.get<std::int32_t>("b"), 30);
            }
        }
        // Names the server does not know are its error.
        auto e = co_await thrown<ac::invalid_query_error>([&]() -> awaitable<void> {
            co_await s.execute(ac::statement("SELECT * FROM named WHERE k = :k").bind_named("nope", 1));
        });
        EXPECT_TRUE(e);
        co_await c.cluster.close();
    });
}

TEST_P(prepared, a_value_of_the_wrong_type_is_refused_before_sending) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "typed (k int PRIMARY KEY, v bigint, l list<text>)");
        auto ins = co_await c.session.prepare("INSERT INTO typed (k, v, l) VALUES (?, ?, ?)");
        try {
            (void)ins.bind(1, std::string("not a bigint"), std::vector<std::string>{});
            ADD_FAILURE() << "bound";
        } catch (const ac::value_error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("'v'"), std::string::npos) << m;
            EXPECT_NE(m.find("bigint"), std::string::npos) << m;
            EXPECT_NE(m.find("std::string"), std::string::npos) << m;
        }
        try {
            (void)ins.bind(1, std::int64_t{2}, std::vector<std::int32_t>{1});
            ADD_FAILURE() << "bound";
        } catch (const ac::value_error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("'l'"), std::string::npos) << m;
            EXPECT_NE(m.find("list<text>"), std::string::npos) << m;
        }
        bool refused = false;  // (EXPECT_THROW does not compile in a coroutine with g++ 12)
        try {
            (void)ins.bind(1, std::int64_t{2});
        } catch (const ac::value_error&) {
            refused = true;
        }
        EXPECT_TRUE(refused) << "two values for three markers";
        const std::vector<std::string> tags{"a"};  // not a braced temporary in a co_await (g++ 12)
        auto rs = co_await c.session.execute(ins.bind(1, std::int64_t{2}, tags));
        EXPECT_EQ(rs.kind(), ac::result_kind::void_);
        co_await c.cluster.close();
    });
}

TEST_P(prepared, select_star_follows_an_added_column) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "altered (k int PRIMARY KEY, a int)");
        auto& s = c.session;
        co_await s.execute("INSERT INTO altered (k, a) VALUES (1, 10)");
        auto sel = co_await s.prepare("SELECT * FROM altered WHERE k = ?");
        EXPECT_EQ(sel.result_columns().size(), 2u);
        auto rs = co_await s.execute(sel.bind(1));
        EXPECT_EQ(rs.columns().size(), 2u);

        co_await s.execute("ALTER TABLE altered ADD b text");
        co_await s.execute("UPDATE altered SET b = 'new' WHERE k = 1");
        // Cassandra 5 forgets statements on an altered table: UNPREPARED, then a re-prepare.
        rs = co_await s.execute(sel.bind(1));
        CO_ASSERT(rs.columns().size() == 3u);
        EXPECT_EQ(rs.first_row().get<std::string>("b"), "new");
        EXPECT_EQ(rs.first_row().get<std::int32_t>("a"), 10);
        if (version() >= 5) {
            // The statement now knows the new columns and their metadata id, and
            // reads later results with them (skip_metadata).
            EXPECT_EQ(sel.result_columns().size(), 3u);
            rs = co_await s.execute(sel.bind(1));
            CO_ASSERT(rs.columns().size() == 3u);
            EXPECT_EQ(rs.first_row().get<std::string>("b"), "new");
            EXPECT_EQ(rs.shared_columns().get(), &sel.result_columns());
        }
        co_await c.cluster.close();
    });
}

TEST_P(prepared, result_metadata_changed_by_another_client) {
    // Client B prepares the statement again after the ALTER, so the node
    // knows it with new result metadata when client A executes it with the
    // old metadata id: v5 answers with metadata_changed and the new columns.
    test_env::run([&]() -> awaitable<void> {
        auto a = co_await setup(version(), ks(), "changed (k int PRIMARY KEY, x int)");
        auto b = co_await setup(version(), ks());
        co_await a.session.execute("INSERT INTO changed (k, x) VALUES (1, 1)");
        const std::string query = "SELECT * FROM changed WHERE k = ?";
        auto sel = co_await a.session.prepare(query);
        const std::vector<std::byte> old_id(sel.result_metadata_id().begin(), sel.result_metadata_id().end());
        auto rs = co_await a.session.execute(sel.bind(1));
        EXPECT_EQ(rs.columns().size(), 2u);

        co_await b.session.execute("ALTER TABLE changed ADD y text");
        co_await b.session.execute("UPDATE changed SET y = 'why' WHERE k = 1");
        auto again = co_await b.session.prepare(query);
        EXPECT_EQ(again.result_columns().size(), 3u);

        const auto before = a.cluster.prepared_stats();
        rs = co_await a.session.execute(sel.bind(1));
        CO_ASSERT(rs.columns().size() == 3u);
        EXPECT_EQ(rs.first_row().get<std::string>("y"), "why");
        EXPECT_EQ(a.cluster.prepared_stats().reprepares, before.reprepares);  // no UNPREPARED
        if (version() >= 5) {
            CO_ASSERT(rs.new_metadata_id());
            EXPECT_FALSE(std::ranges::equal(sel.result_metadata_id(), old_id));
            EXPECT_TRUE(std::ranges::equal(sel.result_metadata_id(), again.result_metadata_id()));
            EXPECT_EQ(sel.result_columns().size(), 3u);
            // The next execution skips the metadata again, now with the new columns.
            rs = co_await a.session.execute(sel.bind(1));
            EXPECT_FALSE(rs.new_metadata_id());
            EXPECT_EQ(rs.shared_columns().get(), &sel.result_columns());
            EXPECT_EQ(rs.first_row().get<std::string>("y"), "why");
        }
        co_await a.cluster.close();
        co_await b.cluster.close();
    });
}

TEST_P(prepared, unprepared_after_the_table_is_recreated_is_reprepared) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "recreated (k int PRIMARY KEY, v int)");
        auto& s = c.session;
        auto ins = co_await s.prepare("INSERT INTO recreated (k, v) VALUES (?, ?)");
        auto sel = co_await s.prepare("SELECT v FROM recreated WHERE k = ?");
        co_await s.execute(ins.bind(1, 1));
        // Dropping the table makes the node forget the statements on it.
        co_await s.execute("DROP TABLE recreated");
        co_await s.execute("CREATE TABLE recreated (k int PRIMARY KEY, v int)");
        const auto before = c.cluster.prepared_stats();
        co_await s.execute(ins.bind(2, 2));
        auto rs = co_await s.execute(sel.bind(2));
        CO_ASSERT(rs.size() == 1u);
        EXPECT_EQ(rs.first_row().get<std::int32_t>(0), 2);
        const auto after = c.cluster.prepared_stats();
        EXPECT_EQ(after.reprepares - before.reprepares, 2u);
        EXPECT_EQ(after.prepare_requests - before.prepare_requests, 2u);
        // Old rows went with the old table.
        auto old = co_await s.execute(sel.bind(1));
        EXPECT_EQ(old.size(), 0u);
        co_await c.cluster.close();
    });
}

TEST_P(prepared, lightweight_transactions_report_whether_they_applied) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "lwt (k int PRIMARY KEY, v text)");
        auto& s = c.session;
        auto first = co_await s.execute("INSERT INTO lwt (k, v) VALUES (1, 'first') IF NOT EXISTS");
        EXPECT_TRUE(first.was_applied());
        auto second = co_await s.execute("INSERT INTO lwt (k, v) VALUES (1, 'second') IF NOT EXISTS");
        EXPECT_FALSE(second.was_applied());
        CO_ASSERT(second.size() == 1u);
        EXPECT_EQ(second.first_row().get<std::string>("v"), "first");

        auto ins = co_await s.prepare("INSERT INTO lwt (k, v) VALUES (?, ?) IF NOT EXISTS");
        for (int round = 0; round < 2; ++round) {  // twice: the second round runs with cached metadata
            const std::int32_t k = 10 + round;
            auto a = co_await s.execute(ins.bind(k, "a"));
            EXPECT_TRUE(a.was_applied());
            auto b = co_await s.execute(ins.bind(k, "b"));
            EXPECT_FALSE(b.was_applied());
            CO_ASSERT(b.size() == 1u);
            EXPECT_EQ(b.first_row().get<std::string>("v"), "a");
            EXPECT_EQ(b.first_row().get<std::int32_t>("k"), k);
        }
        auto upd = co_await s.prepare("UPDATE lwt SET v = ? WHERE k = ? IF v = ?");
        auto no = co_await s.execute(upd.bind("x", 1, "not it").set_serial_consistency(ac::consistency::serial));
        EXPECT_FALSE(no.was_applied());
        EXPECT_EQ(no.first_row().get<std::string>("v"), "first");
        auto yes = co_await s.execute(upd.bind("x", 1, "first"));
        EXPECT_TRUE(yes.was_applied());
        // Not a transaction: nothing to refuse.
        auto plain = co_await s.execute("SELECT v FROM lwt WHERE k = 1");
        EXPECT_TRUE(plain.was_applied());
        EXPECT_EQ(plain.first_row().get<std::string>(0), "x");
        co_await c.cluster.close();
    });
}

TEST_P(prepared, counters_increment) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "counts (k int PRIMARY KEY, n counter)");
        auto& s = c.session;
        auto inc = co_await s.prepare("UPDATE counts SET n = n + ? WHERE k = ?");
        EXPECT_EQ(inc.variables()[0].type.id, ac::type_id::counter);
        co_await s.execute(inc.bind(std::int64_t{2}, 1));
        co_await s.execute(inc.bind(std::int64_t{3}, 1));
        co_await s.execute("UPDATE counts SET n = n + 1 WHERE k = 1");
        co_await s.execute(ac::statement("UPDATE counts SET n = n - ? WHERE k = ?").bind(std::int64_t{10}, 2));
        auto rs = co_await s.execute("SELECT k, n FROM counts");
        CO_ASSERT(rs.size() == 2u);
        for (std::size_t i = 0; i < rs.size(); ++i)
            EXPECT_EQ(rs.row(i).get<std::int64_t>("n"), rs.row(i).get<std::int32_t>("k") == 1 ? 6 : -10);
        co_await c.cluster.close();
    });
}

TEST_P(prepared, tracing_and_the_trace) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "traced (k int PRIMARY KEY, v int)");
        auto& s = c.session;
        auto ins = co_await s.prepare("INSERT INTO traced (k, v) VALUES (?, ?)");
        auto rs = co_await s.execute(ins.bind(1, 1).set_tracing());
        CO_ASSERT(rs.tracing_id());
        auto trace = co_await s.get_trace(*rs.tracing_id(), 20s);
        EXPECT_EQ(trace.id, *rs.tracing_id());
        EXPECT_FALSE(trace.events.empty());
        EXPECT_GT(trace.duration.count(), 0);
        EXPECT_FALSE(trace.request.empty());
        EXPECT_EQ(trace.coordinator.to_string(), test_env::host());
        EXPECT_GT(trace.started_at.time_since_epoch().count(), 0);
        for (const auto& e : trace.events) EXPECT_FALSE(e.activity.empty());

        auto q = co_await s.execute(ac::statement("SELECT v FROM traced WHERE k = 1").set_tracing());
        CO_ASSERT(q.tracing_id());
        auto qt = co_await s.get_trace(*q.tracing_id(), 20s);
        EXPECT_FALSE(qt.events.empty());
        EXPECT_NE(qt.parameters["query"].find("SELECT v FROM traced"), std::string::npos) << qt.parameters["query"];

        // A trace that never comes: request_timeout after the wait.
        auto missing = co_await thrown<ac::request_timeout_error>([&]() -> awaitable<void> {
            (void)co_await s.get_trace(ac::uuid::parse("00000000-0000-1000-8000-000000000000"), 50ms);
        });
        EXPECT_TRUE(missing);
        co_await c.cluster.close();
    });
}

TEST_P(prepared, server_errors_are_thrown_as_their_classes) {
    test_env::run([&]() -> awaitable<void> {
        auto c = co_await setup(version(), ks(), "errs (k int PRIMARY KEY)");
        auto& s = c.session;
        auto syntax = [&]() -> awaitable<void> { co_await s.execute("SELEKT 1"); };
        auto as_class = co_await thrown<ac::syntax_error>(syntax);
        CO_ASSERT(as_class);
        EXPECT_EQ(as_class->code(), ac::server_errc::syntax_error);
        EXPECT_NE(std::string(as_class->what()).find("SELEKT"), std::string::npos) << as_class->what();
        bool caught_as_server = false, caught_as_error = false;
        try {
            co_await syntax();
        } catch (const ac::server_error& e) {
            caught_as_server = dynamic_cast<const ac::syntax_error*>(&e) != nullptr;
        }
        try {
            co_await syntax();
        } catch (const ac::error& e) {
            caught_as_error = dynamic_cast<const ac::syntax_error*>(&e) != nullptr;
            EXPECT_EQ(e.diag().host(), test_env::host() + ":9042");
        }
        EXPECT_TRUE(caught_as_server);
        EXPECT_TRUE(caught_as_error);

        auto bad_prepare = co_await thrown<ac::syntax_error>(
            [&]() -> awaitable<void> { (void)co_await s.prepare("SELEKT * FROM errs"); });
        EXPECT_TRUE(bad_prepare);
        auto no_table = co_await thrown<ac::invalid_query_error>(
            [&]() -> awaitable<void> { (void)co_await s.prepare("SELECT * FROM no_such_table"); });
        EXPECT_TRUE(no_table);
        auto exists = co_await thrown<ac::already_exists_error>(
            [&]() -> awaitable<void> { co_await s.execute("CREATE TABLE errs (k int PRIMARY KEY)"); });
        CO_ASSERT(exists);
        EXPECT_EQ(exists->details().keyspace, ks());
        EXPECT_EQ(exists->details().table, "errs");
        // Values the server cannot use are its invalid_query.
        auto bad_value = co_await thrown<ac::invalid_query_error>([&]() -> awaitable<void> {
            co_await s.execute(ac::statement("INSERT INTO errs (k) VALUES (?)").bind(std::string("x")));
        });
        EXPECT_TRUE(bad_value);
        // The error_code form gets the same code and details.
        ac::diagnostics diag;
        ac::error_code ec;
        co_await s.async_execute("CREATE TABLE errs (k int PRIMARY KEY)", diag,
                                 asio::redirect_error(asio::use_awaitable, ec));
        EXPECT_EQ(ec, ac::server_errc::already_exists);
        CO_ASSERT(diag.server_details());
        EXPECT_EQ(diag.server_details()->table, "errs");
        co_await c.cluster.close();
    });
}

INSTANTIATE_TEST_SUITE_P(protocols, prepared, ::testing::Values(5, 4),
                         [](const ::testing::TestParamInfo<int>& i) { return "v" + std::to_string(i.param); });

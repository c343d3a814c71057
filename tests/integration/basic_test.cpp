// The first path through every layer, against the real node.
#include "test_env.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <future>
#include <thread>

namespace ac = async_cassandra;
using asio::awaitable;

namespace {
struct protocol_case {
    int version;
    ac::compression compression;
};
std::string name_of(const ::testing::TestParamInfo<protocol_case>& i) {
    const std::string c = ac::to_string(i.param.compression);
    return "v" + std::to_string(i.param.version) + (c.empty() ? "" : "_" + c);
}
}  // namespace

class basic : public ::testing::TestWithParam<protocol_case> {
protected:
    ac::cluster_config cfg() const { return test_env::config(GetParam().version, GetParam().compression); }
    std::string keyspace() const { return "ac_basic_" + name_of({GetParam(), 0}); }
};

TEST_P(basic, release_version_on_the_negotiated_protocol) {
    test_env::run([&]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(cfg());
        EXPECT_EQ(cluster.protocol_version(), GetParam().version);
        auto session = co_await cluster.open_session();
        auto rs = co_await session.execute("SELECT release_version FROM system.local");
        EXPECT_EQ(rs.kind(), ac::result_kind::rows);
        CO_ASSERT(rs.size() == 1u);
        auto v = rs.first_row().get<std::string_view>(0);
        EXPECT_EQ(v.substr(0, 4), "5.0.") << v;
        EXPECT_EQ(rs.columns()[0].name, "release_version");
        co_await session.close();
        co_await cluster.close();
    });
}

TEST_P(basic, ddl_writes_and_reads_round_trip) {
    test_env::run([&]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(cfg());
        auto admin = co_await cluster.open_session();
        auto ks = keyspace();
        auto drop = co_await admin.execute("DROP KEYSPACE IF EXISTS " + ks);
        (void)drop;
        auto created = co_await admin.execute(
            "CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        EXPECT_EQ(created.kind(), ac::result_kind::schema_change);
        CO_ASSERT(created.schema_change());
        EXPECT_EQ(created.schema_change()->change_type, "CREATED");
        EXPECT_EQ(created.schema_change()->keyspace, ks);

        auto session = co_await cluster.open_session(ks);
        co_await session.execute(
            "CREATE TABLE t (k int PRIMARY KEY, name text, big bigint, ok boolean, d double, b blob)");
        for (int i = 0; i < 25; ++i) {
            auto r = co_await session.execute(
                ac::statement("INSERT INTO t (k, name, big, ok, d, b) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(i, std::string("näme-") + std::to_string(i), std::int64_t{1} << 40 | i, i % 2 == 0, i * 0.5,
                          std::span<const std::byte>(reinterpret_cast<const std::byte*>("\0\1\2"), 3)));
            EXPECT_EQ(r.kind(), ac::result_kind::void_);
        }
        co_await session.execute(ac::statement("INSERT INTO t (k, name) VALUES (?, ?)").bind(100, std::nullopt));

        auto one = co_await session.execute(ac::statement("SELECT k, name, big, ok, d, b FROM t WHERE k = ?").bind(7));
        CO_ASSERT(one.size() == 1u);
        auto row = one.first_row();
        EXPECT_EQ(row.get<std::int32_t>("k"), 7);
        EXPECT_EQ(row.get<std::string>("name"), "näme-7");
        EXPECT_EQ(row.get<std::int64_t>("big"), std::int64_t{1} << 40 | 7);
        EXPECT_EQ(row.get<bool>("ok"), false);
        EXPECT_DOUBLE_EQ(row.get<double>("d"), 3.5);
        auto blob = row.get<std::span<const std::byte>>("b");
        CO_ASSERT(blob.size() == 3u);
        EXPECT_EQ(blob[2], std::byte{2});

        auto nulls = co_await session.execute(ac::statement("SELECT name, big FROM t WHERE k = ?").bind(100));
        EXPECT_TRUE(nulls.first_row().is_null(0));
        EXPECT_EQ(nulls.first_row().get<std::optional<std::int64_t>>(1), std::nullopt);

        // Manual paging: 26 rows in pages of 10.
        std::size_t total = 0, pages = 0;
        ac::statement page_q("SELECT k FROM t");
        page_q.set_page_size(10);
        for (;;) {
            auto page = co_await session.execute(page_q);
            ++pages;
            total += page.size();
            EXPECT_LE(page.size(), 10u);
            if (!page.has_more_pages()) break;
            page_q.set_paging_state(*page.paging_state());
        }
        EXPECT_EQ(total, 26u);
        EXPECT_EQ(pages, 3u);

        co_await session.close();
        co_await admin.execute("DROP KEYSPACE " + ks);
        co_await cluster.close();
    });
}

TEST_P(basic, server_errors_carry_code_and_message) {
    test_env::run([&]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(cfg());
        auto session = co_await cluster.open_session();
        ac::diagnostics diag;
        ac::error_code ec;
        co_await session.async_execute("SELEKT nothing", diag, asio::redirect_error(asio::use_awaitable, ec));
        EXPECT_EQ(ec, ac::server_errc::syntax_error);
        EXPECT_NE(diag.message().find("SELEKT"), std::string::npos) << diag.message();
        EXPECT_EQ(diag.host(), test_env::host() + ":9042");

        co_await session.async_execute("SELECT * FROM system.no_such_table", diag,
                                       asio::redirect_error(asio::use_awaitable, ec));
        EXPECT_EQ(ec, ac::server_errc::invalid);
        EXPECT_NE(diag.message().find("no_such_table"), std::string::npos) << diag.message();

        // The throwing form carries the same.
        try {
            co_await session.execute("SELECT * FROM system.no_such_table");
            ADD_FAILURE() << "expected an exception";
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), ac::server_errc::invalid);
            EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
        }
        // The connection is still usable after errors.
        auto rs = co_await session.execute("SELECT key FROM system.local");
        EXPECT_EQ(rs.size(), 1u);
        co_await cluster.close();
    });
}

TEST_P(basic, thousand_concurrent_requests_share_one_connection) {
    test_env::run([&]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(cfg());
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        int ok = 0, failed = 0, pending = 1000;
        asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
        for (int i = 0; i < 1000; ++i) {
            session.async_execute(
                ac::statement("SELECT key FROM system.local WHERE key = ?").bind(std::string("local")),
                [&](ac::error_code ec, ac::result_set rs) {
                    if (!ec && rs.size() == 1 && rs.first_row().get<std::string_view>(0) == "local")
                        ++ok;
                    else
                        ++failed;
                    if (--pending == 0) all_done.cancel();
                });
        }
        ac::error_code ignored;
        co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        EXPECT_EQ(ok, 1000);
        EXPECT_EQ(failed, 0);
        co_await cluster.close();
    });
}

// A session's keyspace holds on every connection, not only the one its
// opening USE ran on: on v4 (no per-request keyspace) each connection is
// bound with a USE before its first request there; a USE of the user's own
// moves one connection, and the next request of the session moves it back.
TEST_P(basic, the_session_keyspace_holds_on_every_connection) {
    test_env::run([&]() -> awaitable<void> {
        auto c = cfg();
        c.connections_per_host = 4;
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session("system");
        auto ex = co_await asio::this_coro::executor;
        int ok = 0, pending = 200;
        std::string first_error;
        asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
        for (int i = 0; i < 200; ++i) {
            ac::statement st("SELECT key FROM local");  // unqualified: the session's keyspace
            session.async_execute(st, [&](ac::error_code ec, ac::result_set rs) {
                if (!ec && rs.size() == 1)
                    ++ok;
                else if (first_error.empty())
                    first_error = ec ? ec.message() : "no row";
                if (--pending == 0) all_done.cancel();
            });
        }
        ac::error_code ignored;
        co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        EXPECT_EQ(ok, 200) << first_error;
        // Prepared on whichever connection: in the session's keyspace too.
        auto ps = co_await session.prepare(ac::statement("SELECT key FROM local WHERE key = ?"));
        for (int i = 0; i < 20; ++i) {
            auto rs = co_await session.execute(ps.bind(std::string("local")));
            EXPECT_EQ(rs.size(), 1u);
        }
        // The user's own USE elsewhere, then the session's statements again.
        co_await session.execute("USE system_schema");
        for (int i = 0; i < 20; ++i) {
            auto rs = co_await session.execute("SELECT key FROM local");
            EXPECT_EQ(rs.size(), 1u);
        }
        co_await cluster.close();
    });
}

TEST_P(basic, responses_larger_than_a_segment) {
    // A 300 KB cell makes the server split its response across v5 segments.
    test_env::run([&]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(cfg());
        auto session = co_await cluster.open_session();
        auto ks = keyspace() + "_big";
        co_await session.execute("CREATE KEYSPACE IF NOT EXISTS " + ks +
                                 " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        co_await session.execute("CREATE TABLE IF NOT EXISTS " + ks + ".big (k int PRIMARY KEY, v text)");
        std::string value(300 * 1024, 'x');
        for (std::size_t i = 0; i < value.size(); i += 97) value[i] = static_cast<char>('a' + i % 26);
        co_await session.execute(ac::statement("INSERT INTO " + ks + ".big (k, v) VALUES (1, ?)").bind(value));
        auto rs = co_await session.execute("SELECT v FROM " + ks + ".big WHERE k = 1");
        EXPECT_EQ(rs.first_row().get<std::string_view>(0), value);
        co_await session.execute("DROP KEYSPACE " + ks);
        co_await cluster.close();
    });
}

INSTANTIATE_TEST_SUITE_P(protocols, basic,
                         ::testing::Values(protocol_case{5, ac::compression::none},
                                           protocol_case{5, ac::compression::lz4},
                                           protocol_case{4, ac::compression::none},
                                           protocol_case{4, ac::compression::lz4},
                                           protocol_case{4, ac::compression::snappy}),
                         name_of);

TEST(lifecycle, closed_session_refuses_new_requests) {
    test_env::run([]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto session = co_await cluster.open_session();
        co_await session.close();
        try {
            co_await session.execute("SELECT key FROM system.local");
            ADD_FAILURE() << "expected session_closed";
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), ac::client_errc::session_closed);
        }
        co_await cluster.close();
    });
}

TEST(lifecycle, destroying_the_cluster_with_requests_in_flight_is_safe) {
    asio::io_context io;
    int completed = 0;
    ac::error_code last;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            auto cluster = co_await ac::cluster::connect(test_env::config());
            auto session = co_await cluster.open_session();
            for (int i = 0; i < 50; ++i)
                session.async_execute("SELECT * FROM system.local", [&](ac::error_code ec, ac::result_set) {
                    ++completed;
                    last = ec;
                });
            // cluster and session go out of scope here without close().
        },
        [](std::exception_ptr e) { ASSERT_FALSE(e); });
    io.run_for(std::chrono::seconds(30));
    EXPECT_TRUE(io.stopped()) << "work left behind after the cluster was destroyed";
    EXPECT_EQ(completed, 50);
}

TEST(lifecycle, use_future_from_a_blocking_caller) {
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    std::thread t([&] { io.run(); });
    ac::diagnostics diag;
    auto fc = ac::cluster::async_connect(io.get_executor(), test_env::config(), diag, asio::use_future);
    auto cluster = fc.get();
    std::promise<ac::session> ps;
    asio::co_spawn(io, cluster.open_session(), [&](std::exception_ptr e, ac::session s) {
        if (e)
            ps.set_exception(e);
        else
            ps.set_value(std::move(s));
    });
    auto session = ps.get_future().get();
    auto rs = session.async_execute("SELECT release_version FROM system.local", asio::use_future).get();
    EXPECT_EQ(rs.size(), 1u);
    // Hand the handles back to the loop's thread for destruction.
    asio::post(io, [c = std::move(cluster), s = std::move(session)]() mutable {});
    guard.reset();
    t.join();
}

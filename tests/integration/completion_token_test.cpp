// The lifecycle and the row stream driven without coroutines: every call has
// an async_ form that takes any completion token (here use_future from a
// blocking thread, and plain callbacks).
#include "test_env.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>

#include <functional>
#include <future>
#include <string>
#include <thread>

namespace ac = async_cassandra;
using namespace std::chrono_literals;

namespace {

// An io_context run by one thread for the test's lifetime; the test body
// blocks on futures.
struct loop_thread {
    loop_thread() : t([this] { io.run(); }) {}
    ~loop_thread() {
        guard.reset();
        t.join();
    }
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    std::thread t;
};

// The code a future fails with, or an empty one.
template <class F>
ac::error_code failure_of(F& f) {
    try {
        f.get();
    } catch (const ac::system_error& e) {
        return e.code();
    }
    return {};
}

constexpr int item_rows = 250;

}  // namespace

// With io_threads = 2 the operations hop to the cluster's strand and back.
TEST(completion_tokens, open_wait_and_close_with_futures) {
    for (unsigned threads : {1u, 2u}) {
        SCOPED_TRACE("io_threads " + std::to_string(threads));
        loop_thread loop;
        ac::diagnostics diag;
        auto cfg = test_env::config();
        cfg.io_threads = threads;
        auto cluster = ac::cluster::async_connect(loop.io.get_executor(), cfg, diag, asio::use_future).get();
        auto session = cluster.async_open_session("", asio::use_future).get();
        EXPECT_TRUE(cluster.async_wait_for_schema_agreement(asio::use_future).get());
        auto rs = session.async_execute("SELECT release_version FROM system.local", asio::use_future).get();
        EXPECT_EQ(rs.size(), 1u);
        // deferred: an operation object, started when given a token.
        auto op = session.async_execute("SELECT cluster_name FROM system.local", asio::experimental::deferred);
        auto later = std::move(op)(asio::use_future).get();
        ASSERT_EQ(later.size(), 1u);
        EXPECT_FALSE(later.first_row().get<std::string>(0).empty());

        session.async_close(asio::use_future).get();
        auto refused = session.async_execute("SELECT release_version FROM system.local", asio::use_future);
        EXPECT_EQ(failure_of(refused), make_error_code(ac::client_errc::session_closed));
        session.async_close(asio::use_future).get();  // a second close completes at once

        cluster.async_close(asio::use_future).get();
        ac::diagnostics why;
        auto late = cluster.async_open_session("", why, asio::use_future);
        EXPECT_EQ(failure_of(late), make_error_code(ac::client_errc::session_closed));
        EXPECT_NE(why.message().find("closed cluster"), std::string::npos) << why.message();
        asio::post(loop.io, [c = std::move(cluster), s = std::move(session)] {});
    }
}

// v4 binds a session's keyspace with USE when the session opens: a keyspace
// that does not exist fails the open, with the server's words.
TEST(completion_tokens, open_session_with_a_keyspace_on_v4) {
    loop_thread loop;
    ac::diagnostics diag;
    auto cluster =
        ac::cluster::async_connect(loop.io.get_executor(), test_env::config(4), diag, asio::use_future).get();
    ASSERT_EQ(cluster.protocol_version(), 4);
    auto session = cluster.async_open_session("system", asio::use_future).get();
    auto rs = session.async_execute("SELECT release_version FROM local", asio::use_future).get();
    EXPECT_EQ(rs.size(), 1u);

    ac::diagnostics why;
    auto bad = cluster.async_open_session("no_such_keyspace_here", why, asio::use_future);
    const auto ec = failure_of(bad);
    EXPECT_EQ(ec, make_error_code(ac::server_errc::invalid)) << ec.message();
    EXPECT_NE(why.message().find("no_such_keyspace_here"), std::string::npos) << why.message();
    session.async_close(asio::use_future).get();
    cluster.async_close(asio::use_future).get();
    asio::post(loop.io, [c = std::move(cluster), s = std::move(session)] {});
}

// A row stream consumed row by row through callbacks: every row once, in
// clustering order, across pages; then async_close, after which the stream
// ends.
TEST(completion_tokens, row_stream_with_callbacks) {
    test_env::run([]() -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto s = co_await cluster.open_session();
        co_await s.execute(
            "CREATE KEYSPACE IF NOT EXISTS ac_tokens WITH replication = {'class': 'SimpleStrategy', "
            "'replication_factor': 1}");
        co_await s.execute("CREATE TABLE IF NOT EXISTS ac_tokens.items (p int, c int, v text, PRIMARY KEY (p, c))");
        auto insert = co_await s.prepare("INSERT INTO ac_tokens.items (p, c, v) VALUES (1, ?, ?)");
        for (int c = 0; c < item_rows; ++c) co_await s.execute(insert.bind(c, "v" + std::to_string(c)));
        co_await cluster.close();
    });

    asio::io_context io;
    ac::diagnostics diag;
    std::optional<ac::cluster> cluster;
    std::optional<ac::session> session;
    std::optional<ac::row_stream> stream;
    int rows = 0, out_of_order = 0;
    bool ended = false, closed_then_ended = false, finished = false;
    ac::error_code failure;
    std::function<void()> pull_rest;
    // Rows 0..89 (three pages) through async_next, then the rest page by page
    // through async_next_page (which would skip rows of a page next() had
    // started), then close.
    std::function<void(ac::error_code, std::optional<ac::row_view>)> on_row = [&](ac::error_code ec,
                                                                                  std::optional<ac::row_view> row) {
        if (ec) {
            failure = ec;
            return;
        }
        if (!row) {
            ended = true;
            return;
        }
        if (row->get<std::int32_t>("c") != rows || row->get<std::string>("v") != "v" + std::to_string(rows))
            ++out_of_order;
        ++rows;
        if (rows == 90) return pull_rest();
        stream->async_next(diag, on_row);
    };
    std::function<void(ac::error_code, std::optional<ac::result_set>)> on_page =
        [&](ac::error_code ec, std::optional<ac::result_set> page) {
            if (ec) {
                failure = ec;
                return;
            }
            if (!page) {
                ended = true;
                return stream->async_close([&](ac::error_code e) {
                    if (e) failure = e;
                    stream->async_next([&](ac::error_code e2, std::optional<ac::row_view> after) {
                        if (e2) failure = e2;
                        closed_then_ended = !after;
                        session->async_close([&](ac::error_code) {
                            cluster->async_close([&](ac::error_code) {
                                finished = true;
                                io.stop();
                            });
                        });
                    });
                });
            }
            for (auto row : *page) {
                if (row.get<std::int32_t>("c") != rows) ++out_of_order;
                ++rows;
            }
            stream->async_next_page(on_page);
        };
    pull_rest = [&] { stream->async_next_page(on_page); };

    ac::cluster::async_connect(io.get_executor(), test_env::config(), diag, [&](ac::error_code ec, ac::cluster c) {
        if (ec) {
            failure = ec;
            return;
        }
        cluster = std::move(c);
        cluster->async_open_session("", [&](ac::error_code e, ac::session s) {
            if (e) {
                failure = e;
                return;
            }
            session = std::move(s);
            ac::stream_config sc;
            sc.page_size = 30;
            session->async_execute_stream(ac::statement("SELECT c, v FROM ac_tokens.items WHERE p = 1"), sc,
                                          [&](ac::error_code e2, ac::row_stream rs) {
                                              if (e2) {
                                                  failure = e2;
                                                  return;
                                              }
                                              stream = std::move(rs);
                                              stream->async_next(diag, on_row);
                                          });
        });
    });
    io.run_for(60s);
    EXPECT_TRUE(finished) << "the callbacks did not finish within 60 s";
    EXPECT_FALSE(failure) << failure.message() << ": " << diag.message();
    EXPECT_TRUE(ended);
    EXPECT_EQ(rows, item_rows);
    EXPECT_EQ(out_of_order, 0);
    EXPECT_TRUE(closed_then_ended);
    ASSERT_TRUE(stream);
    EXPECT_EQ(stream->progress().rows, static_cast<std::size_t>(item_rows));
}

// An async_ call on an empty (default or moved-from) handle has no executor
// to complete on: it throws session_closed at once, naming the handle.
TEST(completion_tokens, empty_handles_throw_at_once) {
    auto message_of = [](auto&& call) {
        try {
            call();
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), make_error_code(ac::client_errc::session_closed));
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    ac::cluster c;
    ac::session s;
    ac::row_stream r;
    EXPECT_NE(message_of([&] { c.async_open_session("", [](ac::error_code, ac::session) {}); }).find("cluster"),
              std::string::npos);
    EXPECT_NE(message_of([&] { s.async_close([](ac::error_code) {}); }).find("session"), std::string::npos);
    EXPECT_NE(message_of([&] { r.async_next([](ac::error_code, std::optional<ac::row_view>) {}); }).find("row_stream"),
              std::string::npos);
}

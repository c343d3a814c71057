// Cancellation, orphaned stream ids, backpressure and close() against the
// real node.
#include "stream_env.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/post.hpp>

#include <memory>

namespace ac = async_cassandra;
using asio::awaitable;
using namespace std::chrono_literals;
using stream_env::ms;
using stream_env::sleep_for;

namespace {

ac::statement lookup(int p, int c) {
    return ac::statement("SELECT p, c, v FROM " + stream_env::table + " WHERE p = ? AND c = ?")
        .bind(std::int32_t{p}, std::int32_t{c});
}

// Work for the server: a filtering scan that matches nothing, of the whole
// table (about 0.6 s here) or of half of it.
ac::statement slow_scan(std::chrono::milliseconds timeout, bool whole = true) {
    ac::statement st("SELECT p FROM " + stream_env::table + " WHERE " + (whole ? "" : "token(p) < 0 AND ") +
                     "v = 'nothing' ALLOW FILTERING");
    st.set_page_size(10);
    st.set_timeout(timeout);
    return st;
}

// Counts completions; `done` fires when `expected` have come.
struct tally {
    tally(asio::any_io_executor ex, std::size_t n)
        : done(ex, std::chrono::steady_clock::time_point::max()), expected(n) {}
    asio::steady_timer done;
    std::size_t expected;
    std::size_t completed = 0, ok = 0, aborted = 0, timed_out = 0, too_many = 0, closed = 0, other = 0;
    std::string last_message;
    std::chrono::steady_clock::time_point last_at;

    void add(ac::error_code ec, const std::string& message = {}) {
        if (!ec)
            ++ok;
        else if (ec == asio::error::operation_aborted)
            ++aborted;
        else if (ec == ac::client_errc::request_timeout)
            ++timed_out;
        else if (ec == ac::client_errc::too_many_requests)
            ++too_many;
        else if (ec == ac::client_errc::session_closed)
            ++closed;
        else
            ++other;
        if (ec) last_message = message;
        last_at = std::chrono::steady_clock::now();
        if (++completed == expected) done.cancel();
    }
    awaitable<void> wait() {
        if (completed == expected) co_return;
        ac::error_code ignored;
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
};

awaitable<void> prepare_table() {
    auto cluster = co_await ac::cluster::connect(test_env::config());
    auto session = co_await cluster.open_session();
    co_await stream_env::ensure_table(session);
    co_await cluster.close();
}

}  // namespace

TEST(cancellation, ten_thousand_in_flight_then_ten_thousand_answered_on_the_same_connection) {
    test_env::run(
        []() -> awaitable<void> {
            co_await prepare_table();
            auto cfg = test_env::config();
            cfg.max_requests_per_connection = 32768;
            cfg.max_orphaned_streams = 32768;  // keep the connection whatever is abandoned
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            auto ex = co_await asio::this_coro::executor;
            constexpr std::size_t n = 10000;

            auto signals = std::make_unique<asio::cancellation_signal[]>(n);
            tally cancelled(ex, n);
            const auto sent0 = session.stats().requests_sent;
            for (std::size_t i = 0; i < n; ++i) {
                auto done = [&](ac::error_code ec, ac::result_set) { cancelled.add(ec); };
                session.async_execute(lookup(static_cast<int>(i % 1000), static_cast<int>(i % 997)),
                                      asio::bind_cancellation_slot(signals[i].slot(), done));
            }
            // Wait until every request is on the wire, then cancel them all.
            while (session.stats().requests_sent - sent0 < n && cancelled.completed == 0) co_await sleep_for(1ms);
            const auto on_wire = session.stats().requests_sent - sent0;
            const auto in_flight = session.stats().connection_in_flight;
            const auto t0 = std::chrono::steady_clock::now();
            for (std::size_t i = 0; i < n; ++i) signals[i].emit(asio::cancellation_type::terminal);
            co_await cancelled.wait();
            const auto took = cancelled.last_at - t0;
            const auto orphaned = session.stats().connection_orphaned;
            std::cout << "[cancellation] " << on_wire << " requests on the wire (" << in_flight
                      << " awaiting answers) when cancelled; " << cancelled.aborted << " aborted, " << cancelled.ok
                      << " answered first, all completed " << ms(took) << " ms after the cancel; " << orphaned
                      << " ids orphaned right after" << std::endl;
            EXPECT_EQ(on_wire, n);
            EXPECT_EQ(cancelled.aborted + cancelled.ok, n);
            EXPECT_GT(cancelled.aborted, n / 2);
            EXPECT_LT(took, 2000ms);

            // Now 10,000 that complete, each checked against what it asked for.
            tally answered(ex, n);
            std::size_t mismatched = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const int p = static_cast<int>((i * 7) % 1000), c = static_cast<int>((i * 13) % 1000);
                session.async_execute(lookup(p, c), [&, p, c](ac::error_code ec, ac::result_set rs) {
                    if (!ec && (rs.size() != 1 || rs.first_row().get<std::int32_t>(0) != p ||
                                rs.first_row().get<std::int32_t>(1) != c ||
                                rs.first_row().get<std::string_view>(2) != stream_env::value_of(p, c)))
                        ++mismatched;
                    answered.add(ec);
                });
            }
            co_await answered.wait();
            for (int i = 0; i < 200 && session.stats().connection_orphaned > 0; ++i) co_await sleep_for(10ms);
            const auto stats = session.stats();
            EXPECT_EQ(answered.ok, n);
            EXPECT_EQ(mismatched, 0u);
            EXPECT_EQ(stats.connections_opened, 1u);  // the same connection throughout
            EXPECT_EQ(stats.connections_replaced, 0u);
            EXPECT_EQ(stats.connection_orphaned, 0u);  // every abandoned answer arrived and was dropped
            co_await cluster.close();
        },
        std::chrono::seconds(110));
}

TEST(cancellation, partial_and_terminal_cancellation_of_one_request_complete_promptly) {
    test_env::run([]() -> awaitable<void> {
        co_await prepare_table();
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        std::size_t orphans = 0;
        for (auto type : {asio::cancellation_type::partial, asio::cancellation_type::terminal}) {
            asio::cancellation_signal signal;
            tally t(ex, 1);
            ac::diagnostics diag;
            session.async_execute(
                slow_scan(10s, false), diag,
                asio::bind_cancellation_slot(signal.slot(), [&](ac::error_code ec, ac::result_set) { t.add(ec); }));
            co_await sleep_for(20ms);  // on the wire, the server busy with it
            EXPECT_EQ(session.stats().connection_in_flight, 1u);
            EXPECT_EQ(session.stats().connection_orphaned, orphans);
            const auto t0 = std::chrono::steady_clock::now();
            signal.emit(type);
            co_await t.wait();
            EXPECT_EQ(t.aborted, 1u);
            EXPECT_LT(t.last_at - t0, 100ms);
            // The id waits for the server's answer (the scan runs on).
            EXPECT_EQ(session.stats().connection_orphaned, ++orphans);
        }
        // The connection goes on serving meanwhile.
        auto rs = co_await session.execute(lookup(5, 5));
        EXPECT_EQ(rs.size(), 1u);
        co_await cluster.close();
    });
}

TEST(orphans, a_connection_with_too_many_orphaned_ids_is_replaced_after_its_requests_complete) {
    test_env::run([]() -> awaitable<void> {
        co_await prepare_table();
        auto cfg = test_env::config();
        cfg.max_orphaned_streams = 50;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        tally kept(ex, 20), dropped(ex, 100);
        for (int i = 0; i < 20; ++i)
            session.async_execute(lookup(i, i), [&](ac::error_code ec, ac::result_set) { kept.add(ec); });
        std::vector<asio::cancellation_signal> signals(100);
        for (auto& s : signals)
            session.async_execute(
                lookup(1, 1),
                asio::bind_cancellation_slot(s.slot(), [&](ac::error_code ec, ac::result_set) { dropped.add(ec); }));
        for (auto& s : signals) s.emit(asio::cancellation_type::terminal);
        co_await dropped.wait();
        co_await kept.wait();
        EXPECT_EQ(dropped.aborted, 100u);
        EXPECT_EQ(kept.ok, 20u);  // the old connection finished what it carried
        auto rs = co_await session.execute(lookup(2, 2));
        EXPECT_EQ(rs.size(), 1u);
        auto stats = session.stats();
        EXPECT_EQ(stats.connections_opened, 2u);
        EXPECT_EQ(stats.connections_replaced, 1u);
        EXPECT_EQ(stats.connection_orphaned, 0u);  // a fresh connection
        co_await cluster.close();
    });
}

TEST(backpressure, a_full_queue_refuses_with_too_many_requests_naming_the_limit) {
    test_env::run([]() -> awaitable<void> {
        co_await prepare_table();
        auto cfg = test_env::config();
        cfg.max_requests_per_connection = 4;
        cfg.max_queued_requests = 8;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        tally t(ex, 20);
        std::vector<ac::diagnostics> diags(20);
        for (int i = 0; i < 20; ++i)
            session.async_execute(
                lookup(i, i), diags[static_cast<std::size_t>(i)],
                [&, i](ac::error_code ec, ac::result_set) { t.add(ec, diags[static_cast<std::size_t>(i)].message()); });
        const auto stats = session.stats();
        co_await t.wait();
        std::cout << "[backpressure] " << t.ok << " answered, " << t.too_many << " refused: " << t.last_message
                  << std::endl;
        EXPECT_EQ(stats.connection_in_flight, 4u);
        EXPECT_EQ(t.ok, 12u);  // 4 in flight + 8 waiting
        EXPECT_EQ(t.too_many, 8u);
        EXPECT_NE(t.last_message.find("max_queued_requests = 8"), std::string::npos) << t.last_message;
        co_await cluster.close();
    });
}

TEST(backpressure, waiting_requests_keep_their_timeout_and_cancellation) {
    test_env::run([]() -> awaitable<void> {
        co_await prepare_table();
        auto cfg = test_env::config();
        cfg.max_requests_per_connection = 1;
        cfg.close_timeout = 100ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        tally busy(ex, 1), timed(ex, 1), cancelled(ex, 1);
        session.async_execute(slow_scan(10s), [&](ac::error_code ec, ac::result_set) { busy.add(ec); });
        const auto sent = session.stats().requests_sent;
        auto quick = lookup(1, 1);
        quick.set_timeout(100ms);
        const auto t0 = std::chrono::steady_clock::now();
        session.async_execute(quick, [&](ac::error_code ec, ac::result_set) { timed.add(ec); });
        asio::cancellation_signal signal;
        session.async_execute(
            lookup(2, 2),
            asio::bind_cancellation_slot(signal.slot(), [&](ac::error_code ec, ac::result_set) { cancelled.add(ec); }));
        EXPECT_EQ(session.stats().connection_queued, 2u);
        signal.emit(asio::cancellation_type::total);  // nothing was sent: even total cancellation applies
        co_await cancelled.wait();
        EXPECT_EQ(cancelled.aborted, 1u);
        EXPECT_LT(cancelled.last_at - t0, 50ms);
        co_await timed.wait();
        EXPECT_EQ(timed.timed_out, 1u);
        EXPECT_GE(timed.last_at - t0, 100ms);
        EXPECT_LT(timed.last_at - t0, 400ms);
        EXPECT_EQ(session.stats().requests_sent, sent);  // neither reached the wire
        EXPECT_EQ(session.stats().connection_queued, 0u);
        EXPECT_EQ(busy.completed, 0u);
        co_await cluster.close();  // the scan fails with session_closed once close_timeout passes
        EXPECT_EQ(busy.closed, 1u);
    });
}

TEST(lifecycle, close_drains_requests_in_flight_then_refuses_new_ones) {
    test_env::run([]() -> awaitable<void> {
        co_await prepare_table();
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        tally t(ex, 200);
        for (int i = 0; i < 200; ++i)
            session.async_execute(lookup(i, i), [&](ac::error_code ec, ac::result_set) { t.add(ec); });
        co_await asio::post(ex, asio::use_awaitable);
        const auto t0 = std::chrono::steady_clock::now();
        co_await session.close();
        const auto took = std::chrono::steady_clock::now() - t0;
        std::cout << "[lifecycle] session.close() drained " << t.completed << " requests in " << ms(took) << " ms"
                  << std::endl;
        EXPECT_EQ(t.completed, 200u);  // close() returned after every one of them
        EXPECT_EQ(t.ok, 200u);
        EXPECT_LT(took, 2000ms);
        try {
            co_await session.execute(lookup(1, 1));
            ADD_FAILURE() << "expected session_closed";
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), ac::client_errc::session_closed);
        }
        try {
            co_await session.execute_stream(lookup(1, 1));
            ADD_FAILURE() << "expected session_closed";
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), ac::client_errc::session_closed);
        }

        // cluster.close() drains the other sessions' requests the same way.
        auto other = co_await cluster.open_session();
        tally u(ex, 100);
        for (int i = 0; i < 100; ++i)
            other.async_execute(lookup(i, 2 * i), [&](ac::error_code ec, ac::result_set) { u.add(ec); });
        co_await asio::post(ex, asio::use_awaitable);
        const auto t1 = std::chrono::steady_clock::now();
        co_await cluster.close();
        EXPECT_EQ(u.ok, 100u);
        EXPECT_LT(std::chrono::steady_clock::now() - t1, 2000ms);
        try {
            co_await other.execute(lookup(1, 1));
            ADD_FAILURE() << "expected session_closed";
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), ac::client_errc::session_closed);
        }
        try {
            (void)co_await cluster.open_session();
            ADD_FAILURE() << "expected session_closed";
        } catch (const ac::error& e) {
            EXPECT_EQ(e.code(), ac::client_errc::session_closed);
        }
    });
}

TEST(lifecycle, close_stops_what_outlives_close_timeout) {
    test_env::run([]() -> awaitable<void> {
        co_await prepare_table();
        auto cfg = test_env::config();
        cfg.close_timeout = 200ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto ex = co_await asio::this_coro::executor;
        tally t(ex, 2);
        ac::diagnostics d1, d2;
        session.async_execute(slow_scan(20s), d1, [&](ac::error_code ec, ac::result_set) { t.add(ec, d1.message()); });
        co_await sleep_for(10ms);
        auto t0 = std::chrono::steady_clock::now();
        co_await session.close();
        auto took = std::chrono::steady_clock::now() - t0;
        std::cout << "[lifecycle] session.close() with a slow request: " << ms(took) << " ms; " << t.last_message
                  << std::endl;
        EXPECT_EQ(t.closed, 1u);
        EXPECT_NE(t.last_message.find("close_timeout"), std::string::npos) << t.last_message;
        EXPECT_GE(took, 190ms);
        EXPECT_LT(took, 600ms);

        auto other = co_await cluster.open_session();
        other.async_execute(slow_scan(20s), d2, [&](ac::error_code ec, ac::result_set) { t.add(ec, d2.message()); });
        co_await sleep_for(10ms);
        t0 = std::chrono::steady_clock::now();
        co_await cluster.close();
        took = std::chrono::steady_clock::now() - t0;
        co_await t.wait();
        std::cout << "[lifecycle] cluster.close() with a slow request: " << ms(took) << " ms; " << t.last_message
                  << std::endl;
        EXPECT_EQ(t.closed, 2u);
        EXPECT_GE(took, 190ms);
        EXPECT_LT(took, 600ms);
    });
}

TEST(lifecycle, destruction_without_close_never_blocks) {
    asio::io_context io;
    std::size_t completed = 0;
    bool stream_started = false;
    auto t0 = std::chrono::steady_clock::now();
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            co_await prepare_table();
            auto cfg = test_env::config();
            cfg.max_requests_per_connection = 8;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            ac::stream_config sc;
            sc.page_size = 2000;
            auto stream = co_await session.execute_stream("SELECT p, c, v FROM " + stream_env::table, sc);
            (void)co_await stream.next_page();  // the next page is in flight
            stream_started = true;
            for (int i = 0; i < 50; ++i)  // 8 on the wire, the rest waiting
                session.async_execute(lookup(i, i), [&](ac::error_code, ac::result_set) { ++completed; });
            t0 = std::chrono::steady_clock::now();
            // stream, session and cluster go out of scope here without close().
        },
        [](std::exception_ptr e) { ASSERT_FALSE(e); });
    io.run_for(std::chrono::seconds(60));
    EXPECT_TRUE(io.stopped()) << "work left behind";
    EXPECT_TRUE(stream_started);
    EXPECT_EQ(completed, 50u);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

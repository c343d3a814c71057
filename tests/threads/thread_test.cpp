// One session shared by many threads and coroutines (issue 4, item 7): an
// io_context run by 8 threads, cluster_config::io_threads = 8. Run under
// ThreadSanitizer in CI (make build-tsan; scripts/run-tests).
#include "../integration/test_env.hpp"
#include "session/execute.hpp"

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ac = async_cassandra;
using namespace std::chrono_literals;

namespace {

constexpr const char* keyspace = "threads_ks";
constexpr int coroutines = 16;
constexpr int ops_per_coroutine = 60;  // j % 3: 0 simple insert, 1 bound insert, 2 batch of two
constexpr int plain_threads = 4;
constexpr int ops_per_thread = 20;

// An io_context run by `n` threads until destroyed.
struct thread_pool {
    explicit thread_pool(int n) {
        for (int i = 0; i < n; ++i) threads.emplace_back([this] { io.run(); });
    }
    ~thread_pool() {
        guard.reset();
        for (auto& t : threads) t.join();
    }
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    std::vector<std::thread> threads;
};

// Runs a coroutine on the pool and waits for it from this (plain) thread.
template <class T>
T wait(asio::io_context& io, asio::awaitable<T> a) {
    auto f = asio::co_spawn(io, std::move(a), asio::use_future);
    if (f.wait_for(120s) != std::future_status::ready) throw std::runtime_error("no answer within 120 s");
    return f.get();
}

std::string value_of(int k, int c) { return std::to_string(k) + ":" + std::to_string(c); }

// Rows a writer coroutine leaves in its partition: one per op, plus the
// second row of each batch (c + 1000).
constexpr int rows_of_coroutine() {
    int n = 0;
    for (int j = 0; j < ops_per_coroutine; ++j) n += j % 3 == 2 ? 2 : 1;
    return n;
}

ac::cluster_config threaded_config() {
    auto cfg = test_env::config();
    cfg.io_threads = 8;
    cfg.connections_per_host = 2;  // two connections, on two of the 8 shards
    return cfg;
}

asio::awaitable<void> make_schema(ac::session& s) {
    co_await s.execute(std::string("CREATE KEYSPACE IF NOT EXISTS ") + keyspace +
                       " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    co_await s.execute(std::string("DROP TABLE IF EXISTS ") + keyspace + ".kv");
    co_await s.execute(std::string("CREATE TABLE ") + keyspace + ".kv (k int, c int, v text, PRIMARY KEY (k, c))");
}

// Writer: prepares (all coroutines the same text at once), then mixes simple
// inserts, bound inserts and batches into partition k.
asio::awaitable<void> writer(ac::session& s, int k) {
    auto insert = std::string("INSERT INTO ") + keyspace + ".kv (k, c, v) VALUES (?, ?, ?)";
    auto prepared = co_await s.prepare(insert);
    for (int j = 0; j < ops_per_coroutine; ++j) {
        switch (j % 3) {
            case 0: {
                ac::statement st(insert);
                st.bind(k, j, value_of(k, j));
                co_await s.execute(std::move(st));
                break;
            }
            case 1: co_await s.execute(prepared.bind(k, j, value_of(k, j))); break;
            default: {
                ac::batch b(ac::batch_type::unlogged);
                b.add(prepared.bind(k, j, value_of(k, j)));
                ac::statement second(insert);
                second.bind(k, j + 1000, value_of(k, j + 1000));
                b.add(std::move(second));
                co_await s.execute(std::move(b));
            }
        }
    }
}

void check_row(const ac::row_view& row, int k) {
    const auto c = row.get<std::int32_t>("c");
    if (row.get<std::int32_t>("k") != k || row.get<std::string>("v") != value_of(k, c))
        throw std::runtime_error("partition " + std::to_string(k) + ": wrong row c=" + std::to_string(c));
}

// Reader: reads partition k back three ways (all pages, a stream, paging by
// hand), each with small pages so that every way fetches several.
asio::awaitable<void> reader(ac::session& s, int k) {
    const auto select = std::string("SELECT k, c, v FROM ") + keyspace + ".kv WHERE k = ?";
    ac::statement st(select);
    st.bind(k);
    st.set_page_size(10);
    auto all = co_await s.all(st);
    CO_ASSERT(all.size() == static_cast<std::size_t>(rows_of_coroutine()));
    for (std::size_t i = 0; i < all.size(); ++i) check_row(all.row(i), k);

    ac::stream_config sc;
    sc.page_size = 7;
    auto stream = co_await s.execute_stream(st, sc);
    int streamed = 0;
    while (auto row = co_await stream.next()) {
        check_row(*row, k);
        ++streamed;
    }
    CO_ASSERT(streamed == rows_of_coroutine());

    std::size_t paged = 0;
    auto page = co_await s.execute(st);
    for (;;) {
        for (std::size_t i = 0; i < page.size(); ++i) check_row(page.row(i), k);
        paged += page.size();
        if (!page.paging_state()) break;
        page = co_await s.next_page(st, page);
    }
    CO_ASSERT(paged == static_cast<std::size_t>(rows_of_coroutine()));
}

// Runs `count` copies of `fn(session, k)` as coroutines spawned from
// different threads of the pool, and waits for all.
template <class Fn>
void spawn_all(thread_pool& pool, ac::session& s, int count, Fn fn) {
    std::vector<std::future<void>> done;
    std::mutex m;
    std::atomic<int> spawned{0};
    // Spawned from inside the pool's threads: the coroutines start on different ones.
    for (int i = 0; i < count; ++i)
        asio::post(pool.io, [&, i] {
            auto f = asio::co_spawn(pool.io, fn(s, i), asio::use_future);
            std::lock_guard lock(m);
            done.push_back(std::move(f));
            ++spawned;
        });
    while (spawned < count) std::this_thread::sleep_for(1ms);
    std::lock_guard lock(m);
    for (auto& f : done) {
        ASSERT_EQ(f.wait_for(180s), std::future_status::ready);
        f.get();  // rethrows a coroutine's failure
    }
}

}  // namespace

TEST(threads, one_session_shared_by_coroutines_and_threads) {
    thread_pool pool(8);
    ac::diagnostics diag;
    auto cluster = ac::cluster::async_connect(pool.io.get_executor(), threaded_config(), diag, asio::use_future).get();
    EXPECT_TRUE(ac::detail::is_cluster_strand(cluster.get_executor())) << "io_threads = 8 runs the cluster on a strand";
    auto session = wait(pool.io, cluster.open_session());
    wait(pool.io, make_schema(session));
    const auto before = cluster.metrics()->snapshot().requests;
    const auto sent_before = session.stats().requests_sent;

    // Writes: 16 coroutines and 4 plain threads at once; the plain threads
    // also read the synchronous getters while the writes run.
    std::vector<std::thread> threads;
    std::atomic<int> thread_failures{0};
    for (int t = 0; t < plain_threads; ++t)
        threads.emplace_back([&, t] {
            try {
                const int k = 100 + t;
                for (int j = 0; j < ops_per_thread; ++j) {
                    ac::statement st(std::string("INSERT INTO ") + keyspace + ".kv (k, c, v) VALUES (?, ?, ?)");
                    st.bind(k, j, value_of(k, j));
                    session.async_execute(std::move(st), asio::use_future).get();
                    (void)session.stats();
                    (void)cluster.hosts();
                    (void)cluster.metrics()->snapshot();
                    (void)cluster.prepared_stats();
                    (void)cluster.metadata();
                    if (cluster.protocol_version() < 4) throw std::runtime_error("no protocol version");
                }
            } catch (const std::exception& e) {
                ADD_FAILURE() << "thread " << t << ": " << e.what();
                ++thread_failures;
            }
        });
    spawn_all(pool, session, coroutines, writer);
    for (auto& t : threads) t.join();
    threads.clear();
    ASSERT_EQ(thread_failures, 0);

    // Every request counted once: 16 x (1 prepare + 60) + 4 x 20.
    const auto after = cluster.metrics()->snapshot().requests;
    const std::uint64_t issued = coroutines * (1 + ops_per_coroutine) + plain_threads * ops_per_thread;
    EXPECT_EQ(after.requests - before.requests, issued);
    EXPECT_EQ(after.completed - before.completed, issued);
    for (std::size_t e = 0; e < after.errors.size(); ++e)
        EXPECT_EQ(after.errors[e], before.errors[e]) << "error kind " << e;
    EXPECT_EQ(after.in_flight, 0u);
    auto stats = session.stats();
    EXPECT_EQ(stats.in_flight, 0u);
    EXPECT_EQ(stats.queued, 0u);
    // On the wire: every request but the prepares the cache shared (at least one PREPARE went out).
    const auto wire = stats.requests_sent - sent_before;
    EXPECT_GE(wire, issued - coroutines + 1);
    EXPECT_LE(wire, issued);
    auto ps = cluster.prepared_stats();
    EXPECT_GE(ps.hits + ps.shared_waits + ps.prepare_requests, static_cast<std::uint64_t>(coroutines));

    // Reads: every partition back, three ways, from 16 coroutines; the
    // plain threads read theirs with use_future.
    for (int t = 0; t < plain_threads; ++t)
        threads.emplace_back([&, t] {
            try {
                const int k = 100 + t;
                ac::statement st(std::string("SELECT k, c, v FROM ") + keyspace + ".kv WHERE k = ?");
                st.bind(k);
                auto rs = session.async_execute(std::move(st), asio::use_future).get();
                if (rs.size() != ops_per_thread) throw std::runtime_error(std::to_string(rs.size()) + " rows");
                for (std::size_t i = 0; i < rs.size(); ++i) check_row(rs.row(i), k);
            } catch (const std::exception& e) {
                ADD_FAILURE() << "thread " << t << ": " << e.what();
            }
        });
    spawn_all(pool, session, coroutines, reader);
    for (auto& t : threads) t.join();

    // Close from a plain thread; the session refuses requests afterwards.
    wait(pool.io, session.close());
    std::promise<std::error_code> refused;
    session.async_execute(ac::statement("SELECT now() FROM system.local"),
                          [&refused](std::error_code ec, ac::result_set) { refused.set_value(ec); });
    EXPECT_EQ(refused.get_future().get(), ac::client_errc::session_closed);
    wait(pool.io, cluster.close());
}

// Timeouts and cancellations hop from the callers' strands to the shards
// the requests run on: 16 coroutines on strands of their own race
// requests, some with a 1 ms timeout, against timers.
TEST(threads, timeouts_and_cancellation_from_other_strands) {
    thread_pool pool(8);
    ac::diagnostics diag;
    auto cluster = ac::cluster::async_connect(pool.io.get_executor(), threaded_config(), diag, asio::use_future).get();
    auto session = wait(pool.io, cluster.open_session());
    // Both pool connections open first: requests waiting for them would lose every race.
    for (int i = 0; i < 200 && session.stats().open_connections < 2; ++i) std::this_thread::sleep_for(10ms);
    const auto before = cluster.metrics()->snapshot().requests;
    std::atomic<int> answered{0}, timed_out{0}, cut{0};
    constexpr int per_coroutine = 20;
    auto racer = [&](ac::session& s, int) -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        auto ex = co_await asio::this_coro::executor;
        for (int j = 0; j < per_coroutine; ++j) {
            ac::statement st("SELECT release_version FROM system.local");
            if (j % 2) st.set_timeout(1ms);
            // Losing races at once, mid-flight, or never (the request answers or times out).
            const std::chrono::microseconds delays[] = {0us, 500us, 2000us, 50000us};
            asio::steady_timer timer(ex, delays[j % 4]);
            std::error_code ec;
            auto r = co_await (s.async_execute(std::move(st), asio::redirect_error(asio::use_awaitable, ec)) ||
                               timer.async_wait(asio::use_awaitable));
            if (r.index() == 1)
                ++cut;
            else if (!ec)
                ++answered;
            else if (ec == ac::client_errc::request_timeout)
                ++timed_out;
            else
                throw std::runtime_error("unexpected error: " + ec.message());
        }
    };
    std::vector<std::future<void>> done;
    for (int i = 0; i < coroutines; ++i)
        done.push_back(asio::co_spawn(asio::make_strand(pool.io), racer(session, i), asio::use_future));
    for (auto& f : done) {
        ASSERT_EQ(f.wait_for(120s), std::future_status::ready);
        f.get();
    }
    EXPECT_EQ(answered + timed_out + cut, coroutines * per_coroutine);
    EXPECT_GT(cut, 0) << "no request lost a race with a timer: the cancellation path went untested";
    std::cout << "answered " << answered << ", timed out " << timed_out << ", cancelled " << cut << '\n';
    // Abandoned stream ids come back once their answers arrive.
    for (int i = 0; i < 200 && session.stats().connection_orphaned > 0; ++i) std::this_thread::sleep_for(10ms);
    const auto stats = session.stats();
    EXPECT_EQ(stats.connection_orphaned, 0u);
    EXPECT_EQ(stats.in_flight, 0u);
    EXPECT_EQ(stats.connection_in_flight, 0u);
    const auto after = cluster.metrics()->snapshot().requests;
    EXPECT_EQ(after.requests - before.requests, static_cast<std::uint64_t>(coroutines * per_coroutine));
    EXPECT_EQ(after.completed - before.completed, static_cast<std::uint64_t>(coroutines * per_coroutine));
    // The session still works afterwards.
    auto rs = session.async_execute(ac::statement("SELECT release_version FROM system.local"), asio::use_future).get();
    EXPECT_EQ(rs.size(), 1u);
    wait(pool.io, cluster.close());
}

// io_threads = 2: two event loops of the cluster's own. Coroutines spawned
// on session.get_executor() spread over them, stay there across requests
// (their shard's connection answers on the same thread), and never run on
// the threads of the caller's io_context.
TEST(threads, shards_run_on_threads_of_their_own) {
    thread_pool pool(2);
    std::set<std::thread::id> pool_threads;
    for (auto& t : pool.threads) pool_threads.insert(t.get_id());
    auto cfg = test_env::config();
    cfg.io_threads = 2;
    cfg.connections_per_host = 2;
    ac::diagnostics diag;
    auto cluster = ac::cluster::async_connect(pool.io.get_executor(), cfg, diag, asio::use_future).get();
    auto session = wait(pool.io, cluster.open_session());
    for (int i = 0; i < 200 && session.stats().open_connections < 2; ++i) std::this_thread::sleep_for(10ms);
    const auto before = cluster.metrics()->snapshot().requests;
    constexpr int workers = 8, per_worker = 25;
    std::mutex m;
    std::set<std::thread::id> seen;
    auto worker = [&](ac::session& s) -> asio::awaitable<void> {
        const auto mine = std::this_thread::get_id();
        for (int j = 0; j < per_worker; ++j) {
            auto rs = co_await s.execute("SELECT release_version FROM system.local");
            if (rs.size() != 1u) throw std::runtime_error("no row");
            if (std::this_thread::get_id() != mine)
                throw std::runtime_error("a request moved its caller to another thread");
        }
        // From inside a shard, get_executor() is that shard.
        auto here = co_await asio::co_spawn(
            s.get_executor(), []() -> asio::awaitable<std::thread::id> { co_return std::this_thread::get_id(); },
            asio::use_awaitable);
        if (here != mine) throw std::runtime_error("get_executor() on a shard named another one");
        std::lock_guard lock(m);
        seen.insert(mine);
    };
    std::vector<std::future<void>> done;
    for (int i = 0; i < workers; ++i)
        done.push_back(asio::co_spawn(session.get_executor(), worker(session), asio::use_future));
    for (auto& f : done) {
        ASSERT_EQ(f.wait_for(120s), std::future_status::ready);
        f.get();
    }
    EXPECT_EQ(seen.size(), 2u) << "the workers did not spread over both shards";
    for (const auto& id : seen) {
        EXPECT_EQ(pool_threads.count(id), 0u) << "a shard ran on a thread of the caller's io_context";
        EXPECT_NE(id, std::this_thread::get_id());
    }
    const auto after = cluster.metrics()->snapshot().requests;
    EXPECT_EQ(after.completed - before.completed, static_cast<std::uint64_t>(workers * per_worker));
    EXPECT_EQ(session.stats().in_flight, 0u);
    wait(pool.io, session.close());
    wait(pool.io, cluster.close());
}

// The last reference to a cluster may go on one of its own shard threads
// (here: a coroutine on a shard owns the only handles): its loops are then
// ended by another thread, without a deadlock or a crash.
TEST(threads, the_last_reference_may_go_on_a_shard_thread) {
    thread_pool pool(1);
    auto cfg = test_env::config();
    cfg.io_threads = 2;
    ac::diagnostics diag;
    auto cluster = ac::cluster::async_connect(pool.io.get_executor(), cfg, diag, asio::use_future).get();
    auto session = wait(pool.io, cluster.open_session());
    auto rs = session.async_execute(ac::statement("SELECT release_version FROM system.local"), asio::use_future).get();
    EXPECT_EQ(rs.size(), 1u);
    wait(pool.io, session.close());
    wait(pool.io, cluster.close());
    cluster = ac::cluster();  // the handle's release runs on the pool's thread
    std::this_thread::sleep_for(200ms);
    // The session now holds the cluster's last reference; it goes with this
    // coroutine's frame, on the shard's thread.
    // (A shard's executor is valid while its cluster lives: none is kept here.)
    auto last = [](ac::session s) -> asio::awaitable<bool> { co_return s.stats().in_flight == 0; };
    std::future<bool> f;
    {
        auto ex = session.get_executor();
        f = asio::co_spawn(ex, last(std::move(session)), asio::use_future);
    }
    ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
    EXPECT_TRUE(f.get());
    // The pool's thread and the test go on; the shards' threads end by themselves.
    auto g = asio::co_spawn(
        pool.io, []() -> asio::awaitable<int> { co_return 1; }, asio::use_future);
    EXPECT_EQ(g.get(), 1);
}

TEST(threads, single_thread_keeps_one_executor_and_no_strand) {
    test_env::run([]() -> asio::awaitable<void> {
        auto cfg = test_env::config();
        CO_ASSERT(cfg.io_threads == 1u);
        auto ex = co_await asio::this_coro::executor;
        auto cluster = co_await ac::cluster::connect(cfg);
        CO_ASSERT(cluster.get_executor() == ex);  // the caller's executor itself: no strand
        CO_ASSERT(!ac::detail::is_cluster_strand(cluster.get_executor()));
        auto session = co_await cluster.open_session();
        const auto before = cluster.metrics()->snapshot().requests;
        for (int i = 0; i < 20; ++i) {
            auto rs = co_await session.execute("SELECT release_version FROM system.local");
            CO_ASSERT(rs.size() == 1u);
        }
        const auto after = cluster.metrics()->snapshot().requests;
        CO_ASSERT(after.completed - before.completed == 20u);
        CO_ASSERT(session.stats().in_flight == 0u);
        co_await session.close();
        co_await cluster.close();
    });
}

// Issue 15, defect 9: a re-prepare that finds other bind markers (a table
// dropped and made again with another key type) replaced them in place
// while other threads bound values against them. Now the markers are part
// of the published state. Needs no node; under ThreadSanitizer in make test.
std::shared_ptr<ac::detail::prepared_data> insert_data(ac::type_id key_type) {
    auto marker = [](std::string name, ac::type_id id) {
        ac::column_spec c;
        c.keyspace = "ks";
        c.table = "t";
        c.name = std::move(name);
        c.type.id = id;
        return c;
    };
    auto state = std::make_shared<ac::detail::prepared_state>();
    state->id = {std::byte{1}, std::byte{2}};
    return std::make_shared<ac::detail::prepared_data>(
        "INSERT INTO ks.t (k, v) VALUES (?, ?)", "ks",
        std::vector<ac::column_spec>{marker("k", key_type), marker("v", ac::type_id::varchar)},
        std::vector<std::uint16_t>{0}, std::move(state));
}

TEST(threads, bind_while_a_reprepare_changes_the_markers) {
    auto data = insert_data(ac::type_id::int_);
    const auto as_int = insert_data(ac::type_id::int_), as_bigint = insert_data(ac::type_id::bigint);
    const ac::prepared_statement prepared(data, std::make_shared<const ac::request_options>());
    // The re-prepares go on until the binds have overlapped them 2,000 times.
    std::atomic<bool> done{false};
    std::atomic<std::size_t> binds{0};
    std::thread reprepare([&] {
        for (int i = 0; i < 2000 || (binds.load() < 2000 && i < 10'000'000); ++i)
            ac::detail::adopt(*data, i % 2 ? *as_bigint : *as_int);
        ac::detail::adopt(*data, *as_bigint);
        done = true;
    });
    std::size_t bound = 0, refused = 0;
    while (!done.load()) {
        binds.fetch_add(1);
        try {
            auto b = prepared.bind(std::int32_t{7}, std::string("v"));
            EXPECT_EQ(b.values().size(), 2u);
            ++bound;
        } catch (const ac::value_error& e) {
            // Only ever the whole other state: a bigint key, named as such.
            EXPECT_NE(std::string(e.what()).find("bigint"), std::string::npos) << e.what();
            ++refused;
        }
    }
    reprepare.join();
    EXPECT_GE(bound + refused, 2000u);
    // The last re-prepare found a bigint key: that is what binds now.
    EXPECT_EQ(prepared.variables()[0].type.id, ac::type_id::bigint);
    EXPECT_THROW((void)prepared.bind(std::int32_t{7}, std::string("v")), ac::value_error);
    EXPECT_EQ(prepared.bind(std::int64_t{7}, std::string("v")).values().size(), 2u);
}

// Issue 15, defect 5: a topology refresh rewrote a host's datacenter, rack,
// release version and tokens in place while requests, policies and users
// read them on other threads. Now a change publishes a new host_info.
TEST(threads, host_fields_read_while_a_refresh_changes_them) {
    const std::string short_dc = "dc1", long_dc = "a-datacenter-name-too-long-for-the-small-string-buffer";
    auto h = std::make_shared<ac::host>("127.0.0.9", 9042);
    // The refreshes go on until the reads have overlapped them 2,000 times.
    std::atomic<bool> done{false};
    std::atomic<std::size_t> reads{0};
    std::thread refresh([&] {
        for (int i = 0; i < 2000 || (reads.load() < 2000 && i < 10'000'000); ++i)
            h->set_topology(i % 2 ? long_dc : short_dc, (i % 2 ? long_dc : short_dc) + "-r");
        h->set_topology(long_dc, long_dc + "-r");
        done = true;
    });
    while (!done.load()) {
        reads.fetch_add(1);
        const std::string dc = h->datacenter(), rack = h->rack();
        EXPECT_TRUE(dc.empty() || dc == short_dc || dc == long_dc) << dc;
        EXPECT_TRUE(rack.empty() || rack == short_dc + "-r" || rack == long_dc + "-r") << rack;
    }
    refresh.join();
    EXPECT_GE(reads.load(), 2000u);
    EXPECT_EQ(h->datacenter(), long_dc);  // the last refresh
    EXPECT_EQ(h->rack(), long_dc + "-r");
}

TEST(threads, io_threads_zero_is_a_bad_config) {
    test_env::run([]() -> asio::awaitable<void> {
        auto cfg = test_env::config();
        cfg.io_threads = 0;
        try {
            (void)co_await ac::cluster::connect(cfg);
            CO_ASSERT(!"connect accepted io_threads = 0");
        } catch (const ac::error& e) {
            CO_ASSERT(e.code() == ac::client_errc::bad_config);
            CO_ASSERT(std::string(e.what()).find("io_threads") != std::string::npos);
        }
    });
}

// The progress callback with io_threads = 2 (issue 15): the streams run on
// shards, their consumers on an io_context of three threads (no strand).
// Every callback runs on a consumer thread, one at a time, once per page and
// in order, and the last one before the consumer learns the stream ended or
// its close() returns. Before the fix the list of pages to report was pushed
// on the shard and popped by handlers on any consumer thread, and the
// end-of-stream flush called the callback on the shard: a data race
// (ThreadSanitizer), overlapping callbacks, callbacks on a shard's thread.
TEST(threads, progress_callbacks_run_on_the_consumer_threads_once_per_page) {
    thread_pool consumer(3);
    std::set<std::thread::id> consumer_threads;
    for (auto& t : consumer.threads) consumer_threads.insert(t.get_id());
    auto cfg = test_env::config();
    cfg.io_threads = 2;
    cfg.connections_per_host = 2;
    ac::diagnostics diag;
    auto cluster = ac::cluster::async_connect(consumer.io.get_executor(), cfg, diag, asio::use_future).get();
    auto session = wait(consumer.io, cluster.open_session());
    struct tally {
        std::atomic<int> inside{0};
        std::atomic<bool> overlapped{false}, wrong_thread{false}, out_of_order{false};
        std::size_t last = 0, calls = 0;
    };
    constexpr int streams = 64;
    std::vector<tally> tallies(streams);
    auto one = [&](int i) -> asio::awaitable<std::size_t> {
        auto& t = tallies[static_cast<std::size_t>(i)];
        ac::stream_config sc;
        sc.page_size = 3;
        sc.prefetch = 2;
        sc.on_progress = [&t, &consumer_threads](const ac::stream_progress& p) {
            if (t.inside.fetch_add(1) != 0) t.overlapped = true;
            if (!consumer_threads.count(std::this_thread::get_id())) t.wrong_thread = true;
            if (p.pages != t.last + 1) t.out_of_order = true;
            t.last = p.pages;
            ++t.calls;
            t.inside.fetch_sub(1);
        };
        auto stream = co_await session.execute_stream(ac::statement("SELECT * FROM system_schema.columns"), sc);
        std::size_t rows = 0;
        // Odd streams stop early: close() reports what is still due.
        const std::size_t stop_at = i % 2 ? 40 + static_cast<std::size_t>(i) : static_cast<std::size_t>(-1);
        while (rows < stop_at && co_await stream.next()) ++rows;
        if (rows == stop_at) co_await stream.close();
        if (t.last != stream.progress().pages) t.out_of_order = true;  // everything reported by now
        co_return stream.progress().pages;
    };
    std::vector<std::future<std::size_t>> done;
    for (int i = 0; i < streams; ++i) done.push_back(asio::co_spawn(consumer.io, one(i), asio::use_future));
    for (int i = 0; i < streams; ++i) {
        ASSERT_EQ(done[static_cast<std::size_t>(i)].wait_for(120s), std::future_status::ready);
        const auto pages = done[static_cast<std::size_t>(i)].get();
        const auto& t = tallies[static_cast<std::size_t>(i)];
        EXPECT_GT(pages, 10u) << "stream " << i << ": too few pages to tell";
        EXPECT_EQ(t.calls, pages) << "stream " << i << ": one callback per page delivered";
        EXPECT_FALSE(t.wrong_thread) << "stream " << i << ": a callback ran off the consumer's threads";
        EXPECT_FALSE(t.overlapped) << "stream " << i << ": two callbacks ran at once";
        EXPECT_FALSE(t.out_of_order) << "stream " << i << ": a page reported twice, late or out of order";
    }
    wait(consumer.io, session.close());
    wait(consumer.io, cluster.close());
}

// The client side of cqlbench: `concurrency` coroutines, each running one op
// after the other through the library's public API.
#include "bench.hpp"
#include "key_dist.hpp"
#include "run_control.hpp"

#include <async_cassandra/async_cassandra.hpp>

#include <asio/bind_executor.hpp>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <limits>

namespace cqlbench {
namespace ac = async_cassandra;
namespace {
constexpr auto tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

std::string qualified(const options& o) { return o.keyspace + "." + o.table; }

struct client_ctx {
    const options& o;
    ac::session& session;
    ac::prepared_statement insert, select;
    ac::encoded_value blob;
    key_chooser keys;
    run_control& ctl;
};

enum class op_kind { insert, select, scan };

op_kind choose(const options& o, rng& r) {
    switch (o.work) {
        case workload::insert: return op_kind::insert;
        case workload::select: return op_kind::select;
        case workload::scan: return op_kind::scan;
        default: return r.below(100) < o.read_percent ? op_kind::select : op_kind::insert;
    }
}

// [lo, hi) of tokens holding about scan_rows of `keys` rows.
std::pair<std::int64_t, std::int64_t> token_range(const options& o, rng& r) {
    const i128 ring = i128{1} << 64;
    const i128 width = o.scan_rows >= o.keys ? ring : ring * static_cast<i128>(o.scan_rows) / static_cast<i128>(o.keys);
    const i128 room = ring - width;  // possible starts
    const i128 offset = room > 0 ? static_cast<i128>(r.below(static_cast<std::uint64_t>(room - 1))) : 0;
    const i128 lo = offset + std::numeric_limits<std::int64_t>::min();
    i128 hi = lo + width;
    if (hi > std::numeric_limits<std::int64_t>::max()) hi = std::numeric_limits<std::int64_t>::max();
    return {static_cast<std::int64_t>(lo), static_cast<std::int64_t>(hi)};
}

asio::awaitable<std::pair<std::error_code, std::uint64_t>> scan(client_ctx& c, rng& r) {
    auto [lo, hi] = token_range(c.o, r);
    ac::statement st(scan_query(c.o));
    st.bind(lo, hi);
    ac::stream_config sc;
    sc.page_size = c.o.page_size;
    std::uint64_t rows = 0;
    try {
        auto stream = co_await c.session.execute_stream(std::move(st), sc);
        while (auto row = co_await stream.next()) ++rows;
    } catch (const std::system_error& e) {
        co_return std::make_pair(e.code(), rows);
    }
    co_return std::make_pair(std::error_code{}, rows);
}

asio::awaitable<void> worker(client_ctx& c, std::uint64_t seed) {
    rng r(seed);
    asio::steady_timer wait(co_await asio::this_coro::executor);
    while (auto t = c.ctl.claim()) {
        if (t->start > bench_clock::now()) {
            wait.expires_at(t->start);
            co_await wait.async_wait(tuple_awaitable);
            if (c.ctl.stopped()) break;
        }
        std::error_code ec;
        std::uint64_t rows = 0;
        switch (choose(c.o, r)) {
            // redirect_error, not as_tuple: Asio 1.22's as_tuple(use_awaitable) allocates on every call.
            case op_kind::insert: {
                (void)co_await c.session.async_execute(c.insert.bind(c.keys.next(r, t->seq), c.blob),
                                                       asio::redirect_error(asio::use_awaitable, ec));
                break;
            }
            case op_kind::select: {
                auto rs = co_await c.session.async_execute(c.select.bind(c.keys.next(r, t->seq)),
                                                           asio::redirect_error(asio::use_awaitable, ec));
                rows = rs.size();
                break;
            }
            case op_kind::scan: {
                auto [e, n] = co_await scan(c, r);
                ec = e;
                rows = n;
                break;
            }
        }
        c.ctl.record(*t, bench_clock::now(), ec ? ec.message() : std::string_view{}, rows);
    }
}

ac::encoded_value make_blob(std::size_t n) {
    ac::protocol::byte_buffer b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>('a' + i % 26);
    return ac::encoded_value(std::move(b));
}

}  // namespace

std::string insert_query(const options& o) { return "INSERT INTO " + qualified(o) + " (k, v) VALUES (?, ?)"; }
std::string select_query(const options& o) { return "SELECT k, v FROM " + qualified(o) + " WHERE k = ?"; }
std::string scan_query(const options& o) {
    return "SELECT k, v FROM " + qualified(o) + " WHERE token(k) >= ? AND token(k) < ?";
}

asio::awaitable<run_result> run_client(const options& o) {
    auto ex = co_await asio::this_coro::executor;
    ac::cluster_config cfg;
    cfg.contact_points = o.hosts;
    cfg.port = o.port;
    cfg.protocol_version = o.protocol;
    cfg.compression = o.compression;
    cfg.default_consistency = o.consistency;
    cfg.metrics = o.metrics;
    o.security.apply(cfg);  // checked in main before the run, so it throws only if the password file changed
    // Every worker's request gets a stream id at once.
    cfg.max_requests_per_connection = std::max<std::size_t>(cfg.max_requests_per_connection, o.concurrency);
    cfg.io_threads = o.threads;
    cfg.connections_per_host = o.connections;
    auto cluster = co_await ac::cluster::connect(cfg);
    auto session = co_await cluster.open_session();
    if (o.create) {
        co_await session.execute("CREATE KEYSPACE IF NOT EXISTS " + o.keyspace +
                                 " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " +
                                 std::to_string(o.replication_factor) + "}");
        co_await session.execute("CREATE TABLE IF NOT EXISTS " + qualified(o) + " (k bigint PRIMARY KEY, v blob)");
    }
    ac::prepared_statement insert, select;
    if (o.work == workload::insert || o.work == workload::mixed) insert = co_await session.prepare(insert_query(o));
    if (o.work == workload::select || o.work == workload::mixed) select = co_await session.prepare(select_query(o));

    auto ctl = std::make_shared<run_control>(ex, o, "client", to_string(o.work));
    client_ctx c{o, session, std::move(insert), std::move(select), make_blob(o.row_size), key_chooser(o), *ctl};
    ctl->begin();
    asio::steady_timer all_done(ex, bench_clock::time_point::max());
    std::size_t live = o.concurrency;
    std::exception_ptr failure;
    // With --threads > 1 the workers spread over the session's shards
    // (get_executor() takes the next one each time), where their requests
    // run without a hop; their ends are counted here, on `ex`.
    for (std::size_t i = 0; i < o.concurrency; ++i) {
        auto where = o.threads > 1 ? session.get_executor() : ex;
        asio::co_spawn(where, worker(c, 0x5eed0000 + i), asio::bind_executor(ex, [&](std::exception_ptr e) {
                           if (e && !failure) {
                               failure = e;
                               ctl->stop();
                           }
                           if (--live == 0) all_done.cancel();
                       }));
    }
    co_await all_done.async_wait(tuple_awaitable);
    auto result = ctl->finish();
    result.protocol_version = cluster.protocol_version();
    co_await session.close();
    co_await cluster.close();
    if (failure) std::rethrow_exception(failure);
    co_return result;
}

}  // namespace cqlbench

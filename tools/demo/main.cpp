// The async-cassandra demo (`make demo`): creates a table, loads --rows rows
// into it through a prepared INSERT with --concurrency requests in flight,
// streams every row back with execute_stream and checks each one, then prints
// each phase's duration, throughput and the driver's latency percentiles, its
// counters, and its Prometheus metrics. Any error or mismatch ends it with a
// message and exit status 1 (2 for a bad command line).
#include "options.hpp"
#include "progress.hpp"
#include "report.hpp"

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace ac = async_cassandra;

namespace demo {
namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

// The value stored with row `id`: a 64-bit mix of it (splitmix64's
// finalizer), so that a value read back with the wrong row shows.
std::int64_t value_of(std::int64_t id) {
    auto z = static_cast<std::uint64_t>(id) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::int64_t>(z ^ (z >> 31));
}

// The text stored with row `id`, "row-<id>", written into `buf`: no
// allocation per row.
std::string_view name_of(std::int64_t id, char (&buf)[32]) {
    std::memcpy(buf, "row-", 4);
    auto [end, ec] = std::to_chars(buf + 4, buf + sizeof buf, id);
    return {buf, static_cast<std::size_t>(end - buf)};
}

// What the writers share. One thread runs them all: plain fields suffice.
struct load_state {
    std::uint64_t rows;
    progress_meter& progress;
    std::uint64_t next = 0;              // the next row a writer takes
    std::optional<std::string> failure;  // the first error; every writer stops on it
};

// One of `concurrency` writers: takes the next row, INSERTs it, repeats. The
// number of writers is what bounds the requests in flight.
asio::awaitable<void> writer(ac::session& session, const ac::prepared_statement& insert, load_state& st) {
    char buf[32];
    ac::diagnostics diag;
    while (!st.failure && st.next < st.rows) {
        const auto id = static_cast<std::int64_t>(st.next++);
        // as_tuple: an error comes back as a value, so one failure can stop
        // the others cleanly instead of unwinding a thousand coroutines.
        auto [ec, rs] = co_await session.async_execute(insert.bind(id, name_of(id, buf), value_of(id)), diag,
                                                       tuple_awaitable);
        if (ec) {
            if (!st.failure) st.failure = "INSERT of row " + std::to_string(id) + ": " + ac::error(ec, diag).what();
            co_return;
        }
        st.progress.add(1);
    }
}

// Runs `n` coroutines made by make() at once and waits for all of them.
template <class Make>
asio::awaitable<void> run_all(std::size_t n, Make make) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer all_done(ex, clock_type::time_point::max());
    std::size_t live = n;
    std::exception_ptr failure;
    for (std::size_t i = 0; i < n; ++i) {
        asio::co_spawn(ex, make(), [&](std::exception_ptr e) {
            if (e && !failure) failure = e;
            if (--live == 0) all_done.cancel();
        });
    }
    co_await all_done.async_wait(tuple_awaitable);
    if (failure) std::rethrow_exception(failure);
}

struct stream_totals {
    std::uint64_t rows = 0, id_sum = 0, value_sum = 0;
    std::size_t pages = 0;
};

// Reads the whole table back, a page at a time (at most prefetch + 1 pages
// in memory), checking every row against what was written.
asio::awaitable<stream_totals> read_back(ac::session& session, const options& o, const std::string& table,
                                         progress_meter& progress) {
    ac::stream_config sc;  // a named variable: g++ 12 mishandles braced temporaries inside co_await
    sc.page_size = o.page_size;
    sc.prefetch = 2;  // two pages on the way while this one is checked
    auto stream = co_await session.execute_stream("SELECT id, name, value FROM " + table, sc);
    stream_totals t;
    char buf[32];
    while (auto row = co_await stream.next()) {  // a view into the current page
        const auto id = row->get<std::int64_t>(0);
        const auto name = row->get<std::string_view>(1);
        const auto value = row->get<std::int64_t>(2);
        if (id < 0 || static_cast<std::uint64_t>(id) >= o.rows)
            throw std::runtime_error("read back row id " + std::to_string(id) + ", which was never written");
        if (value != value_of(id) || name != name_of(id, buf))
            throw std::runtime_error("row " + std::to_string(id) + " read back as (" + std::string(name) + ", " +
                                     std::to_string(value) + "), written as (" + std::string(name_of(id, buf)) + ", " +
                                     std::to_string(value_of(id)) + ")");
        ++t.rows;
        t.id_sum += static_cast<std::uint64_t>(id);
        t.value_sum += static_cast<std::uint64_t>(value);
        progress.add(1);
    }
    t.pages = stream.progress().pages;
    co_return t;
}

asio::awaitable<void> run(options o) {
    auto ex = co_await asio::this_coro::executor;
    const bool tty = o.progress_tty.value_or(isatty(STDERR_FILENO) == 1);
    std::vector<phase_result> phases;
    auto phase_start = clock_type::now();
    auto end_phase = [&](std::string name, std::uint64_t rows = 0, ac::histogram_snapshot latency = {}) {
        const auto now = clock_type::now();
        phases.push_back({std::move(name), now - phase_start, rows, std::move(latency)});
        phase_start = now;
    };

    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {o.host};
    config.port = o.port;
    // Every writer's request gets a stream id at once rather than queueing.
    config.max_requests_per_connection = std::max(config.max_requests_per_connection, o.concurrency);
    config.request_timeout = std::chrono::seconds(30);
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    const auto version = co_await session.execute("SELECT release_version FROM system.local");
    std::printf("async-cassandra demo: %s rows, %zu requests in flight, Cassandra %s at %s:%u (protocol v%d)\n",
                with_commas(o.rows).c_str(), o.concurrency,
                std::string(version.first_row().get<std::string_view>(0)).c_str(), o.host.c_str(), o.port,
                cluster.protocol_version());
    std::fflush(stdout);
    end_phase("connect");

    // A fresh table each run, so that the count read back must be exact.
    const std::string table = o.keyspace + ".rows";
    co_await session.execute("CREATE KEYSPACE IF NOT EXISTS " + o.keyspace +
                             " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    co_await session.execute("DROP TABLE IF EXISTS " + table);
    co_await session.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, name text, value bigint)");
    // Idempotent: the same INSERT twice writes the same row, so the driver
    // may retry it after a timeout.
    ac::statement insert_text("INSERT INTO " + table + " (id, name, value) VALUES (?, ?, ?)");
    insert_text.set_idempotent(true);
    const auto insert = co_await session.prepare(std::move(insert_text));
    end_phase("schema");

    const auto before_load = cluster.metrics()->snapshot().requests.latency;
    std::uint64_t expected_value_sum = 0;
    for (std::uint64_t id = 0; id < o.rows; ++id)
        expected_value_sum += static_cast<std::uint64_t>(value_of(static_cast<std::int64_t>(id)));
    {
        progress_meter progress(ex, "load", o.rows, tty);
        load_state st{o.rows, progress, 0, std::nullopt};
        co_await run_all(o.concurrency, [&] { return writer(session, insert, st); });
        progress.finish();
        if (st.failure) throw std::runtime_error(*st.failure);
    }
    const auto after_load = cluster.metrics()->snapshot().requests.latency;
    end_phase("load", o.rows, difference(after_load, before_load));

    stream_totals t;
    {
        progress_meter progress(ex, "stream", o.rows, tty);
        t = co_await read_back(session, o, table, progress);
        progress.finish();
    }
    const auto metrics = cluster.metrics()->snapshot();
    end_phase("stream", t.rows, difference(metrics.requests.latency, after_load));

    // Every row read was checked against its id; with as many rows as were
    // written and ids unique (the primary key), the set is exactly the one
    // written. The sums say the same independently of the row checks.
    const std::uint64_t expected_id_sum = o.rows % 2 == 0 ? (o.rows / 2) * (o.rows - 1) : o.rows * ((o.rows - 1) / 2);
    if (t.rows != o.rows)
        throw std::runtime_error("wrote " + std::to_string(o.rows) + " rows, read back " + std::to_string(t.rows));
    if (t.id_sum != expected_id_sum || t.value_sum != expected_value_sum)
        throw std::runtime_error("the checksums of the rows read back differ from those written");
    std::printf("verified: %s rows in %zu pages, value checksum %016llx as written\n", with_commas(t.rows).c_str(),
                t.pages, static_cast<unsigned long long>(t.value_sum));

    if (!o.keep) co_await session.execute("DROP TABLE " + table);
    co_await session.close();
    co_await cluster.close();
    end_phase("cleanup");  // the DROP TABLE and closing

    // The long Prometheus text first, so that the summary ends the output.
    if (o.prometheus) {
        std::printf("\n# Prometheus text snapshot (the driver's metrics after the stream phase)\n%s",
                    ac::to_prometheus(metrics).c_str());
    }
    print_phases(phases);
    print_counters(metrics);
    std::printf("\ndemo: ok\n");
}

}  // namespace
}  // namespace demo

int main(int argc, char** argv) {
    auto parsed = demo::parse({argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0)});
    if (!parsed.message.empty()) {
        std::fputs(parsed.message.c_str(), parsed.help ? stdout : stderr);
        return parsed.help ? EXIT_SUCCESS : 2;
    }
    asio::io_context io(1);  // one thread: the demo's coroutines share plain counters
    int status = EXIT_SUCCESS;
    asio::co_spawn(io, demo::run(std::move(parsed.opts)), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::fprintf(stderr, "\ndemo: error: %s\n", ex.what());
            status = EXIT_FAILURE;
        }
    });
    io.run();
    return status;
}

// The chaos soak (scripts/soak, docs/reliability.md): a mixed workload at a
// fixed rate against the 3-node cluster while a schedule kills (-9),
// restarts, pauses and resumes nodes. Every 10 s it prints the client's RSS,
// descriptors, connections, requests in flight and errors by kind; at the
// end it reads back every acknowledged write at QUORUM and checks:
// no acknowledged write lost, no hung request, RSS and descriptors after the
// last chaos event within 10% of their level after warm-up, throughput back
// above half of the warm-up's within 5 s of each event. Exit status 1 if any
// fails, 2 for a bad command line.
#include "chaos.hpp"
#include "options.hpp"
#include "proc_probe.hpp"
#include "verdict.hpp"
#include "workload.hpp"

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

namespace ac = async_cassandra;
using namespace std::chrono_literals;

namespace soak {
namespace {

using clock_type = std::chrono::steady_clock;

asio::awaitable<void> sleep_for(clock_type::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

struct sample {
    double at_s = 0;
    long rss_kib = 0;
    std::size_t fds = 0, connections = 0;
    long held_kib = 0;  // for the criterion only: trimming on every sample would hide growth in the log
};

struct run_state {
    clock_type::time_point t0 = clock_type::now();
    double since_start() const { return std::chrono::duration<double>(clock_type::now() - t0).count(); }
};

sample take_sample(const run_state& rs, const ac::session& s) {
    return {rs.since_start(), rss_kib(), open_fds(), s.stats().open_connections};
}

// Every 10 s: one line of figures; every second: the hung-request check.
asio::awaitable<void> sampler(const run_state& rs, ac::session& s, workload& w, const bool& stop, bool& done) {
    std::uint64_t last_ok = 0, last_failed = 0;
    std::map<std::string, std::uint64_t> last_errors;
    for (int tick = 1; !stop; ++tick) {
        co_await sleep_for(1s);
        w.check_hung();
        if (tick % 10 != 0) continue;
        const auto now = take_sample(rs, s);
        std::string kinds;
        for (const auto& [kind, n] : w.errors())
            if (n != last_errors[kind]) kinds += "; " + kind + " x" + std::to_string(n - last_errors[kind]);
        last_errors = w.errors();
        std::printf(
            "[%7.1f s] ok %5.0f/s, failed %llu, rss %ld KiB, fds %zu, connections %zu, in flight %zu, "
            "hung %llu%s\n",
            now.at_s, static_cast<double>(w.ok() - last_ok) / 10.0,
            static_cast<unsigned long long>(w.failed() - last_failed), now.rss_kib, now.fds, now.connections,
            w.in_flight(), static_cast<unsigned long long>(w.hung()), kinds.c_str());
        std::fflush(stdout);
        last_ok = w.ok();
        last_failed = w.failed();
    }
    done = true;
}

bool all_up(const ac::cluster& c) {
    auto hosts = c.hosts();
    for (auto& h : hosts)
        if (!h->is_up()) return false;
    return hosts.size() == 3;
}

// Waits until every node is up and the pools are whole again.
asio::awaitable<bool> settled(const ac::cluster& c, const ac::session& s, std::size_t connections,
                              clock_type::duration limit) {
    const auto until = clock_type::now() + limit;
    while (clock_type::now() < until) {
        if (all_up(c) && s.stats().open_connections == connections) co_return true;
        co_await sleep_for(200ms);
    }
    co_return false;
}

asio::awaitable<int> run(const options& o) {
    run_state rs;
    ac::cluster_config cfg;  // named: g++ 12 and braced temporaries in co_await
    cfg.contact_points = o.hosts;
    cfg.request_timeout = 2s;
    cfg.connect_timeout = 2s;
    cfg.heartbeat_interval = 1s;
    cfg.heartbeat_timeout = 2s;
    cfg.reconnection.base_delay = 200ms;
    cfg.reconnection.max_delay = 2s;
    auto cluster = co_await ac::cluster::connect(cfg);
    auto session = co_await cluster.open_session();
    co_await session.execute("CREATE KEYSPACE IF NOT EXISTS " + o.keyspace +
                             " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
    co_await session.execute("DROP TABLE IF EXISTS " + o.keyspace + ".kv");
    co_await session.execute("CREATE TABLE " + o.keyspace + ".kv (k bigint PRIMARY KEY, v bigint)");
    auto insert = co_await session.prepare("INSERT INTO " + o.keyspace + ".kv (k, v) VALUES (?, ?)");
    auto select = co_await session.prepare("SELECT v FROM " + o.keyspace + ".kv WHERE k = ?");
    if (!co_await settled(cluster, session, 3, 60s)) {
        std::printf("soak: FAIL: the cluster is not whole (3 nodes up, 3 pool connections) before the start\n");
        co_return 1;
    }

    // Room for the run and for chaos cycles overrunning it.
    load_config lc;
    lc.rate = o.rate;
    lc.write_percent = o.write_percent;
    lc.max_run = o.duration + 900s;
    lc.hang_limit = cfg.request_timeout + 3s;
    rs.t0 = clock_type::now();
    workload w(session, insert, select, lc, rs.t0);
    auto ex = co_await asio::this_coro::executor;
    bool stop_sampler = false, sampler_done = false;
    asio::co_spawn(ex, w.run(), asio::detached);
    asio::co_spawn(ex, sampler(rs, session, w, stop_sampler, sampler_done), asio::detached);
    std::printf("soak: %zu requests/s (%u%% writes at QUORUM), %lld s with %lld s warm-up and %lld s cool-down\n",
                o.rate, o.write_percent, static_cast<long long>(o.duration.count()),
                static_cast<long long>(o.warm_up.count()), static_cast<long long>(o.cool_down.count()));
    std::fflush(stdout);

    co_await sleep_for(o.warm_up);
    auto warm = take_sample(rs, session);
    warm.held_kib = held_rss_kib();
    const double warm_s = rs.since_start();
    const double baseline = w.series().rate(warm_s - 10, warm_s);
    std::printf("soak: after warm-up: %.0f ok/s, rss %ld KiB, fds %zu, connections %zu\n", baseline, warm.rss_kib,
                warm.fds, warm.connections);
    std::fflush(stdout);

    chaos ch(o.cassandra_script, rs.t0, o.duration - o.cool_down);
    ch.start();
    while (!ch.done()) co_await sleep_for(100ms);
    const double last_event_s = rs.since_start();
    // The cool-down, longer when the chaos ended early: the run lasts --minutes.
    const auto left = o.duration - std::chrono::duration_cast<std::chrono::seconds>(clock_type::now() - rs.t0);
    co_await sleep_for(std::max<clock_type::duration>(o.cool_down, left));
    // "After the last event" means once the client has had the chance to
    // recover: every node up and every pool connection back (at most 60 s).
    const bool whole = co_await settled(cluster, session, warm.connections, 60s);
    auto after = take_sample(rs, session);
    after.held_kib = held_rss_kib();

    w.stop();
    const auto drain_until = clock_type::now() + lc.hang_limit + 1s;
    while (w.in_flight() > 0 && clock_type::now() < drain_until) co_await sleep_for(50ms);
    w.check_hung();
    const auto still_in_flight = w.in_flight();
    stop_sampler = true;
    co_await w.verify(64);
    // Both loops reference this frame: they end before it does.
    while (!sampler_done || w.running()) co_await sleep_for(50ms);

    // The figures, then the verdict.
    bool pass = true;
    auto check = [&](bool ok, const std::string& what) {
        std::printf("  %s  %s\n", ok ? "pass" : "FAIL", what.c_str());
        pass = pass && ok;
    };
    std::printf("\nsoak figures (%.0f s, %.0f s after the last chaos event)\n", after.at_s, after.at_s - last_event_s);
    std::printf("  requests: %llu ok, %llu failed, %llu shed; max latency %.2f s; retries %zu\n",
                static_cast<unsigned long long>(w.ok()), static_cast<unsigned long long>(w.failed()),
                static_cast<unsigned long long>(w.shed()), w.max_latency_s(), session.stats().retries);
    for (const auto& [kind, n] : w.errors())
        std::printf("  error %s x%llu\n", kind.c_str(), static_cast<unsigned long long>(n));
    std::printf(
        "  after warm-up: rss %ld KiB (%ld held), fds %zu, connections %zu; after the chaos: rss %ld KiB "
        "(%ld held), fds %zu, connections %zu\n",
        warm.rss_kib, warm.held_kib, warm.fds, warm.connections, after.rss_kib, after.held_kib, after.fds,
        after.connections);
    const auto events = ch.events();
    bool commands_ok = !events.empty();
    for (const auto& e : events) {
        const auto rec = recovery_after(w.series(), e.at_s, baseline, 30);
        std::printf("  event %-7s node %d at %6.1f s (took %.1f s, exit %d): throughput >= half after %s\n",
                    e.action.c_str(), e.node, e.at_s, e.took_s, e.status,
                    rec ? (std::to_string(*rec).substr(0, 4) + " s").c_str() : "never (30 s)");
        check(rec && *rec <= 5.0, e.action + " node " + std::to_string(e.node) + ": throughput back within 5 s");
        commands_ok = commands_ok && e.status == 0;
    }
    check(commands_ok, std::to_string(events.size()) + " chaos commands ran, each exit 0");
    check(whole, "every node up and every pool connection back after the cool-down");
    check(w.missing() == 0 && w.unverified() == 0,
          std::to_string(w.acked()) + " acknowledged writes read back at QUORUM: " + std::to_string(w.missing()) +
              " lost, " + std::to_string(w.unverified()) + " unreadable");
    check(w.acked() > 0, "writes were acknowledged at all");
    check(w.hung() == 0 && still_in_flight == 0, std::to_string(w.hung()) + " requests hung (over " +
                                                     std::to_string(lc.hang_limit.count()) + " ms), " +
                                                     std::to_string(still_in_flight) + " never completed");
    check(within_percent(static_cast<double>(warm.held_kib), static_cast<double>(after.held_kib), 10),
          "rss held " + std::to_string(after.held_kib) + " KiB within 10% of " + std::to_string(warm.held_kib) +
              " (malloc_trim first; raw " + std::to_string(after.rss_kib) + " vs " + std::to_string(warm.rss_kib) +
              ")");
    check(within_percent(static_cast<double>(warm.fds), static_cast<double>(after.fds), 10),
          "fds " + std::to_string(after.fds) + " within 10% of " + std::to_string(warm.fds));
    std::printf("soak: %s\n", pass ? "PASS" : "FAIL");
    std::fflush(stdout);
    co_await session.close();
    co_await cluster.close();
    co_return pass ? 0 : 1;
}

}  // namespace
}  // namespace soak

int main(int argc, char** argv) {
    auto parsed = soak::parse({argv + 1, static_cast<std::size_t>(argc - 1)});
    if (!parsed.message.empty()) {
        std::fputs(parsed.message.c_str(), parsed.help ? stdout : stderr);
        return parsed.help ? 0 : 2;
    }
    asio::io_context io;
    int status = 1;
    asio::co_spawn(io, soak::run(parsed.opts), [&](std::exception_ptr e, int rc) {
        io.stop();  // after an exception, requests may still reference the run's frame: resume nothing
        if (!e) {
            status = rc;
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::fprintf(stderr, "soak: error: %s\n", ex.what());
        }
    });
    io.run();
    return status;
}

// The cluster layer against a real 3-node cluster: discovery, token-aware
// routing, failover under load (kill -9), recovery, a frozen node with
// speculative execution, and a dead contact point.
#include "cluster_env.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace ac = async_cassandra;
using asio::awaitable;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

const std::string ks = "ac_cluster";

ac::cluster_config config() {
    ac::cluster_config cfg;
    cfg.contact_points = {cluster_env::hosts().front()};
    cfg.request_timeout = 5s;
    cfg.connect_timeout = 3s;
    cfg.reconnection.base_delay = 200ms;
    cfg.reconnection.max_delay = 2s;
    cfg.heartbeat_interval = 1s;
    cfg.heartbeat_timeout = 2s;
    return cfg;
}

awaitable<void> make_schema(ac::session& s) {
    co_await s.execute("CREATE KEYSPACE IF NOT EXISTS " + ks +
                       " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
    co_await s.execute("CREATE KEYSPACE IF NOT EXISTS " + ks +
                       "_rf1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    co_await s.execute("CREATE TABLE IF NOT EXISTS " + ks + ".kv (k int PRIMARY KEY, v int)");
    co_await s.execute("CREATE TABLE IF NOT EXISTS " + ks + "_rf1.kv (k int PRIMARY KEY, v int)");
}

ac::host_ptr host_at(const ac::cluster& c, const std::string& address) {
    for (auto& h : c.hosts())
        if (h->address() == address) return h;
    return nullptr;
}

// Latency percentile of a sample, in microseconds.
double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class cluster_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() { cluster_env::heal(); }
    void TearDown() override { cluster_env::heal(); }
};

}  // namespace

TEST_F(cluster_test, discovers_every_node_from_one_contact_point) {
    test_env::run([&]() -> awaitable<void> {
        auto cfg = config();
        auto c = co_await ac::cluster::connect(cfg);
        auto hosts = c.hosts();
        CO_ASSERT(hosts.size() == 3u);
        std::set<std::string> found;
        for (auto& h : hosts) {
            found.insert(h->address());
            EXPECT_TRUE(h->is_up()) << h->endpoint();
            EXPECT_EQ(h->datacenter(), "datacenter1");
            EXPECT_FALSE(h->rack().empty());
            EXPECT_EQ(h->tokens().size(), 1u) << h->endpoint();  // num_tokens: 1, preset tokens (scripts/cassandra)
            EXPECT_EQ(h->release_version().substr(0, 2), "5.");
        }
        auto want = cluster_env::hosts();
        EXPECT_EQ(found, std::set<std::string>(want.begin(), want.end()));
        auto s = co_await c.open_session();
        // Requests spread over every node (round robin without a routing key).
        for (int i = 0; i < 30; ++i) co_await s.execute("SELECT release_version FROM system.local");
        for (auto& h : c.hosts()) EXPECT_GE(h->requests_sent(), 5u) << h->endpoint();
        EXPECT_EQ(s.stats().open_connections, 3u);
        co_await c.close();
    });
}

TEST_F(cluster_test, token_aware_routing_sends_each_partition_to_its_replica) {
    test_env::run([&]() -> awaitable<void> {
        auto cfg = config();
        auto c = co_await ac::cluster::connect(cfg);
        auto s = co_await c.open_session();
        co_await make_schema(s);
        // The ring as the nodes report it (independent of the driver's own
        // ring): each host's tokens from system.local / system.peers.
        std::map<std::int64_t, std::string> ring;
        for (auto& h : c.hosts())
            for (auto t : h->tokens()) ring[t] = h->address();
        CO_ASSERT(ring.size() == 3u);
        // Schema metadata, refreshed after the DDL.
        co_await cluster_env::sleep_for(500ms);  // the schema event's debounced refresh
        auto meta = c.metadata();
        CO_ASSERT(meta->count(ks + "_rf1") == 1);
        const auto& kmeta = meta->at(ks + "_rf1");
        EXPECT_EQ(kmeta.replication.at("replication_factor"), "1");
        CO_ASSERT(kmeta.tables.count("kv") == 1);
        CO_ASSERT(kmeta.tables.at("kv").partition_key.size() == 1u);
        EXPECT_EQ(kmeta.tables.at("kv").partition_key[0].name, "k");
        EXPECT_EQ(kmeta.tables.at("kv").partition_key[0].type.id, ac::type_id::int_);
        auto ins = co_await s.prepare("INSERT INTO " + ks + "_rf1.kv (k, v) VALUES (?, ?)");
        auto tok = co_await s.prepare("SELECT token(k) FROM " + ks + "_rf1.kv WHERE k = ?");
        int checked = 0;
        for (std::int32_t k = 0; k < 200; ++k) {
            co_await s.execute(ins.bind(k, k));
            // RF 1, SimpleStrategy: the owner is the first token >= the key's token, wrapping.
            auto rs = co_await s.execute(tok.bind(k));
            const auto t = rs.first_row().get<std::int64_t>(0);
            auto it = ring.lower_bound(t);
            const auto owner = it == ring.end() ? ring.begin()->second : it->second;
            auto h = host_at(c, owner);
            CO_ASSERT(h);
            const auto before = h->requests_sent();
            co_await s.execute(ins.bind(k, k + 1));
            EXPECT_EQ(h->requests_sent(), before + 1) << "key " << k << " (token " << t << ") should go to " << owner;
            ++checked;
        }
        EXPECT_EQ(checked, 200);
        co_await c.close();
    });
}

TEST_F(cluster_test, a_dead_contact_point_is_skipped_when_another_answers) {
    test_env::run([&]() -> awaitable<void> {
        auto cfg = config();
        cfg.contact_points = {"127.0.0.254", cluster_env::hosts()[1]};
        const auto t0 = clock_type::now();
        auto c = co_await ac::cluster::connect(cfg);
        EXPECT_LT(clock_type::now() - t0, 3s);
        EXPECT_EQ(c.hosts().size(), 3u);
        auto s = co_await c.open_session();
        auto rs = co_await s.execute("SELECT cluster_name FROM system.local");
        EXPECT_EQ(rs.size(), 1u);
        co_await c.close();
    });
}

// The control connection runs on the contact point, node 1. Kill it: the
// control connection must move to another node and keep receiving events.
// Proof: tables another client creates afterwards (through node 3) show up
// in this cluster's metadata, which only the control connection (its
// refresh on reconnecting, then SCHEMA_CHANGE events) can bring.
TEST_F(cluster_test, control_connection_moves_to_another_node_when_its_node_dies) {
    test_env::run(
        [&]() -> awaitable<void> {
            auto cfg = config();
            cfg.contact_points = {cluster_env::hosts()[0]};
            auto c = co_await ac::cluster::connect(cfg);
            auto s = co_await c.open_session();
            co_await make_schema(s);
            auto has_table = [&](const std::string& table) {
                auto m = c.metadata();
                return m && m->count(ks) == 1 && m->at(ks).tables.count(table) == 1;
            };
            auto wait_for = [&](auto cond, std::chrono::milliseconds limit) -> awaitable<double> {
                const auto t0 = clock_type::now();
                while (!cond() && clock_type::now() - t0 < limit) co_await cluster_env::sleep_for(50ms);
                co_return cond() ? std::chrono::duration<double>(clock_type::now() - t0).count() : -1.0;
            };
            auto first = host_at(c, cluster_env::hosts()[0]);
            CO_ASSERT(first);

            CO_ASSERT(cluster_env::script("kill 1") == 0);
            const double down_after = co_await wait_for([&] { return !first->is_up(); }, 10s);
            std::printf("control failover: node 1 marked down after %.2f s\n", down_after);
            EXPECT_GE(down_after, 0.0);

            // Another client, through node 3 only, changes the schema twice: the
            // first table may come with the refresh of a reconnecting control
            // connection, the second (2 s later) only with a SCHEMA_CHANGE event.
            auto other_cfg = config();
            other_cfg.contact_points = {cluster_env::hosts()[2]};
            auto other = co_await ac::cluster::connect(other_cfg);
            auto os = co_await other.open_session();
            for (const std::string table : {"after_control_kill", "after_control_kill_2"}) {
                co_await os.execute("DROP TABLE IF EXISTS " + ks + "." + table);
                co_await cluster_env::sleep_for(2s);
                CO_ASSERT(!has_table(table));
                co_await os.execute("CREATE TABLE " + ks + "." + table + " (k int PRIMARY KEY)");
                const double seen_after = co_await wait_for([&] { return has_table(table); }, 15s);
                std::printf("control failover: another client's table %s in the metadata after %.2f s\n", table.c_str(),
                            seen_after);
                EXPECT_GE(seen_after, 0.0) << "no schema event reached the cluster after its control node died";
            }
            co_await other.close();

            // Requests keep working on the other nodes.
            for (int i = 0; i < 10; ++i) {
                auto rs = co_await s.execute("SELECT release_version FROM system.local");
                EXPECT_EQ(rs.size(), 1u);
            }
            // Node 1 back: marked up again (STATUS event or reconnection).
            CO_ASSERT(cluster_env::script("restart 1") == 0);
            const double up_after = co_await wait_for([&] { return first->is_up(); }, 20s);
            std::printf("control failover: node 1 up again %.2f s after its restart returned\n", up_after);
            EXPECT_GE(up_after, 0.0);
            co_await c.close();
        },
        std::chrono::seconds(120));
}

namespace {

// A steady load of prepared writes (each key once) and reads at QUORUM.
struct load {
    ac::session* s = nullptr;
    ac::prepared_statement ins, sel;
    bool idempotent = true;
    bool stop = false;
    std::int32_t next_key = 0;
    int running = 0;
    std::vector<std::int32_t> acked;
    std::map<std::string, int> errors;  // error message kinds
    int non_idempotent_failures = 0;
    std::vector<clock_type::time_point> done_at;  // completion times, for throughput
    clock_type::time_point started;

    awaitable<void> worker(std::int32_t base) {
        ++running;
        while (!stop) {
            const std::int32_t k = base + next_key++;
            ac::diagnostics d;
            std::error_code ec;
            auto b = ins.bind(k, k);
            b.set_idempotent(idempotent).set_consistency(ac::consistency::quorum);
            co_await s->async_execute(b, d, asio::redirect_error(asio::use_awaitable, ec));
            done_at.push_back(clock_type::now());
            if (!ec) {
                acked.push_back(k);
            } else {
                errors[ec.message()]++;
                if (!idempotent) ++non_idempotent_failures;
            }
        }
        --running;
    }
};

}  // namespace

TEST_F(cluster_test, kill_9_under_load_fails_over_and_loses_no_acknowledged_write) {
    test_env::run(
        [&]() -> awaitable<void> {
            auto cfg = config();
            auto c = co_await ac::cluster::connect(cfg);
            auto s = co_await c.open_session();
            co_await make_schema(s);
            co_await s.execute("TRUNCATE " + ks + ".kv");
            load idem, plain;
            for (auto* l : {&idem, &plain}) {
                l->s = &s;
                l->ins = co_await s.prepare("INSERT INTO " + ks + ".kv (k, v) VALUES (?, ?)");
            }
            plain.idempotent = false;
            auto ex = co_await asio::this_coro::executor;
            const auto t0 = clock_type::now();
            for (int w = 0; w < 48; ++w) asio::co_spawn(ex, idem.worker(0), asio::detached);
            for (int w = 0; w < 16; ++w) asio::co_spawn(ex, plain.worker(10'000'000), asio::detached);
            co_await cluster_env::sleep_for(3s);
            const auto killed_at = clock_type::now();
            CO_ASSERT(cluster_env::script("kill 2") == 0);
            co_await cluster_env::sleep_for(8s);
            idem.stop = plain.stop = true;
            // No request hangs: every worker finishes within the request timeout.
            const auto stop_at = clock_type::now();
            while ((idem.running || plain.running) && clock_type::now() - stop_at < 7s)
                co_await cluster_env::sleep_for(50ms);
            CO_ASSERT(idem.running == 0 && plain.running == 0);

            // Idempotent requests all succeeded, on other hosts if need be.
            std::string errs;
            for (auto& [m, n] : idem.errors) errs += m + " x" + std::to_string(n) + "; ";
            EXPECT_TRUE(idem.errors.empty()) << "idempotent requests failed: " << errs;
            // Non-idempotent ones in flight to the dead node fail with a clear error.
            for (auto& [m, n] : plain.errors)
                EXPECT_TRUE(m.find("connection") != std::string::npos || m.find("timeout") != std::string::npos ||
                            m.find("timed out") != std::string::npos)
                    << m;
            std::printf("kill -9: %d non-idempotent requests failed (%zu kinds), %zu retries\n",
                        plain.non_idempotent_failures, plain.errors.size(), s.stats().retries);

            // Throughput: before the kill vs. the first 500 ms window after it
            // that reaches half of it; that must come within 5 s.
            std::vector<clock_type::time_point> all = idem.done_at;
            all.insert(all.end(), plain.done_at.begin(), plain.done_at.end());
            auto count = [&](clock_type::time_point a, clock_type::time_point b) {
                return std::count_if(all.begin(), all.end(), [&](auto t) { return t >= a && t < b; });
            };
            const double before = static_cast<double>(count(t0 + 1s, killed_at)) / 2.0;  // per second
            double recovered_after = -1;
            for (auto w = killed_at; w + 500ms <= stop_at; w += 100ms)
                if (static_cast<double>(count(w, w + 500ms)) * 2.0 >= before * 0.5) {
                    recovered_after = std::chrono::duration<double>(w + 500ms - killed_at).count();
                    break;
                }
            std::printf("kill -9: %.0f ops/s before; recovered to >= 50%% after %.2f s\n", before, recovered_after);
            EXPECT_GE(recovered_after, 0.0);
            EXPECT_LE(recovered_after, 5.0);

            // Every acknowledged write reads back (QUORUM with two nodes up).
            auto sel = co_await s.prepare("SELECT v FROM " + ks + ".kv WHERE k = ?");
            std::size_t missing = 0;
            std::vector<std::int32_t> acked = idem.acked;
            acked.insert(acked.end(), plain.acked.begin(), plain.acked.end());
            for (auto k : acked) {
                auto b = sel.bind(k);
                b.set_consistency(ac::consistency::quorum).set_idempotent();
                auto rs = co_await s.execute(b);
                if (rs.size() != 1 || rs.first_row().get<std::int32_t>(0) != k) ++missing;
            }
            std::printf("kill -9: %zu acknowledged writes, %zu missing\n", acked.size(), missing);
            EXPECT_GT(acked.size(), 1000u);
            EXPECT_EQ(missing, 0u);
            auto dead = host_at(c, cluster_env::hosts()[1]);
            CO_ASSERT(dead);
            EXPECT_FALSE(dead->is_up());

            // Restart: the node gets traffic again within 10 s of serving CQL.
            CO_ASSERT(cluster_env::script("restart 2") == 0);
            const auto up_at = clock_type::now();
            const auto before_restart = dead->requests_sent();
            bool got_traffic = false;
            while (clock_type::now() - up_at < 10s && !got_traffic) {
                for (int i = 0; i < 20; ++i) co_await s.execute("SELECT release_version FROM system.local");
                got_traffic = dead->requests_sent() > before_restart;
                if (!got_traffic) co_await cluster_env::sleep_for(100ms);
            }
            std::printf("restart: traffic after %.2f s\n",
                        std::chrono::duration<double>(clock_type::now() - up_at).count());
            EXPECT_TRUE(got_traffic);
            EXPECT_TRUE(dead->is_up());

            // `sel` was prepared while node 2 was down. Its pool, reopened,
            // prepared the cached statements before taking requests
            // (reprepare_on_up), so no EXECUTE meets UNPREPARED there.
            const auto unprepared_before = c.prepared_stats().reprepares;
            const auto sent_before = dead->requests_sent();
            for (std::size_t i = 0; i < 300; ++i) {
                auto b = sel.bind(acked[i % acked.size()]);
                b.set_consistency(ac::consistency::one).set_idempotent();
                (void)co_await s.execute(b);
            }
            const auto unprepared = c.prepared_stats().reprepares - unprepared_before;
            std::printf(
                "restart: 300 executions of a statement prepared while the node was down, %llu to it, "
                "%llu UNPREPARED\n",
                static_cast<unsigned long long>(dead->requests_sent() - sent_before),
                static_cast<unsigned long long>(unprepared));
            EXPECT_GT(dead->requests_sent(), sent_before);
            EXPECT_EQ(unprepared, 0u);
            co_await c.close();
        },
        std::chrono::seconds(120));
}

namespace {

// Reads at ONE, 8 at a time, with `profile`; latencies in µs.
awaitable<void> measure_reads(ac::session& s, const ac::prepared_statement& sel, int n, const std::string& profile,
                              std::vector<double>& lat, int& errors) {
    int left = n, running = 0;
    auto ex = co_await asio::this_coro::executor;
    auto one = [&](std::int32_t k) -> awaitable<void> {
        ++running;
        auto b = sel.bind(k);
        b.set_idempotent(true).set_consistency(ac::consistency::one).set_profile(profile);
        const auto t = clock_type::now();
        std::error_code ec;
        ac::diagnostics d;
        co_await s.async_execute(b, d, asio::redirect_error(asio::use_awaitable, ec));
        lat.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t).count());
        if (ec) ++errors;
        --running;
    };
    while (left > 0 || running > 0) {
        while (left > 0 && running < 8) asio::co_spawn(ex, one(left--), asio::detached);
        co_await cluster_env::sleep_for(1ms);
    }
}

}  // namespace

TEST_F(cluster_test, a_frozen_node_times_out_and_speculation_keeps_p99) {
    test_env::run(
        [&]() -> awaitable<void> {
            const auto frozen_address = cluster_env::hosts()[2];
            // Baseline without speculation, to choose its delay.
            double base_p50 = 0;
            {
                auto cfg = config();
                auto c = co_await ac::cluster::connect(cfg);
                auto s = co_await c.open_session();
                co_await make_schema(s);
                auto sel = co_await s.prepare("SELECT v FROM " + ks + ".kv WHERE k = ?");
                std::vector<double> warm, lat;
                int errors = 0;
                co_await measure_reads(s, sel, 500, "", warm, errors);  // connections and the JIT warm up
                co_await measure_reads(s, sel, 2000, "", lat, errors);
                // The median, not the tail: one slow outlier must not set a long delay.
                base_p50 = percentile(lat, 0.5);
                EXPECT_EQ(errors, 0);
                co_await c.close();
            }
            auto cfg = config();
            cfg.heartbeat_interval = 0ms;  // the frozen node's connection stays: speculation must cope
            const auto delay = std::chrono::milliseconds(std::max<long>(1, static_cast<long>(base_p50 / 1000)));
            ac::execution_profile spec;
            spec.speculation = ac::speculative_execution{delay, 3};
            cfg.profiles["spec"] = spec;
            // Only the frozen node, no retries: shows what the timeout does there.
            ac::execution_profile only_frozen;
            only_frozen.load_balancing = ac::host_filter(
                ac::dc_aware_round_robin(), [&](const ac::host& h) { return h.address() == frozen_address; });
            only_frozen.retry = ac::fallthrough_retry();
            only_frozen.request_timeout = 1s;
            cfg.profiles["frozen"] = only_frozen;
            auto c = co_await ac::cluster::connect(cfg);
            auto s = co_await c.open_session();
            auto sel = co_await s.prepare("SELECT v FROM " + ks + ".kv WHERE k = ?");
            std::vector<double> warm, before, during;
            int errors_before = 0, errors_during = 0;
            co_await measure_reads(s, sel, 500, "spec", warm, errors_before);
            co_await measure_reads(s, sel, 2000, "spec", before, errors_before);
            // The speculative reads' losers orphan stream ids: on a slow (cold)
            // cluster the frozen node's connection may be retired for them and
            // not yet replaced, and the request below would find none. Wait
            // until a request reaches that node again (nothing is in flight
            // afterwards, so no more ids are orphaned before the pause).
            for (int i = 0; i < 100; ++i) {
                auto probe = sel.bind(1);
                probe.set_profile("frozen").set_idempotent(true);
                ac::diagnostics pd;
                std::error_code pec;
                co_await s.async_execute(probe, pd, asio::redirect_error(asio::use_awaitable, pec));
                if (!pec) break;
                co_await cluster_env::sleep_for(100ms);
            }

            CO_ASSERT(cluster_env::script("pause 3") == 0);
            // A request that can only go to the frozen node times out per its profile.
            {
                auto b = sel.bind(1);
                b.set_profile("frozen").set_idempotent(true);
                ac::diagnostics d;
                std::error_code ec;
                // Requests sent to each host, to tell where an unexpected answer came from.
                auto sent_per_host = [&] {
                    std::string out;
                    for (const auto& h : c.hosts())
                        out += h->address() + "=" + std::to_string(h->requests_sent()) + (h->is_up() ? " " : "(down) ");
                    return out;
                };
                const auto sent_before = sent_per_host();
                const auto t = clock_type::now();
                co_await s.async_execute(b, d, asio::redirect_error(asio::use_awaitable, ec));
                const auto took = clock_type::now() - t;
                EXPECT_EQ(ec, ac::client_errc::request_timeout)
                    << ec.message() << ": " << d.message() << "; requests per host before: " << sent_before
                    << "after: " << sent_per_host() << "; " << cluster_env::node_states();
                EXPECT_GE(took, 900ms);
                EXPECT_LE(took, 1300ms);
            }
            co_await measure_reads(s, sel, 2000, "spec", during, errors_during);
            CO_ASSERT(cluster_env::script("resume 3") == 0);
            const double p99_before = percentile(before, 0.99), p99_during = percentile(during, 0.99);
            std::printf(
                "frozen node: baseline p50 %.0f us (no speculation); speculation delay %ld ms; "
                "p99 %.0f us before the freeze, %.0f us during it; %zu speculative executions\n",
                base_p50, static_cast<long>(delay.count()), p99_before, p99_during, s.stats().speculative_executions);
            EXPECT_EQ(errors_before, 0);
            EXPECT_EQ(errors_during, 0);
            EXPECT_GT(s.stats().speculative_executions, 0u);
            // Without speculation a third of the reads would wait for the frozen
            // node until the 5 s request timeout, so the p99 would be seconds. With
            // it the tail stays far below that. The bound is absolute: on this
            // 2-core machine running 3 JVMs, the p99 of 2,000 reads moves by tens of
            // ms between runs (seen: 15 ms before the freeze and 44 ms during it,
            // 1.4 ms and 4.2 ms in another run), so a ratio to the p99 before is noise.
            EXPECT_LT(p99_during, 1'000'000.0) << "p99 during the freeze near the timeout: speculation did not help";
            co_await c.close();
        },
        std::chrono::seconds(120));
}

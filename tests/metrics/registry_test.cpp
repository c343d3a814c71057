// request_metrics, metrics_registry, error classification, the request-path
// probes and the request listener.
#include "cluster/configure.hpp"
#include "metrics/probe.hpp"

#include <async_cassandra/error.hpp>
#include <async_cassandra/metrics.hpp>

#include <asio/error.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace ac = async_cassandra;
using ac::error_kind;
using namespace std::chrono_literals;

namespace {

struct recording_listener : ac::request_listener {
    struct call {
        std::string what, query, host;
        int attempt;
        bool speculative;
        std::chrono::nanoseconds latency;
        ac::error_code error;
    };
    std::vector<call> calls;
    bool throw_on_end = false;
    void add(const char* what, const ac::request_info& i) {
        calls.push_back(
            {what, std::string(i.query), std::string(i.host), i.attempt, i.speculative, i.latency, i.error});
    }
    void on_start(const ac::request_info& i) override { add("start", i); }
    void on_end(const ac::request_info& i) override {
        add("end", i);
        if (throw_on_end) throw std::runtime_error("listener failure");
    }
    void on_error(const ac::request_info& i) override { add("error", i); }
};

}  // namespace

TEST(error_classification, maps_codes_to_kinds) {
    EXPECT_EQ(ac::classify_error(ac::client_errc::request_timeout), error_kind::request_timeout);
    EXPECT_EQ(ac::classify_error(ac::server_errc::read_timeout), error_kind::read_timeout);
    EXPECT_EQ(ac::classify_error(ac::server_errc::write_timeout), error_kind::write_timeout);
    EXPECT_EQ(ac::classify_error(ac::server_errc::unavailable), error_kind::unavailable);
    EXPECT_EQ(ac::classify_error(ac::server_errc::overloaded), error_kind::overloaded);
    EXPECT_EQ(ac::classify_error(ac::client_errc::connection_closed), error_kind::connection);
    EXPECT_EQ(ac::classify_error(ac::client_errc::no_host_available), error_kind::connection);
    EXPECT_EQ(ac::classify_error(asio::error::connection_reset), error_kind::connection);
    EXPECT_EQ(ac::classify_error(ac::server_errc::syntax_error), error_kind::server_other);
    EXPECT_EQ(ac::classify_error(ac::server_errc::server_error), error_kind::server_other);
    EXPECT_EQ(ac::classify_error(ac::client_errc::session_closed), error_kind::client_other);
    EXPECT_EQ(ac::classify_error(ac::client_errc::too_many_requests), error_kind::client_other);
    EXPECT_EQ(ac::classify_error(asio::error::operation_aborted), error_kind::cancelled);
    for (std::size_t k = 0; k < ac::error_kind_count; ++k)
        EXPECT_NE(ac::to_string(static_cast<error_kind>(k)), "unknown") << k;
}

TEST(request_metrics, counts_every_hook) {
    ac::request_metrics m;
    m.on_request_start();
    m.on_request_start();
    m.on_request_start();
    m.on_request_end(100us);
    m.on_request_end(2ms, ac::server_errc::read_timeout);
    m.on_retry();
    m.on_speculative_execution();
    m.on_speculative_execution();
    m.on_timeout();
    m.on_orphaned_stream();
    m.on_connection_opened();
    m.on_connection_opened();
    m.on_connection_closed();
    m.on_bytes_sent(100);
    m.on_bytes_received(250);
    const auto s = m.snapshot();
    EXPECT_EQ(s.requests, 3u);
    EXPECT_EQ(s.completed, 2u);
    EXPECT_EQ(s.in_flight, 1u);
    EXPECT_EQ(s.errors_of(error_kind::read_timeout), 1u);
    EXPECT_EQ(s.errors_total(), 1u);
    EXPECT_EQ(s.retries, 1u);
    EXPECT_EQ(s.speculative_executions, 2u);
    EXPECT_EQ(s.timeouts, 1u);
    EXPECT_EQ(s.orphaned_streams, 1u);
    EXPECT_EQ(s.connections_open, 1u);
    EXPECT_EQ(s.bytes_sent, 100u);
    EXPECT_EQ(s.bytes_received, 250u);
    EXPECT_EQ(s.latency.count, 2u);
    EXPECT_EQ(s.latency.max(), 2ms);
}

TEST(request_metrics, concurrent_updates_total_exactly) {
    constexpr int threads = 4;
    constexpr int per_thread = 100000;
    ac::metrics_registry reg;
    auto& host = reg.host("127.0.0.1:9042");
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            // Creating entries concurrently with recording into others.
            reg.host("10.0.0." + std::to_string(t) + ":9042").on_connection_opened();
            for (int i = 0; i < per_thread; ++i) {
                reg.requests().on_request_start();
                host.on_request_start();
                const ac::error_code ec = i % 10 == 0 ? ac::make_error_code(ac::server_errc::overloaded)
                                                      : ac::error_code{};
                host.on_request_end(std::chrono::microseconds(i % 1000), ec);
                reg.requests().on_request_end(std::chrono::microseconds(i % 1000), ec);
                host.on_bytes_sent(3);
                if (i % 100 == 0) host.on_retry();
            }
        });
    for (auto& th : pool) th.join();
    const auto s = reg.snapshot();
    const std::uint64_t n = threads * per_thread;
    EXPECT_EQ(s.requests.requests, n);
    EXPECT_EQ(s.requests.completed, n);
    EXPECT_EQ(s.requests.in_flight, 0u);
    EXPECT_EQ(s.requests.latency.count, n);
    EXPECT_EQ(s.requests.errors_of(error_kind::overloaded), n / 10);
    ASSERT_EQ(s.hosts.size(), 1u + threads);
    EXPECT_EQ(s.hosts[4].endpoint, "127.0.0.1:9042");  // sorted by endpoint
    const auto& h = s.hosts[4].metrics;
    EXPECT_EQ(h.requests, n);
    EXPECT_EQ(h.bytes_sent, 3 * n);
    EXPECT_EQ(h.retries, n / 100);
    EXPECT_EQ(h.latency.max(), 999us);
    std::uint64_t expected_sum = 0;
    for (int i = 0; i < per_thread; ++i) expected_sum += static_cast<std::uint64_t>(i % 1000) * 1000;
    EXPECT_EQ(h.latency.sum_ns, expected_sum * threads);
    for (int t = 0; t < threads; ++t) EXPECT_EQ(s.hosts[static_cast<std::size_t>(t)].metrics.connections_open, 1u);
}

TEST(metrics_registry, host_entries_are_stable_and_found) {
    ac::metrics_registry reg;
    EXPECT_EQ(reg.find_host("10.0.0.1:9042"), nullptr);
    auto& a = reg.host("10.0.0.1:9042");
    for (int i = 0; i < 100; ++i) reg.host("10.0.1." + std::to_string(i) + ":9042");
    EXPECT_EQ(&reg.host("10.0.0.1:9042"), &a);
    EXPECT_EQ(reg.find_host("10.0.0.1:9042"), &a);
    EXPECT_EQ(reg.snapshot().hosts.size(), 101u);
}

TEST(request_probe, counts_and_tells_the_listener) {
    auto listener = std::make_shared<recording_listener>();
    ac::metrics_registry reg(listener);
    const std::string host = "127.0.0.2:9042";
    {
        ac::detail::request_probe p(&reg, "SELECT 1");
        EXPECT_EQ(reg.requests().snapshot().in_flight, 1u);
        p.set_attempt(host, 2, true);
        std::this_thread::sleep_for(1ms);
        p.finish({});
        p.finish(ac::client_errc::request_timeout);  // a second finish does nothing
    }
    {
        ac::detail::request_probe p(&reg, "INSERT");
        p.finish(ac::server_errc::unavailable, "127.0.0.3:9042");
    }
    { ac::detail::request_probe p(&reg, "abandoned"); }  // destroyed unfinished: cancelled
    ASSERT_EQ(listener->calls.size(), 6u);
    const auto& c = listener->calls;
    EXPECT_EQ(c[0].what, "start");
    EXPECT_EQ(c[0].query, "SELECT 1");
    EXPECT_EQ(c[0].host, "");
    EXPECT_EQ(c[1].what, "end");
    EXPECT_EQ(c[1].host, host);
    EXPECT_EQ(c[1].attempt, 2);
    EXPECT_TRUE(c[1].speculative);
    EXPECT_GE(c[1].latency, 1ms);
    EXPECT_FALSE(c[1].error);
    EXPECT_EQ(c[3].what, "error");
    EXPECT_EQ(c[3].host, "127.0.0.3:9042");
    EXPECT_EQ(c[3].error, ac::server_errc::unavailable);
    EXPECT_EQ(c[5].what, "error");
    EXPECT_EQ(c[5].query, "abandoned");
    EXPECT_EQ(c[5].error, asio::error::operation_aborted);
    const auto s = reg.requests().snapshot();
    EXPECT_EQ(s.requests, 3u);
    EXPECT_EQ(s.in_flight, 0u);
    EXPECT_EQ(s.errors_of(error_kind::unavailable), 1u);
    EXPECT_EQ(s.errors_of(error_kind::cancelled), 1u);
    EXPECT_EQ(s.errors_of(error_kind::request_timeout), 0u);
    EXPECT_GE(s.latency.max(), 1ms);
}

TEST(request_probe, listener_exceptions_are_swallowed) {
    auto listener = std::make_shared<recording_listener>();
    listener->throw_on_end = true;
    ac::metrics_registry reg(listener);
    ac::detail::request_probe p(&reg, "q");
    EXPECT_NO_THROW(p.finish({}));
    EXPECT_EQ(listener->calls.size(), 2u);
    EXPECT_EQ(reg.requests().snapshot().completed, 1u);
}

TEST(request_probe, without_counting_only_the_listener_runs) {
    auto listener = std::make_shared<recording_listener>();
    ac::metrics_registry reg(listener, false);
    {
        ac::detail::request_probe p(&reg, "q");
        p.finish({});
    }
    EXPECT_EQ(listener->calls.size(), 2u);
    EXPECT_EQ(reg.requests().snapshot().requests, 0u);
    EXPECT_EQ(reg.requests().snapshot().latency.count, 0u);
}

TEST(request_probe, null_registry_does_nothing) {
    ac::detail::request_probe p(nullptr, "q");
    p.finish(ac::client_errc::request_timeout);
    EXPECT_EQ(p.info().latency, 0ns);  // not even a clock read
}

TEST(make_registry, follows_the_config) {
    ac::cluster_config cfg;
    EXPECT_TRUE(cfg.metrics);
    auto r = ac::detail::make_registry(cfg);
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->counting());
    EXPECT_EQ(r->listener(), nullptr);
    cfg.metrics = false;
    EXPECT_EQ(ac::detail::make_registry(cfg), nullptr);
    cfg.request_listener = std::make_shared<recording_listener>();
    r = ac::detail::make_registry(cfg);
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->counting());
    EXPECT_EQ(r->listener(), cfg.request_listener.get());
}

TEST(attempt_probe, counts_per_host_and_timeouts) {
    ac::metrics_registry reg;
    auto& h = reg.host("127.0.0.1:9042");
    {
        ac::detail::attempt_probe a(&h);
        a.finish(ac::client_errc::request_timeout);
    }
    {
        ac::detail::attempt_probe a(&h);
        a.finish({});
    }
    {
        ac::detail::attempt_probe a(nullptr);
        a.finish({});
    }  // metrics off
    const auto s = h.snapshot();
    EXPECT_EQ(s.requests, 2u);
    EXPECT_EQ(s.completed, 2u);
    EXPECT_EQ(s.timeouts, 1u);
    EXPECT_EQ(s.errors_of(error_kind::request_timeout), 1u);
}

TEST(probes, given_times_are_used_as_they_are) {
    using clock = std::chrono::steady_clock;
    ac::metrics_registry reg;
    auto& h = reg.host("127.0.0.1:9042");
    const auto t0 = clock::now();
    ac::detail::request_probe r(&reg, "q", t0);
    ac::detail::attempt_probe a(&h, t0 + 1ms);  // the attempt left a little later
    EXPECT_TRUE(r.active());
    EXPECT_EQ(r.start_time(), t0);
    a.finish_at(t0 + 5ms, {});
    r.finish_at(t0 + 5ms, {}, "127.0.0.1:9042");
    EXPECT_FALSE(r.active());
    EXPECT_FALSE(a.active());
    EXPECT_EQ(r.info().latency, 5ms);
    EXPECT_EQ(reg.requests().snapshot().latency.max(), 5ms);
    EXPECT_EQ(h.snapshot().latency.max(), 4ms);
}

TEST(metrics_registry, cluster_wide_connection_figures_sum_the_hosts) {
    ac::metrics_registry reg;
    auto& a = reg.host("10.0.0.1:9042");
    auto& b = reg.host("10.0.0.2:9042");
    a.on_connection_opened();
    b.on_connection_opened();
    b.on_connection_opened();
    a.on_bytes_sent(10);
    b.on_bytes_sent(5);
    a.on_bytes_received(7);
    b.on_orphaned_stream();
    a.on_timeout();
    b.on_timeout();
    reg.requests().on_retry();  // request-level: not summed
    b.on_retry();
    const auto s = reg.snapshot();
    EXPECT_EQ(s.requests.connections_open, 3u);
    EXPECT_EQ(s.requests.bytes_sent, 15u);
    EXPECT_EQ(s.requests.bytes_received, 7u);
    EXPECT_EQ(s.requests.orphaned_streams, 1u);
    EXPECT_EQ(s.requests.timeouts, 2u);
    EXPECT_EQ(s.requests.retries, 1u);
    EXPECT_EQ(s.hosts[1].metrics.connections_open, 2u);
}

// With io_threads > 1 each shard counts in a stripe of its own; a snapshot
// adds the stripes up, and a stripe index beyond the count wraps around.
TEST(metrics_registry, stripes_are_summed_in_a_snapshot) {
    ac::metrics_registry reg(nullptr, true, 3);
    EXPECT_EQ(reg.stripes(), 3u);
    EXPECT_NE(&reg.requests(0), &reg.requests(1));
    EXPECT_EQ(&reg.requests(3), &reg.requests(0));
    for (std::size_t i = 0; i < 3; ++i) {
        reg.requests(i).on_request_start();
        reg.requests(i).on_request_end(
            std::chrono::microseconds(10 * (i + 1)),
            i == 2 ? ac::make_error_code(ac::client_errc::request_timeout) : ac::error_code{});
        reg.host("10.0.0.1:9042", i).on_connection_opened();
        reg.host("10.0.0.1:9042", i).on_bytes_sent(i + 1);
    }
    reg.requests(1).on_request_start();  // one still in flight
    EXPECT_NE(&reg.host("10.0.0.1:9042", 0), &reg.host("10.0.0.1:9042", 2));
    EXPECT_EQ(reg.find_host("10.0.0.1:9042", 2), &reg.host("10.0.0.1:9042", 2));
    const auto s = reg.snapshot();
    EXPECT_EQ(s.requests.requests, 4u);
    EXPECT_EQ(s.requests.completed, 3u);
    EXPECT_EQ(s.requests.in_flight, 1u);
    EXPECT_EQ(s.requests.errors_of(error_kind::request_timeout), 1u);
    EXPECT_EQ(s.requests.latency.count, 3u);
    EXPECT_EQ(s.requests.latency.max(), std::chrono::microseconds(30));
    ASSERT_EQ(s.hosts.size(), 1u);
    EXPECT_EQ(s.hosts[0].metrics.connections_open, 3u);
    EXPECT_EQ(s.hosts[0].metrics.bytes_sent, 6u);
    EXPECT_EQ(s.requests.bytes_sent, 6u);
    // A registry made from a config: one stripe per shard.
    ac::cluster_config cfg;
    cfg.io_threads = 4;
    EXPECT_EQ(ac::detail::make_registry(cfg)->stripes(), 4u);
    cfg.io_threads = 1;
    EXPECT_EQ(ac::detail::make_registry(cfg)->stripes(), 1u);
}

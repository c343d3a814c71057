// resolve(): connect_timeout bounds name resolution, literal addresses skip
// the lookup, and a hanging lookup delays no other (issue 15, defect 7).
#include "connection/resolve.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace ac = async_cassandra;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct outcome {
    ac::error_code ec;
    ac::detail::endpoint_list found;
    clock_type::duration took{};
    bool done = false;
};

void start(asio::io_context& io, const std::string& host, clock_type::duration budget, const ac::detail::lookup_fn& fn,
           outcome& o) {
    asio::co_spawn(
        io,
        [&o, host, budget, fn]() -> asio::awaitable<void> {
            const auto t0 = clock_type::now();
            o.ec = co_await ac::detail::resolve(host, 9042, t0 + budget, o.found, fn);
            o.took = clock_type::now() - t0;
            o.done = true;
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
}

// A lookup that answers 10.0.0.9 after `d`.
ac::detail::lookup_fn slow_lookup(clock_type::duration d, std::atomic<int>& calls) {
    return [d, &calls](const std::string&, std::uint16_t port, ac::error_code&) {
        ++calls;
        std::this_thread::sleep_for(d);
        return ac::detail::endpoint_list{{asio::ip::make_address("10.0.0.9"), port}};
    };
}

class resolve : public ::testing::Test {
protected:
    // Resolves `host` within `budget` with a lookup taking `d`.
    void begin(const std::string& host, clock_type::duration budget, clock_type::duration d, outcome& o) {
        start(io, host, budget, slow_lookup(d, calls), o);
    }
    asio::io_context io;
    std::atomic<int> calls{0};
};

}  // namespace

TEST_F(resolve, literal_addresses_never_call_the_lookup) {
    outcome v4, v6;
    begin("127.0.0.1", 1s, 5s, v4);
    begin("::1", 1s, 5s, v6);
    io.run();
    EXPECT_EQ(calls.load(), 0);
    ASSERT_FALSE(v4.ec) << v4.ec.message();
    ASSERT_EQ(v4.found.size(), 1u);
    EXPECT_EQ(v4.found[0], asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 9042));
    ASSERT_FALSE(v6.ec) << v6.ec.message();
    EXPECT_EQ(v6.found.at(0).address().to_string(), "::1");
    EXPECT_LT(v4.took, 50ms);
}

TEST_F(resolve, a_hanging_lookup_ends_at_the_deadline) {
    outcome o;
    begin("slow.example", 200ms, 3s, o);
    io.run();
    EXPECT_EQ(calls.load(), 1);
    EXPECT_EQ(o.ec, asio::error::timed_out);
    EXPECT_GE(o.took, 190ms);
    EXPECT_LT(o.took, 1s) << "resolution was not bounded by its deadline";
}

// One lookup hangs; another, started after it, answers at once.
TEST_F(resolve, a_hanging_lookup_does_not_delay_another) {
    outcome hanging, quick;
    begin("hangs.example", 2s, 3s, hanging);
    begin("quick.example", 2s, 0ms, quick);
    io.run_for(1s);
    ASSERT_TRUE(quick.done);
    EXPECT_FALSE(quick.ec) << quick.ec.message();
    EXPECT_LT(quick.took, 500ms);
    EXPECT_FALSE(hanging.done);
    io.run();
    EXPECT_EQ(hanging.ec, asio::error::timed_out);
}

TEST_F(resolve, localhost_resolves_with_the_default_lookup) {
    outcome o;
    start(io, "localhost", 5s, ac::detail::blocking_lookup, o);
    io.run();
    ASSERT_FALSE(o.ec) << o.ec.message();
    ASSERT_FALSE(o.found.empty());
    EXPECT_TRUE(o.found[0].address().is_loopback());
}

namespace {

// Waits (at most `limit`) until no lookup thread is left, e.g. one an
// earlier test abandoned.
bool lookup_threads_gone(clock_type::duration limit) {
    const auto until = clock_type::now() + limit;
    while (ac::detail::lookup_threads() > 0 && clock_type::now() < until) std::this_thread::sleep_for(5ms);
    return ac::detail::lookup_threads() == 0;
}

}  // namespace

// Hanging lookups, one per reconnect, cannot pile up threads: at most
// max_lookup_threads run, the rest queue, and those whose deadline passed
// in the queue never run.
TEST_F(resolve, hanging_lookups_run_at_most_four_at_once) {
    ASSERT_TRUE(lookup_threads_gone(5s));
    std::atomic<int> running{0}, most{0};
    std::atomic<bool> release{false};
    ac::detail::lookup_fn hang = [&](const std::string&, std::uint16_t, ac::error_code&) {
        ++calls;
        const int now = ++running;
        for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
        }
        while (!release) std::this_thread::sleep_for(1ms);
        --running;
        return ac::detail::endpoint_list{};
    };
    std::vector<outcome> o(20);
    for (std::size_t i = 0; i < o.size(); ++i) start(io, "hangs" + std::to_string(i) + ".example", 300ms, hang, o[i]);
    io.run();
    for (const auto& x : o) EXPECT_EQ(x.ec, asio::error::timed_out);
    EXPECT_EQ(most.load(), static_cast<int>(ac::detail::max_lookup_threads));
    EXPECT_LE(ac::detail::lookup_threads(), ac::detail::max_lookup_threads);
    release = true;
    EXPECT_TRUE(lookup_threads_gone(2s));
    EXPECT_EQ(calls.load(), static_cast<int>(ac::detail::max_lookup_threads)) << "abandoned queued lookups ran";
}

// A lookup queued behind busy threads runs as soon as one is free.
TEST_F(resolve, a_queued_lookup_runs_when_a_thread_frees) {
    ASSERT_TRUE(lookup_threads_gone(5s));
    std::vector<outcome> busy(ac::detail::max_lookup_threads);
    for (std::size_t i = 0; i < busy.size(); ++i) begin("busy" + std::to_string(i) + ".example", 3s, 300ms, busy[i]);
    outcome queued;
    begin("queued.example", 3s, 0ms, queued);
    io.run();
    for (const auto& b : busy) EXPECT_FALSE(b.ec) << b.ec.message();
    ASSERT_FALSE(queued.ec) << queued.ec.message();
    EXPECT_EQ(queued.found.at(0).address().to_string(), "10.0.0.9");
    EXPECT_GE(queued.took, 250ms) << "it did not wait for a free thread";
    EXPECT_LT(queued.took, 1500ms);
    EXPECT_TRUE(lookup_threads_gone(2s));
}

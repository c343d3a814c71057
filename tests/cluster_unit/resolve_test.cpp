// resolve(): connect_timeout bounds name resolution, literal addresses skip
// the lookup, and a hanging lookup delays no other (issue 15, defect 7).
#include "connection/resolve.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace ac = async_cassandra;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct outcome {
    std::error_code ec;
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
    return [d, &calls](const std::string&, std::uint16_t port, std::error_code&) {
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

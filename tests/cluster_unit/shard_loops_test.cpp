// The event loops behind io_threads > 1: threads of their own, a throwing
// handler that does not end the loop, and retirement from a loop's own
// thread (the last reference to a cluster may go there).
#include "cluster/shard_loops.hpp"

#include <async_cassandra/detail/error_code.hpp>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <stdexcept>

namespace ad = async_cassandra::detail;
using namespace std::chrono_literals;

TEST(shard_loops, each_loop_runs_on_a_thread_of_its_own) {
    ad::shard_loops loops(3);
    ASSERT_EQ(loops.size(), 3u);
    EXPECT_FALSE(loops.on_loop_thread());
    std::set<std::thread::id> ids;
    for (std::size_t i = 0; i < loops.size(); ++i) {
        std::promise<std::pair<std::thread::id, bool>> p;
        asio::post(loops.executor(i), [&] { p.set_value({std::this_thread::get_id(), loops.on_loop_thread()}); });
        auto [id, inside] = p.get_future().get();
        EXPECT_NE(id, std::this_thread::get_id());
        EXPECT_TRUE(inside);
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 3u);
}

TEST(shard_loops, a_throwing_handler_does_not_end_its_loop) {
    ad::shard_loops loops(1);
    asio::post(loops.executor(0), [] { throw std::runtime_error("a user's completion handler threw"); });
    std::promise<void> p;
    asio::post(loops.executor(0), [&] { p.set_value(); });
    EXPECT_EQ(p.get_future().wait_for(5s), std::future_status::ready);
}

TEST(shard_loops, retired_from_its_own_thread_ends_without_blocking_it) {
    auto loops = std::make_unique<ad::shard_loops>(2);
    // Something only the loops' destruction releases: a handler still waiting.
    auto marker = std::make_shared<int>(7);
    std::weak_ptr<int> watch = marker;
    auto timer = std::make_shared<asio::steady_timer>(loops->executor(1), 1h);
    timer->async_wait([marker, timer](async_cassandra::error_code) {});
    marker.reset();
    std::promise<void> returned;
    auto* raw = loops.get();
    asio::post(raw->executor(0), [&, l = std::move(loops)]() mutable {
        ad::shard_loops::retire(std::move(l));
        returned.set_value();  // the handler that retired them goes on and returns
    });
    EXPECT_EQ(returned.get_future().wait_for(5s), std::future_status::ready);
    timer.reset();
    // The detached thread joins both loops and destroys them, handlers and all.
    for (int i = 0; i < 500 && !watch.expired(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(watch.expired());
}

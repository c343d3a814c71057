// The per-executor request timeout queue: deadline order, removal, many
// entries on one timer, timeouts that do not arrive in order, destruction.
#include "connection/timeout_queue.hpp"

#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ad = async_cassandra::detail;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct probe final : ad::timeout_entry {
    std::vector<int>* order = nullptr;
    int id = 0;
    clock_type::time_point fired{};
    void expire() override {
        fired = clock_type::now();
        if (order) order->push_back(id);
    }
};

}  // namespace

TEST(timeout_queue, entries_expire_in_deadline_order_never_early) {
    asio::io_context io;
    auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
    std::vector<int> order;
    probe a, b, c;
    a.order = b.order = c.order = &order;
    a.id = 30, b.id = 10, c.id = 20;
    const auto start = clock_type::now();
    q->add(a, start, 30ms);
    q->add(b, start, 10ms);
    q->add(c, start, 20ms);
    EXPECT_EQ(q->size(), 3u);
    io.run_for(1s);
    EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
    for (const auto* p : {&a, &b, &c}) {
        EXPECT_GE(p->fired - start, std::chrono::milliseconds(p->id)) << p->id;
        EXPECT_LT(p->fired - start, std::chrono::milliseconds(p->id) + 200ms) << p->id;
        EXPECT_FALSE(p->queued());
    }
    EXPECT_EQ(q->size(), 0u);
}

TEST(timeout_queue, removed_entries_never_expire) {
    asio::io_context io;
    auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
    std::vector<int> order;
    probe early, kept;
    early.order = kept.order = &order;
    early.id = 1, kept.id = 2;
    const auto now = clock_type::now();
    q->add(early, now, 5ms);  // the timer is armed for this one ...
    q->add(kept, now, 20ms);
    q->remove(early);  // ... which leaves before its deadline
    q->remove(early);  // twice is harmless
    EXPECT_FALSE(early.queued());
    EXPECT_EQ(q->size(), 1u);
    io.run_for(1s);
    EXPECT_EQ(order, (std::vector<int>{2}));
}

TEST(timeout_queue, ten_thousand_entries_on_one_timer) {
    asio::io_context io;
    auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
    std::vector<int> order;
    std::vector<probe> entries(10'000);
    auto now = clock_type::now();
    for (int i = 0; i < 10'000; ++i) {
        entries[static_cast<std::size_t>(i)].order = &order;
        entries[static_cast<std::size_t>(i)].id = i;
        now += 1us;  // arriving one after the other, as requests do
        q->add(entries[static_cast<std::size_t>(i)], now, 15ms);
    }
    // Every odd one is answered in time.
    for (int i = 1; i < 10'000; i += 2) q->remove(entries[static_cast<std::size_t>(i)]);
    EXPECT_EQ(q->size(), 5'000u);
    io.run_for(2s);
    ASSERT_EQ(order.size(), 5'000u);
    for (std::size_t i = 0; i < order.size(); ++i) ASSERT_EQ(order[i], static_cast<int>(2 * i));
}

TEST(timeout_queue, more_timeouts_than_lanes_and_out_of_order_arrivals_keep_deadline_order) {
    asio::io_context io;
    auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
    std::vector<int> order;
    std::vector<probe> entries(20);
    const auto now = clock_type::now();
    // 20 distinct timeouts, longest first (more than the queue's lanes, so
    // some share one), then the same again: each must still expire in order.
    for (int i = 0; i < 20; ++i) {
        auto& e = entries[static_cast<std::size_t>(i)];
        e.order = &order;
        e.id = 40 - 2 * i;  // 40, 38, ..., 2 ms
        q->add(e, now, std::chrono::milliseconds(e.id));
    }
    io.run_for(1s);
    ASSERT_EQ(order.size(), 20u);
    for (std::size_t i = 1; i < order.size(); ++i) EXPECT_LT(order[i - 1], order[i]);
}

// A loop that gets to the timer late finds entries of several lanes due at
// once: they still expire in deadline order across the lanes.
TEST(timeout_queue, a_late_timer_expires_due_entries_of_every_lane_in_deadline_order) {
    asio::io_context io;
    auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
    std::vector<int> order;
    std::vector<probe> entries(6);
    const auto now = clock_type::now();
    const int timeouts[] = {12, 3, 9, 6, 15, 1};  // six lanes, added out of order
    for (std::size_t i = 0; i < entries.size(); ++i) {
        entries[i].order = &order;
        entries[i].id = timeouts[i];
        q->add(entries[i], now, std::chrono::milliseconds(timeouts[i]));
    }
    std::this_thread::sleep_for(40ms);  // every deadline passes before the loop runs
    io.run_for(1s);
    EXPECT_EQ(order, (std::vector<int>{1, 3, 6, 9, 12, 15}));
    EXPECT_EQ(q->size(), 0u);
}

TEST(timeout_queue, an_entry_added_again_moves_to_its_new_deadline) {
    asio::io_context io;
    auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
    std::vector<int> order;
    probe a, b;
    a.order = b.order = &order;
    a.id = 1, b.id = 2;
    const auto now = clock_type::now();
    q->add(a, now, 5ms);
    q->add(b, now, 10ms);
    q->add(a, now, 20ms);  // a retry of `a` with a new deadline
    EXPECT_EQ(q->size(), 2u);
    io.run_for(1s);
    EXPECT_EQ(order, (std::vector<int>{2, 1}));
}

TEST(timeout_queue, destroying_the_queue_cancels_its_timer) {
    asio::io_context io;
    std::vector<int> order;
    probe a;
    a.order = &order;
    {
        auto q = std::make_shared<ad::timeout_queue>(io.get_executor());
        q->add(a, clock_type::now(), 5ms);
    }
    io.run_for(100ms);  // the wait completes as cancelled and touches nothing
    EXPECT_TRUE(order.empty());
}

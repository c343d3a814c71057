// Request timeouts without a timer per request: the requests of one
// executor wait in deadline order on intrusive lists, and one steady_timer
// is armed for the earliest. Arming and cancelling an Asio timer per request
// costs a reactor call (with several threads an epoll_ctl and a wake-up);
// here adding and removing are a few pointer writes, and the timer is
// re-armed only when the earliest deadline moves earlier or has passed.
//
// Requests with the same timeout arrive in deadline order, so each lane (one
// per timeout seen lately) is appended at its tail; an entry that is not
// the latest (a retry with less time left) walks back from the tail to its
// place. Use on the queue's executor only. The timer's handler holds the
// queue weakly: destroying the queue (with its owner) cancels it.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <memory>

namespace async_cassandra::detail {

class timeout_queue;

// What a request puts in the queue (as a base class of its own state).
class timeout_entry {
public:
    // The deadline passed: called once, on the queue's executor, after the
    // entry left the queue.
    virtual void expire() = 0;
    bool queued() const noexcept { return lane_ >= 0; }

protected:
    timeout_entry() = default;
    virtual ~timeout_entry() = default;
    timeout_entry(const timeout_entry&) = delete;
    timeout_entry& operator=(const timeout_entry&) = delete;

private:
    friend class timeout_queue;
    timeout_entry* prev_ = nullptr;
    timeout_entry* next_ = nullptr;
    std::chrono::steady_clock::time_point deadline_{};
    int lane_ = -1;  // -1: not queued
};

class timeout_queue : public std::enable_shared_from_this<timeout_queue> {
public:
    using clock = std::chrono::steady_clock;
    explicit timeout_queue(asio::any_io_executor ex);

    // `e` expires `timeout` after `now` unless removed first.
    void add(timeout_entry& e, clock::time_point now, std::chrono::milliseconds timeout);
    // Takes `e` out (nothing when it is not queued).
    void remove(timeout_entry& e) noexcept;
    std::size_t size() const noexcept { return size_; }

private:
    struct lane {
        std::chrono::milliseconds timeout{-1};  // -1: free
        timeout_entry* head = nullptr;          // earliest deadline
        timeout_entry* tail = nullptr;
    };
    static constexpr std::size_t lane_count = 8;

    int lane_for(std::chrono::milliseconds timeout);
    void insert(lane& l, timeout_entry& e);
    void arm(clock::time_point when);
    void fire();

    asio::steady_timer timer_;
    clock::time_point armed_ = clock::time_point::max();
    std::array<lane, lane_count> lanes_{};
    std::size_t size_ = 0;
};

}  // namespace async_cassandra::detail

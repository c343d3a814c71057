// State behind a session handle: its cluster, its requests (counted so
// close() can drain them), and its share of the connections' queues.
// close() runs on the cluster's executor; requests on theirs (with
// io_threads > 1 the shards: the counters are then atomic read-modify-writes
// and the list of requests is locked); stats() may be called from any thread.
#pragma once

#include "cluster/cluster_impl.hpp"
#include "connection/timeout_queue.hpp"

#include <async_cassandra/session_stats.hpp>

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra::detail {

// Throws session_closed for a call on an empty (moved-from or default)
// handle; `what` names the handle's type.
[[noreturn]] void throw_empty_handle(std::string_view what);

// A request close() can stop at its deadline: in its session's list while
// it waits for an answer. Each shard has a list of its own (one list when
// single-threaded), touched only there: enlisting takes no lock.
struct enlisted_request {
    // close()'s deadline passed: end with session_closed. Runs on the
    // request's shard; the request completes later (deferred), not in here.
    virtual void stop_by_session() = 0;
    enlisted_request* prev = nullptr;
    enlisted_request* next = nullptr;
    std::size_t list = 0;  // the session's list it is in

protected:
    ~enlisted_request() = default;
};

// One request's cancellation on the coroutine path: its caller, its timeout
// and the session's close() all stop it through `signal`, on the request's
// executor. Shared with the timeout timer's handler, which may run after
// the request ends.
struct request_control final : timeout_entry, enlisted_request {
    // The timeout (from the executor's timeout_queue, or a timer of its own).
    void expire() override {
        timed_out = true;
        signal.emit(asio::cancellation_type::terminal);
    }
    void stop_by_session() override {
        closed_by_session = true;
        signal.emit(asio::cancellation_type::terminal);
    }
    asio::cancellation_signal signal;
    bool timed_out = false;
    bool closed_by_session = false;
};

class session_impl : public std::enable_shared_from_this<session_impl> {
public:
    session_impl(std::shared_ptr<cluster_impl> cluster, std::string keyspace);
    session_impl(const session_impl&) = delete;
    session_impl& operator=(const session_impl&) = delete;

    cluster_impl& cluster() noexcept { return *cluster_; }
    const cluster_impl& cluster() const noexcept { return *cluster_; }
    const std::string& keyspace() const noexcept { return keyspace_; }
    bool closed() const noexcept { return closed_.load(std::memory_order_relaxed) || cluster_->closed(); }

    // Counts requests so close() can wait for them.
    void begin_request() noexcept { in_flight_.add(1, threaded_); }
    void end_request();

    // The direct path's hold on the session (request_op.cpp): one reference
    // per shard while that shard runs any of them, instead of one per
    // request (whose count every shard would write). Only on a shard (the
    // cluster's executor when single-threaded). hold_here() returns the
    // hold to release: a request may be freed elsewhere (its executor shut
    // down and destroyed by another thread). release() may destroy the
    // session: call it last.
    std::size_t hold_here() {
        const std::size_t i = threaded_ ? cluster_->runtime().current_shard() : 0;
        auto& h = holds_[i];
        if (h.count++ == 0) h.self = shared_from_this();
        return i;
    }
    void release(std::size_t hold) noexcept {
        auto& h = holds_[hold];
        if (--h.count == 0) auto last = std::move(h.self);  // may be the last reference
    }

    // Refuses new requests, waits for those in flight for at most the
    // cluster's close_timeout, then fails the enlisted ones with
    // session_closed and returns once they have ended.
    asio::awaitable<void> close();

    // This session's requests waiting for a stream id, bounded by max_queued_requests.
    queue_quota& quota() noexcept { return quota_; }
    // Requests close() can stop at its deadline, on the request's executor.
    // Threaded, a request enlists on a shard only (elsewhere this does
    // nothing: such a request ends by its own timeout).
    void enlist(enlisted_request& r) noexcept;
    void delist(enlisted_request& r) noexcept;

    session_stats stats() const;

private:
    void wake_closers();
    bool any_enlisted() const noexcept;
    // At close()'s deadline: fails every enlisted request with session_closed.
    void stop_enlisted();
    void stop_list(std::size_t i);
    // The closers are woken on the cluster's executor.
    void wake_closers_there();

    std::shared_ptr<cluster_impl> cluster_;
    std::string keyspace_;
    bool threaded_;
    // Striped: each shard counts its own (stats() and close() add them up).
    striped_counter<std::size_t> in_flight_;
    std::atomic<bool> closed_{false};  // set by close(); requests read it anywhere
    queue_quota quota_;
    // The heads of the request lists (one per shard, else one), each
    // written on its shard only; any_enlisted() reads them anywhere.
    std::unique_ptr<std::atomic<enlisted_request*>[]> lists_;
    std::size_t list_count_;
    std::vector<asio::steady_timer*> closers_;  // close() calls waiting for the drain
    struct alignas(64) shard_hold {
        std::size_t count = 0;
        std::shared_ptr<session_impl> self;
    };
    std::unique_ptr<shard_hold[]> holds_;  // list_count_ of them
};

}  // namespace async_cassandra::detail

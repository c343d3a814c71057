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
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra::detail {

// Throws session_closed for a call on an empty (moved-from or default)
// handle; `what` names the handle's type.
[[noreturn]] void throw_empty_handle(std::string_view what);

// One request's cancellation: its caller, its timeout and the session's
// close() all stop it through `signal`, on `ex` (the request's executor).
// Shared with the timeout timer's handler, which may run after the request
// ends, and with a close() that hops over to stop it.
struct request_control final : timeout_entry, std::enable_shared_from_this<request_control> {
    explicit request_control(asio::any_io_executor e) : ex(std::move(e)) {}
    // The timeout (from the executor's timeout_queue, or a timer of its own).
    void expire() override {
        timed_out = true;
        signal.emit(asio::cancellation_type::terminal);
    }
    asio::any_io_executor ex;
    asio::cancellation_signal signal;
    bool timed_out = false;
    bool closed_by_session = false;
    request_control* prev = nullptr;  // in the session's list while enlisted
    request_control* next = nullptr;
};

class session_impl : public std::enable_shared_from_this<session_impl> {
public:
    session_impl(std::shared_ptr<cluster_impl> cluster, std::string keyspace);
    session_impl(const session_impl&) = delete;
    session_impl& operator=(const session_impl&) = delete;

    cluster_impl& cluster() noexcept { return *cluster_; }
    const std::string& keyspace() const noexcept { return keyspace_; }
    bool closed() const noexcept { return closed_.load(std::memory_order_relaxed) || cluster_->closed(); }

    // Counts requests so close() can wait for them.
    void begin_request() noexcept { add(in_flight_, true, threaded_); }
    void end_request();

    // Refuses new requests, waits for those in flight for at most the
    // cluster's close_timeout, then fails the enlisted ones with
    // session_closed and returns once they have ended.
    asio::awaitable<void> close();

    // This session's requests waiting for a stream id, bounded by max_queued_requests.
    queue_quota& quota() noexcept { return quota_; }
    // Requests close() can stop at its deadline (send_request enlists them).
    void enlist(request_control& r) noexcept;
    void delist(request_control& r) noexcept;

    session_stats stats() const;

private:
    void wake_closers();
    bool any_enlisted();
    // At close()'s deadline: fails every enlisted request with session_closed.
    void stop_enlisted();
    // The closers are woken on the cluster's executor.
    void wake_closers_there();

    std::shared_ptr<cluster_impl> cluster_;
    std::string keyspace_;
    bool threaded_;
    std::atomic<std::size_t> in_flight_{0};  // stats() reads it anywhere
    std::atomic<bool> closed_{false};  // set by close(); requests read it anywhere
    std::mutex list_mutex_;            // threaded_ only: enlisted_ and the links of its entries
    queue_quota quota_;
    request_control* enlisted_ = nullptr;
    std::vector<asio::steady_timer*> closers_;  // close() calls waiting for the drain
};

}  // namespace async_cassandra::detail

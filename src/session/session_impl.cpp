#include "session/session_impl.hpp"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace async_cassandra::detail {

session_impl::session_impl(std::shared_ptr<cluster_impl> cluster, std::string keyspace)
    : cluster_(std::move(cluster)),
      keyspace_(std::move(keyspace)),
      threaded_(cluster_->runtime().threaded()),
      quota_{0, cluster_->config().max_queued_requests, threaded_},
      list_count_(threaded_ ? cluster_->runtime().shard_count() : 1) {
    lists_ = std::make_unique<std::atomic<enlisted_request*>[]>(list_count_);
    holds_ = std::make_unique<shard_hold[]>(list_count_);
    for (std::size_t i = 0; i < list_count_; ++i) lists_[i].store(nullptr, std::memory_order_relaxed);
}

void session_impl::end_request() {
    if (!threaded_) {
        in_flight_.sub(1, false);
        if (closed_.load(std::memory_order_relaxed) && in_flight_.load() == 0) wake_closers();
        return;
    }
    // Against close() (which sets closed_ and then adds the stripes up):
    // seq_cst on both sides, so that one of them sees the other. Two shards
    // ending their last requests at once may both wake the closers: harmless.
    in_flight_.sub(1, true, std::memory_order_seq_cst);
    if (closed_.load(std::memory_order_seq_cst) && in_flight_.load(std::memory_order_seq_cst) == 0)
        wake_closers_there();
}

void session_impl::wake_closers_there() {
    if (!threaded_) return wake_closers();
    asio::post(cluster_->runtime().executor(), [self = shared_from_this()] { self->wake_closers(); });
}

void session_impl::enlist(enlisted_request& r) noexcept {
    const std::size_t i = threaded_ ? cluster_->runtime().current_shard() : 0;
    r.list = i;
    r.prev = r.next = nullptr;
    if (i >= list_count_) return;  // not on a shard: not stoppable by close()
    auto* head = lists_[i].load(std::memory_order_relaxed);
    r.next = head;
    if (head) head->prev = &r;
    lists_[i].store(&r, std::memory_order_relaxed);
}

void session_impl::delist(enlisted_request& r) noexcept {
    if (r.list >= list_count_) return;
    if (r.prev)
        r.prev->next = r.next;
    else
        lists_[r.list].store(r.next, std::memory_order_relaxed);
    if (r.next) r.next->prev = r.prev;
    r.prev = r.next = nullptr;
    if (closed_.load(std::memory_order_relaxed)) {
        // Another shard's last delist may race with this one: both may wake the closers, which is harmless.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (!any_enlisted()) wake_closers_there();
    }
}

void session_impl::wake_closers() {
    for (auto* t : closers_) t->cancel();
}

asio::awaitable<void> session_impl::close() {
    closed_ = true;
    if (in_flight_.load(std::memory_order_seq_cst) == 0) co_return;
    asio::steady_timer deadline(cluster_->runtime().executor(), cluster_->config().close_timeout);
    closers_.push_back(&deadline);
    bool stopped = false;
    for (;;) {
        error_code ec;
        co_await deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (in_flight_.load(std::memory_order_seq_cst) == 0) break;
        if (stopped && !any_enlisted()) break;  // what remains cannot be stopped from here; it ends by its timeout
        if (!ec && !stopped) {
            stopped = true;
            stop_enlisted();
            deadline.expires_at(asio::steady_timer::time_point::max());
            if (!any_enlisted()) break;
            continue;
        }
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) break;  // the caller gave up waiting
    }
    std::erase(closers_, &deadline);
}

bool session_impl::any_enlisted() const noexcept {
    for (std::size_t i = 0; i < list_count_; ++i)
        if (lists_[i].load(std::memory_order_relaxed)) return true;
    return false;
}

// Completions are deferred, so the list does not change while it is walked.
void session_impl::stop_list(std::size_t i) {
    for (auto* r = lists_[i].load(std::memory_order_relaxed); r; r = r->next) r->stop_by_session();
}

void session_impl::stop_enlisted() {
    if (!threaded_) return stop_list(0);
    // Each list is walked on its own shard, where its requests run.
    for (std::size_t i = 0; i < list_count_; ++i)
        asio::post(cluster_->runtime().shard_executor(i), [self = shared_from_this(), i] { self->stop_list(i); });
}

session_stats session_impl::stats() const {
    session_stats s;
    s.in_flight = in_flight_.load();
    s.queued = quota_.waiting;
    cluster_->routing().add_totals(s.connection_in_flight, s.connection_orphaned, s.connection_queued);
    s.connections_opened = cluster_->connections_opened();
    s.connections_replaced = cluster_->connections_replaced();
    s.requests_sent = cluster_->requests_sent();
    s.retries = cluster_->counters().retries;
    s.speculative_executions = cluster_->counters().speculative;
    s.open_connections = cluster_->routing().open_connections();
    return s;
}

}  // namespace async_cassandra::detail

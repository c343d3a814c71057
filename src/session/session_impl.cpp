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
      threaded_(cluster_->threaded()),
      quota_{0, cluster_->config().max_queued_requests, threaded_} {}

namespace {
// Locks the request list when requests run on several shards.
std::unique_lock<std::mutex> list_lock(std::mutex& m, bool threaded) {
    return threaded ? std::unique_lock<std::mutex>(m) : std::unique_lock<std::mutex>();
}
}  // namespace

void session_impl::end_request() {
    if (!threaded_) {
        drop(in_flight_);
        if (in_flight_.load(std::memory_order_relaxed) == 0 && closed_) wake_closers();
        return;
    }
    if (in_flight_.fetch_sub(1) == 1 && closed_) wake_closers_there();
}

void session_impl::wake_closers_there() {
    if (!threaded_) return wake_closers();
    asio::post(cluster_->executor(), [self = shared_from_this()] { self->wake_closers(); });
}

void session_impl::enlist(request_control& r) noexcept {
    auto lock = list_lock(list_mutex_, threaded_);
    r.prev = nullptr;
    r.next = enlisted_;
    if (enlisted_) enlisted_->prev = &r;
    enlisted_ = &r;
}

void session_impl::delist(request_control& r) noexcept {
    auto lock = list_lock(list_mutex_, threaded_);
    if (r.prev)
        r.prev->next = r.next;
    else
        enlisted_ = r.next;
    if (r.next) r.next->prev = r.prev;
    r.prev = r.next = nullptr;
    if (closed_ && !enlisted_) {
        lock = {};
        wake_closers_there();
    }
}

void session_impl::wake_closers() {
    for (auto* t : closers_) t->cancel();
}

asio::awaitable<void> session_impl::close() {
    closed_ = true;
    if (in_flight_ == 0) co_return;
    asio::steady_timer deadline(cluster_->executor(), cluster_->config().close_timeout);
    closers_.push_back(&deadline);
    bool stopped = false;
    for (;;) {
        std::error_code ec;
        co_await deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (in_flight_ == 0) break;
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

bool session_impl::any_enlisted() {
    auto lock = list_lock(list_mutex_, threaded_);
    return enlisted_ != nullptr;
}

void session_impl::stop_enlisted() {
    if (!threaded_) {
        // Completions are deferred, so the list does not change under us.
        for (auto* r = enlisted_; r; r = r->next) {
            r->closed_by_session = true;
            r->signal.emit(asio::cancellation_type::terminal);
        }
        return;
    }
    // Each request is stopped on its own executor, where its signal is
    // emitted and its slot cleared.
    auto lock = list_lock(list_mutex_, threaded_);
    for (auto* r = enlisted_; r; r = r->next)
        asio::post(r->ex, [ctl = r->shared_from_this()] {
            ctl->closed_by_session = true;
            ctl->signal.emit(asio::cancellation_type::terminal);
        });
}

session_stats session_impl::stats() const {
    session_stats s;
    s.in_flight = in_flight_;
    s.queued = quota_.waiting;
    cluster_->add_totals(s.connection_in_flight, s.connection_orphaned, s.connection_queued);
    s.connections_opened = cluster_->connections_opened();
    s.connections_replaced = cluster_->connections_replaced();
    s.requests_sent = cluster_->requests_sent();
    s.retries = cluster_->counters().retries;
    s.speculative_executions = cluster_->counters().speculative;
    s.open_connections = cluster_->open_connections();
    return s;
}

}  // namespace async_cassandra::detail

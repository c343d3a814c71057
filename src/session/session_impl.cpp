#include "session/session_impl.hpp"

#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace async_cassandra::detail {

session_impl::session_impl(std::shared_ptr<cluster_impl> cluster, std::string keyspace)
    : cluster_(std::move(cluster)),
      keyspace_(std::move(keyspace)),
      quota_{0, cluster_->config().max_queued_requests, cluster_->threaded()} {}

void session_impl::end_request() {
    drop(in_flight_);
    if (in_flight_.load(std::memory_order_relaxed) == 0 && closed_) wake_closers();
}

void session_impl::enlist(request_control& r) noexcept {
    r.prev = nullptr;
    r.next = enlisted_;
    if (enlisted_) enlisted_->prev = &r;
    enlisted_ = &r;
}

void session_impl::delist(request_control& r) noexcept {
    if (r.prev)
        r.prev->next = r.next;
    else
        enlisted_ = r.next;
    if (r.next) r.next->prev = r.prev;
    r.prev = r.next = nullptr;
    if (closed_ && !enlisted_) wake_closers();
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
        if (stopped && !enlisted_) break;  // what remains cannot be stopped from here; it ends by its timeout
        if (!ec && !stopped) {
            // The deadline: stop what is left. Completions are deferred, so
            // the list does not change under us.
            stopped = true;
            for (auto* r = enlisted_; r; r = r->next) {
                r->closed_by_session = true;
                r->signal.emit(asio::cancellation_type::terminal);
            }
            deadline.expires_at(asio::steady_timer::time_point::max());
            if (!enlisted_) break;
            continue;
        }
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) break;  // the caller gave up waiting
    }
    std::erase(closers_, &deadline);
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

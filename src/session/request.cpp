#include "session/request.hpp"

#include "session/session_impl.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <optional>

namespace async_cassandra::detail {

namespace {

// Keeps a request in its session's list for exactly as long as it runs.
class enlistment {
public:
    enlistment(session_impl* s, enlisted_request& r) : s_(s), r_(r) {
        if (s_) s_->enlist(r_);
    }
    ~enlistment() {
        if (s_) s_->delist(r_);
    }
    enlistment(const enlistment&) = delete;
    enlistment& operator=(const enlistment&) = delete;

private:
    session_impl* s_;
    enlisted_request& r_;
};

// Takes a request out of its timeout queue on every way out.
class queued_timeout {
public:
    queued_timeout(timeout_queue* q, timeout_entry& e) : q_(q), e_(e) {}
    ~queued_timeout() { release(); }
    void release() noexcept {
        if (q_) q_->remove(e_);
        q_ = nullptr;
    }
    queued_timeout(const queued_timeout&) = delete;
    queued_timeout& operator=(const queued_timeout&) = delete;

private:
    timeout_queue* q_;
    timeout_entry& e_;
};

}  // namespace

std::string queue_full_message(const connection& conn, const queue_quota& quota, bool session) {
    return std::to_string(quota.waiting.load(std::memory_order_relaxed)) +
           " requests already wait for a stream id (cluster_config.max_queued_requests = " +
           std::to_string(quota.limit) + (session ? ", per session" : ", per connection") + ") while " +
           conn.endpoint() + " carries " + std::to_string(conn.reserved()) +
           " requests (cluster_config.max_requests_per_connection = " + std::to_string(conn.max_requests()) + ")";
}

std::string describe_failure(const connection& conn, session_impl* session, std::chrono::milliseconds timeout,
                             bool timed_out, bool closed_by_session, error_code& ec) {
    const auto& where = conn.endpoint();
    queue_quota* quota = session ? &session->quota() : nullptr;
    if (ec == asio::error::operation_aborted && timed_out) {
        ec = client_errc::request_timeout;
        return "no response from " + where + " within " + std::to_string(timeout.count()) + " ms";
    }
    if (ec == asio::error::operation_aborted && closed_by_session) {
        ec = client_errc::session_closed;
        return "the session closed (cluster_config.close_timeout = " +
               std::to_string(session->cluster().config().close_timeout.count()) + " ms) before " + where + " answered";
    }
    if (ec == asio::error::operation_aborted) return "cancelled";
    if (ec == client_errc::too_many_requests)
        return quota ? queue_full_message(conn, *quota, true)
                     : "no room on " + where + ": " + std::to_string(conn.queued()) +
                           " requests already wait for a stream id (cluster_config.max_queued_requests) and " +
                           std::to_string(conn.reserved()) +
                           " are in flight (cluster_config.max_requests_per_connection = " +
                           std::to_string(conn.max_requests()) + ")";
    if (ec == client_errc::request_too_large) return "the request exceeds the protocol's size limits";
    if (ec == client_errc::session_closed) return "the cluster closed before " + where + " answered";
    return "connection to " + where + " lost: " + conn.close_reason();
}

asio::awaitable<request_outcome> send_attempt(connection& conn, protocol::opcode op, body_writer body,
                                              std::chrono::milliseconds timeout, std::uint8_t flags,
                                              session_impl* session) {
    request_outcome out;
    {
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            out.ec = asio::error::operation_aborted;
            out.message = "cancelled";
            co_return out;
        }
    }
    // Partial and total cancellation reach the request too, not only terminal.
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());

    queue_quota* quota = session ? &session->quota() : nullptr;
    if (quota && !conn.has_room() && quota->waiting >= quota->limit) {
        out.ec = client_errc::too_many_requests;
        out.message = queue_full_message(conn, *quota, true);
        co_return out;
    }

    // On this coroutine's executor (a shard's with io_threads > 1), where
    // the signal is emitted and its slot cleared.
    const auto ex = co_await asio::this_coro::executor;
    auto ctl = std::make_shared<request_control>();
    enlistment listed(session, *ctl);
    // The timeout: an entry in the executor's queue (no timer of its own),
    // else a timer (the cluster's own requests on its strand).
    timeout_queue* timeouts = session ? session->cluster().runtime().timeouts_here() : nullptr;
    std::optional<asio::steady_timer> timer;
    queued_timeout queued(timeouts, *ctl);
    if (timeouts) {
        timeouts->add(*ctl, std::chrono::steady_clock::now(), timeout);
    } else {
        timer.emplace(ex, timeout);
        timer->async_wait([ctl](error_code ec) {
            if (!ec) ctl->expire();
        });
    }
    // The caller's cancellation reaches the request through the same signal.
    auto cs = co_await asio::this_coro::cancellation_state;
    auto parent = cs.slot();
    if (parent.is_connected()) parent.assign([ctl](asio::cancellation_type t) { ctl->signal.emit(t); });

    out.response = co_await conn.async_request(
        op, flags, body,
        asio::bind_cancellation_slot(ctl->signal.slot(), asio::redirect_error(asio::use_awaitable, out.ec)), quota);
    if (timer) timer->cancel();
    queued.release();
    if (parent.is_connected()) parent.clear();
    if (!out.ec) co_return out;

    out.message = describe_failure(conn, session, timeout, ctl->timed_out, ctl->closed_by_session, out.ec);
    co_return out;
}

}  // namespace async_cassandra::detail

#include "connection/resolve.hpp"

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace async_cassandra::detail {

namespace {

// Shared by the waiting coroutine and the lookup's thread, which may
// outlive it (and its io_context): so it holds no I/O object, whose
// destructor would touch a context that may be gone. The timer lives in the
// waiter's frame; `timer` is valid while not abandoned, both under `m`.
struct lookup_state {
    explicit lookup_state(asio::any_io_executor e) : ex(std::move(e)) {}
    std::mutex m;
    bool abandoned = false;  // the waiter is gone: post nothing
    bool done = false;
    error_code ec;
    endpoint_list found;
    asio::any_io_executor ex;             // the waiter's
    asio::steady_timer* timer = nullptr;  // in the waiter's frame
};

// The process's lookup threads: at most max_lookup_threads, each running
// queued lookups until none is left.
class lookup_pool {
public:
    static lookup_pool& instance() {
        static lookup_pool* pool = new lookup_pool;  // never destroyed: detached threads use it to the end
        return *pool;
    }

    // Runs `job` on a lookup thread, now or once one is free. Throws
    // std::system_error when no thread can be started and none runs.
    void submit(std::function<void()> job) {
        std::unique_lock lock(m_);
        queue_.push_back(std::move(job));
        if (threads_ >= max_lookup_threads) return;  // a running thread will take it
        ++threads_;
        lock.unlock();
        try {
            std::thread([this] { work(); }).detach();
        } catch (...) {
            lock.lock();
            --threads_;
            if (threads_ == 0) queue_.clear();
            throw;
        }
    }

    std::size_t threads() {
        std::lock_guard lock(m_);
        return threads_;
    }

private:
    void work() {
        std::unique_lock lock(m_);
        while (!queue_.empty()) {
            auto job = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            job();
            lock.lock();
        }
        --threads_;
    }

    std::mutex m_;
    std::deque<std::function<void()>> queue_;
    std::size_t threads_ = 0;
};

}  // namespace

std::size_t lookup_threads() { return lookup_pool::instance().threads(); }

endpoint_list blocking_lookup(const std::string& host, std::uint16_t port, error_code& ec) {
    asio::io_context local;  // the synchronous resolve runs on the calling thread
    asio::ip::tcp::resolver r(local);
    endpoint_list out;
    for (const auto& e : r.resolve(host, std::to_string(port), ec)) out.push_back(e.endpoint());
    return out;
}

asio::awaitable<error_code> resolve(const std::string& host, std::uint16_t port,
                                    std::chrono::steady_clock::time_point deadline, endpoint_list& out,
                                    const lookup_fn& lookup) {
    error_code ec;
    const auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
        out = {asio::ip::tcp::endpoint(literal, port)};
        co_return error_code{};
    }
    const auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, deadline);  // before on_exit: it outlives the abandonment
    auto st = std::make_shared<lookup_state>(ex);
    st->timer = &timer;
    struct abandon {  // however this frame ends (even destroyed unresumed)
        std::shared_ptr<lookup_state> st;
        ~abandon() {
            std::lock_guard lock(st->m);
            st->abandoned = true;
        }
    } on_exit{st};
    try {
        lookup_pool::instance().submit([st, host, port, lookup] {
            {
                std::lock_guard lock(st->m);
                if (st->abandoned) return;  // its deadline passed while it was queued
            }
            error_code e;
            auto found = lookup(host, port, e);
            std::lock_guard lock(st->m);
            if (st->abandoned) return;
            st->ec = e;
            st->found = std::move(found);
            st->done = true;
            asio::post(st->ex, [st] {
                std::lock_guard relock(st->m);
                if (!st->abandoned) st->timer->cancel();
            });
        });
    } catch (const std::system_error& e) {
        co_return e.code();  // no thread to spare
    }
    error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    {
        std::lock_guard lock(st->m);
        if (!st->done) {
            ec = make_error_code(asio::error::timed_out);
        } else {
            ec = st->ec;
            out = std::move(st->found);
        }
    }
    if (!ec && out.empty()) ec = make_error_code(asio::error::host_not_found);
    co_return ec;
}

}  // namespace async_cassandra::detail

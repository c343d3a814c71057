// The completion handler of every coroutine the library starts detached
// (asio::co_spawn): the rule is that none may end on an exception silently.
// An exception is logged at error level and counted; a loop the library
// cannot do without (a pool's maintenance, the control connection's
// reconnection) passes `restart`, run after `restart_delay` on `ex`.
#pragma once

#include "metrics/logger.hpp"

#include <async_cassandra/detail/error_code.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace async_cassandra::detail {

class spawn_guard {
public:
    struct options {
        logger log;
        std::string what;                                    // "the connection pool of 10.0.0.1:9042", ...
        std::shared_ptr<std::atomic<std::size_t>> failures;  // counted when set
        std::function<void()> restart;                       // none: the coroutine stays ended
        asio::any_io_executor ex;                            // where restart runs
        std::chrono::milliseconds restart_delay{0};
    };

    explicit spawn_guard(options o) : o_(std::make_shared<const options>(std::move(o))) {}

    void operator()(std::exception_ptr e) const {
        if (!e) return;
        const auto& o = *o_;
        if (o.failures) o.failures->fetch_add(1, std::memory_order_relaxed);
        const bool restarts = o.restart && o.ex;
        o.log.error([&] {
            return o.what + " ended on an exception: " + describe(e) +
                   (restarts ? "; restarting in " + std::to_string(o.restart_delay.count()) + " ms"
                             : "; it is not restarted");
        });
        if (!restarts) return;
        auto t = std::make_shared<asio::steady_timer>(o.ex, o.restart_delay);
        t->async_wait([t, s = o_](error_code ec) {
            if (!ec) s->restart();
        });
    }

    // What an exception says, whatever its type.
    static std::string describe(const std::exception_ptr& e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            return x.what();
        } catch (...) {
            return "an exception not derived from std::exception";
        }
    }

private:
    std::shared_ptr<const options> o_;
};

}  // namespace async_cassandra::detail

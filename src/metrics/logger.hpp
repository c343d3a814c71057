// The library's own logging: a level check, then the user's sink. A message
// is only built when its level passes, so a disabled logger costs a compare.
#pragma once

#include <async_cassandra/logging.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace async_cassandra::detail {

class logger {
public:
    logger() = default;
    // Without a sink nothing is logged, whatever the level.
    logger(log_sink sink, log_level threshold)
        : sink_(std::move(sink)), threshold_(sink_ ? threshold : log_level::off) {}

    bool enabled(log_level level) const noexcept { return level >= threshold_ && level != log_level::off; }

    // `make` (a callable returning something convertible to string_view,
    // e.g. std::string) runs only when `level` is enabled.
    template <class MakeMessage>
    void log(log_level level, MakeMessage&& make) const {
        if (enabled(level)) emit(level, std::forward<MakeMessage>(make)());
    }
    // A message that costs nothing to make.
    void log(log_level level, const char* message) const {
        if (enabled(level)) emit(level, message);
    }

    template <class M>
    void trace(M&& m) const {
        log(log_level::trace, std::forward<M>(m));
    }
    template <class M>
    void debug(M&& m) const {
        log(log_level::debug, std::forward<M>(m));
    }
    template <class M>
    void info(M&& m) const {
        log(log_level::info, std::forward<M>(m));
    }
    template <class M>
    void warn(M&& m) const {
        log(log_level::warn, std::forward<M>(m));
    }
    template <class M>
    void error(M&& m) const {
        log(log_level::error, std::forward<M>(m));
    }

private:
    void emit(log_level level, std::string_view message) const noexcept {
        try {
            sink_(level, message);
        } catch (...) {
            // A failing sink must not fail the request that logs.
        }
    }

    log_sink sink_;
    log_level threshold_ = log_level::off;
};

}  // namespace async_cassandra::detail

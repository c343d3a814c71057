#include "progress.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace demo {

using clock_type = std::chrono::steady_clock;

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

struct progress_meter::state {
    asio::steady_timer timer;
    std::string phase;
    std::uint64_t total;
    bool tty;
    std::uint64_t done = 0;
    bool stopped = false;
    clock_type::time_point start = clock_type::now();
    // The rate shown while running is over the last tick, so it follows the
    // current speed rather than the average since the start.
    clock_type::time_point last_tick = start;
    std::uint64_t last_done = 0;

    state(asio::any_io_executor ex, std::string p, std::uint64_t t, bool is_tty)
        : timer(std::move(ex)), phase(std::move(p)), total(t), tty(is_tty) {}

    void print(double rate, bool final) const {
        const double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
        const auto rows = with_commas(done) + "/" + with_commas(total) + " rows";
        const auto per_s = with_commas(static_cast<std::uint64_t>(rate)) + " rows/s";
        if (tty) {
            constexpr int width = 30;
            const int filled = std::clamp(static_cast<int>(fraction * width), 0, width);
            const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                                    std::string(static_cast<std::size_t>(width - filled), '.');
            // Time left at the average rate so far.
            const std::chrono::duration<double> elapsed = clock_type::now() - start;
            std::string eta;
            if (!final && done > 0 && done < total)
                eta = "  " +
                      std::to_string(static_cast<long>(
                          std::ceil(elapsed.count() * static_cast<double>(total - done) / static_cast<double>(done)))) +
                      " s left";
            // \r and "erase to end of line": the line is redrawn in place.
            std::fprintf(stderr, "\r\x1b[K%-7s [%s] %5.1f%%  %s  %s%s%s", phase.c_str(), bar.c_str(), fraction * 100,
                         rows.c_str(), per_s.c_str(), eta.c_str(), final ? "\n" : "");
        } else {
            std::fprintf(stderr, "%s: %s (%.1f%%), %s%s\n", phase.c_str(), rows.c_str(), fraction * 100, per_s.c_str(),
                         final ? ", done" : "");
        }
        std::fflush(stderr);
    }

    void tick() {
        const auto now = clock_type::now();
        const std::chrono::duration<double> dt = now - last_tick;
        const double rate = dt.count() > 0 ? static_cast<double>(done - last_done) / dt.count() : 0;
        last_tick = now;
        last_done = done;
        print(rate, false);
    }
};

asio::awaitable<void> progress_meter::tick_loop(std::shared_ptr<state> s) {
    const auto interval = s->tty ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
    while (!s->stopped) {
        s->timer.expires_after(interval);
        co_await s->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (!s->stopped) s->tick();
    }
}

progress_meter::progress_meter(asio::any_io_executor ex, std::string phase, std::uint64_t total, bool tty)
    : state_(std::make_shared<state>(ex, std::move(phase), total, tty)) {
    asio::co_spawn(ex, tick_loop(state_), asio::detached);
}

progress_meter::~progress_meter() {
    state_->stopped = true;
    state_->timer.cancel();
}

void progress_meter::add(std::uint64_t rows) noexcept { state_->done += rows; }
std::uint64_t progress_meter::done() const noexcept { return state_->done; }

std::chrono::duration<double> progress_meter::finish() {
    const std::chrono::duration<double> took = clock_type::now() - state_->start;
    if (!state_->stopped) {
        state_->stopped = true;
        state_->timer.cancel();
        state_->print(took.count() > 0 ? static_cast<double>(state_->done) / took.count() : 0, true);
    }
    return took;
}

}  // namespace demo

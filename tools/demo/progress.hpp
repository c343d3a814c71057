// Live progress of one phase on stderr: a bar redrawn in place when stderr is
// a terminal, a plain line every few seconds otherwise (logs, CTest).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace demo {

// "1,234,567"
std::string with_commas(std::uint64_t n);

// Counts rows done out of `total` and redraws itself on a timer of the
// executor it was made on. Single-threaded: add() and finish() must run on
// that executor (the demo uses one io_context thread).
class progress_meter {
public:
    progress_meter(asio::any_io_executor ex, std::string phase, std::uint64_t total, bool tty);
    progress_meter(const progress_meter&) = delete;
    progress_meter& operator=(const progress_meter&) = delete;
    ~progress_meter();

    // A plain counter bump: cheap enough for every row.
    void add(std::uint64_t rows) noexcept;
    std::uint64_t done() const noexcept;
    // Stops the timer and prints the final line; returns the phase's duration.
    std::chrono::duration<double> finish();

private:
    struct state;
    static asio::awaitable<void> tick_loop(std::shared_ptr<state> s);
    std::shared_ptr<state> state_;  // shared with the timer's coroutine
};

}  // namespace demo

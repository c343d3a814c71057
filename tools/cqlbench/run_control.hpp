// The clock of a run, shared by the client workers and the ceiling loop:
// warm-up, then a measured phase ending after --duration or --ops; the
// --rate schedule; the latency histogram and counters; the progress line.
#pragma once

#include "options.hpp"
#include "report.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>
#include <system_error>

namespace cqlbench {

using bench_clock = std::chrono::steady_clock;

// Leave to start one op.
struct op_ticket {
    bench_clock::time_point start;  // when it is due: latency counts from here
    std::uint64_t seq = 0;          // ops claimed before it (for --dist seq)
    bool measured = false;          // claimed in the measured phase
};

// Create with make_shared (its timers keep it alive). Its timers run on its
// executor; claim() and record() may be called from any thread.
//
// With --threads > 1 each thread records into a lane of its own, so the
// bench's bookkeeping adds no cross-core traffic to the client's CPU per
// request: a lane's lock is taken by its thread per op and by the progress
// line and finish() (never contended in steady state), and claim() touches
// shared state only for --ops, --rate or --dist seq (one atomic add).
class run_control : public std::enable_shared_from_this<run_control> {
public:
    run_control(asio::any_io_executor ex, const options& o, std::string mode, std::string workload);

    // Starts the clock (warm-up, or measuring at once) and the progress line.
    void begin();
    // The next op, or nullopt when the run is over. With --rate its start
    // may lie ahead: the caller waits until then.
    std::optional<op_ticket> claim() noexcept;
    // A claimed op ended; `error` is the failure's kind ("" for success).
    void record(const op_ticket& t, bench_clock::time_point end, std::string_view error, std::uint64_t rows) {
        if (!t.measured) return;
        auto& l = lane_here();
        auto lock = l.guard(locking_);
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(end - t.start).count();
        l.result.latency.record(static_cast<std::uint64_t>(ns > 0 ? ns : 0));
        ++l.result.ops;
        l.result.rows += rows;
        if (end > l.last_end) l.last_end = end;
        if (!error.empty()) note_error(l.result, error);
    }
    bool stopped() const noexcept { return stop_; }
    // Ends the run: no op is claimed any more.
    void stop() noexcept { stop_ = true; }
    // After every op has ended: the figures.
    run_result finish();

private:
    // One thread's figures.
    struct lane {
        std::mutex mutex;
        run_result result;
        bench_clock::time_point last_end{};
        std::unique_lock<std::mutex> guard(bool locking) {
            return locking ? std::unique_lock<std::mutex>(mutex) : std::unique_lock<std::mutex>();
        }
    };
    lane& lane_here();
    // Every lane's figures so far, added up (their locks taken in turn).
    run_result merged(bench_clock::time_point& last_end);
    void start_measuring();
    static void note_error(run_result& r, std::string_view kind);
    void tick();
    bool shared_sequence() const noexcept;

    const options& o_;
    bool locking_;
    std::mutex mutex_;  // lanes_ and the phase
    std::vector<std::unique_ptr<lane>> lanes_;
    asio::steady_timer phase_timer_;
    asio::steady_timer progress_timer_;
    bool show_progress_ = false;
    bool printed_progress_ = false;
    std::atomic<bool> stop_{false};
    std::atomic<bool> measuring_{false};
    std::atomic<std::uint64_t> claimed_{0};  // measured ops claimed (--ops)
    std::atomic<std::uint64_t> seq_{0};      // all ops claimed (--rate, --dist seq)
    std::string mode_, workload_;
    bench_clock::time_point begin_, measure_start_, next_tick_, last_tick_;
    bench_clock::duration interval_{};  // --rate: time between op starts
    std::uint64_t id_;
    double cpu_at_start_ = 0;
    histogram last_tick_hist_;
    std::uint64_t last_tick_ops_ = 0;
};

// This process's CPU time so far (user + system), in seconds.
double process_cpu_seconds();

}  // namespace cqlbench

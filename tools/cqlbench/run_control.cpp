#include "run_control.hpp"

#include "bench.hpp"

#include <asio/co_spawn.hpp>
#include <asio/strand.hpp>

#include <mutex>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace cqlbench {

double process_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    return sec(u.ru_utime) + sec(u.ru_stime);
}

namespace {
std::atomic<std::uint64_t> next_run_id{1};
}

run_control::run_control(asio::any_io_executor ex, const options& o, std::string mode, std::string workload)
    : o_(o),
      locking_(o.threads > 1),
      phase_timer_(ex),
      progress_timer_(ex),
      mode_(std::move(mode)),
      workload_(std::move(workload)),
      id_(next_run_id.fetch_add(1)) {
    show_progress_ = o.progress.value_or(isatty(STDERR_FILENO) == 1);
    if (o.rate > 0)
        interval_ = std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(1.0 / o.rate));
}

run_control::lane& run_control::lane_here() {
    // The lane of this thread for this run (runs are told apart by id:
    // another run_control may later live at the same address).
    thread_local std::uint64_t run = 0;
    thread_local lane* mine = nullptr;
    if (run != id_) {
        std::lock_guard lock(mutex_);
        lanes_.push_back(std::make_unique<lane>());
        mine = lanes_.back().get();
        run = id_;
    }
    return *mine;
}

void run_control::begin() {
    begin_ = bench_clock::now();
    if (o_.warmup_s > 0) {
        phase_timer_.expires_after(
            std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(o_.warmup_s)));
        phase_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
            if (!ec && !self->stop_) self->start_measuring();
        });
    } else {
        start_measuring();
    }
    if (show_progress_) {
        next_tick_ = begin_ + std::chrono::seconds(1);
        progress_timer_.expires_at(next_tick_);
        progress_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
            if (!ec) self->tick();
        });
    }
}

void run_control::start_measuring() {
    {
        std::lock_guard lock(mutex_);
        measure_start_ = bench_clock::now();
        cpu_at_start_ = process_cpu_seconds();
    }
    measuring_ = true;
    if (o_.ops) return;  // ends when the ops are claimed
    phase_timer_.expires_after(
        std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(o_.duration_s)));
    phase_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
        if (!ec) self->stop_ = true;
    });
}

bool run_control::shared_sequence() const noexcept { return interval_.count() > 0 || o_.dist == key_distribution::seq; }

std::optional<op_ticket> run_control::claim() noexcept {
    if (stop_) return std::nullopt;
    op_ticket t;
    t.measured = measuring_.load(std::memory_order_relaxed);
    if (t.measured && o_.ops && claimed_.fetch_add(1, std::memory_order_relaxed) >= *o_.ops) {
        stop_ = true;
        return std::nullopt;
    }
    if (shared_sequence()) t.seq = seq_.fetch_add(1, std::memory_order_relaxed);
    t.start = interval_.count() > 0 ? begin_ + interval_ * static_cast<std::int64_t>(t.seq) : bench_clock::now();
    return t;
}

void run_control::note_error(run_result& r, std::string_view kind) {
    ++r.errors;
    auto it = r.errors_by_kind.find(kind);
    if (it == r.errors_by_kind.end()) it = r.errors_by_kind.emplace(std::string(kind), 0).first;
    ++it->second;
}

run_result run_control::merged(bench_clock::time_point& last_end) {
    run_result r;
    last_end = measure_start_;
    std::lock_guard lock(mutex_);
    for (auto& l : lanes_) {
        auto g = l->guard(locking_);
        r.latency.add(l->result.latency);
        r.ops += l->result.ops;
        r.rows += l->result.rows;
        r.errors += l->result.errors;
        for (const auto& [kind, n] : l->result.errors_by_kind) r.errors_by_kind[kind] += n;
        if (l->last_end > last_end) last_end = l->last_end;
    }
    return r;
}

void run_control::tick() {
    const auto now = bench_clock::now();
    const double elapsed = std::chrono::duration<double>(now - begin_).count();
    if (measuring_) {
        bench_clock::time_point last_end;
        const auto r = merged(last_end);
        const auto interval = r.latency.since(last_tick_hist_);
        // Ticks run late on a busy machine: divide by the time that passed.
        const auto since = std::max(now, measure_start_) - std::max(last_tick_, measure_start_);
        const double seconds = std::max(std::chrono::duration<double>(since).count(), 1e-3);
        std::fprintf(stderr, "\r%7.1f s  ops %-10llu  ops/s %-9.0f  errors %-6llu  p99 %.0f us     ", elapsed,
                     static_cast<unsigned long long>(r.ops), static_cast<double>(r.ops - last_tick_ops_) / seconds,
                     static_cast<unsigned long long>(r.errors), static_cast<double>(interval.percentile(99)) / 1000.0);
        last_tick_hist_ = r.latency;
        last_tick_ops_ = r.ops;
    } else {
        std::fprintf(stderr, "\r%7.1f s  warming up     ", elapsed);
    }
    std::fflush(stderr);
    last_tick_ = now;
    printed_progress_ = true;
    if (stop_) return;
    next_tick_ += std::chrono::seconds(1);
    progress_timer_.expires_at(next_tick_);
    progress_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
        if (!ec) self->tick();
    });
}

run_result run_control::finish() {
    stop_ = true;
    phase_timer_.cancel();
    progress_timer_.cancel();
    if (printed_progress_) std::fputc('\n', stderr);
    bench_clock::time_point last_end;
    auto r = merged(last_end);
    r.mode = mode_;
    r.workload = workload_;
    r.concurrency = o_.concurrency;
    if (measuring_) {
        r.duration_s = std::chrono::duration<double>(last_end - measure_start_).count();
        r.cpu_s = process_cpu_seconds() - cpu_at_start_;
    }
    return r;
}

outcome run_blocking(asio::io_context& io, const options& o, std::function<void()> on_done,
                     std::chrono::seconds limit) {
    outcome out;
    out.failure = "did not finish";
    // One thread runs `io` (the bench's own coroutine and timers); with
    // --threads > 1 the workers run on the session's shards, the threads
    // the cluster starts (client.cpp).
    auto ex = asio::any_io_executor(io.get_executor());
    asio::co_spawn(ex, run(o), [&](std::exception_ptr e, run_result r) {
        out.failure.clear();
        if (!e) {
            out.result = std::move(r);
        } else {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                out.failure = x.what();
            }
        }
        if (on_done) on_done();
    });
    auto run_io = [&] {
        try {
            if (limit.count() > 0)
                io.run_for(limit);
            else
                io.run();
        } catch (const std::exception& x) {
            out.failure = x.what();
        }
    };
    run_io();
    if (!out.result && out.failure.empty()) out.failure = "did not finish";
    return out;
}

}  // namespace cqlbench

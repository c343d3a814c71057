// With io_threads > 1 the cluster's shards run on event loops of their own:
// one io_context per shard, each run by one thread the cluster starts.
// Measured on Asio 1.22 (docs/benchmarks.md, "Threads"): strands over one
// io_context run by several threads spent half their time waking each other
// through the shared scheduler, and two threads were slower than one; loops
// of their own share nothing on a request's path.
#pragma once

#include <async_cassandra/detail/striped_counter.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace async_cassandra::detail {

class shard_loops {
public:
    // Starts `n` loops, each on a thread of its own.
    explicit shard_loops(std::size_t n);
    // Stops and joins the loops (never call it on one of them: see retire()).
    ~shard_loops();
    shard_loops(const shard_loops&) = delete;
    shard_loops& operator=(const shard_loops&) = delete;

    std::size_t size() const noexcept { return loops_.size(); }
    asio::any_io_executor executor(std::size_t i) { return loops_[i]->io.get_executor(); }
    // The calling thread runs one of the loops.
    bool on_loop_thread() const noexcept { return current_loops == this; }
    // The loop the calling thread runs, or size().
    std::size_t current() const noexcept { return current_loops == this ? this_thread_stripe() : size(); }
    // Stops the loops (each thread ends after the handler it runs) and waits for their threads.
    void stop_and_join();

    // Ends `loops` from one of their own threads, without blocking it: a
    // reaper thread (joined at process exit) stops them, waits until every handler running now
    // (the caller's included) has returned, and then destroys them.
    static void retire(std::unique_ptr<shard_loops> loops);

private:
    static thread_local const shard_loops* current_loops;  // set by each loop's thread
    struct loop {
        asio::io_context io{1};
        asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
        std::thread thread;
    };
    std::vector<std::unique_ptr<loop>> loops_;
};

}  // namespace async_cassandra::detail

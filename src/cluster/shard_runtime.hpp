// Where a cluster's code runs: the cluster's executor (with io_threads > 1 a
// strand of the caller's), and with io_threads > 1 the shards, each an event
// loop with a thread of its own that runs requests and pool connections
// (docs/threads.md). Also each shard's request timeouts. Knows nothing of
// hosts or connections.
#pragma once

#include "cluster/run_on.hpp"
#include "cluster/shard_loops.hpp"
#include "connection/timeout_queue.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <memory>
#include <vector>

namespace async_cassandra::detail {

class shard_runtime {
public:
    // `ex`: the caller's executor; with `io_threads` > 1 the cluster's
    // executor is a strand of what is under it, and the shards start.
    shard_runtime(asio::any_io_executor ex, std::size_t io_threads);
    // Stops and joins the shards' threads unless stop() did (never on one of them).
    ~shard_runtime();
    shard_runtime(const shard_runtime&) = delete;
    shard_runtime& operator=(const shard_runtime&) = delete;

    // Ends the shards' threads, so that their sockets and timers can be
    // destroyed next; the loops themselves go with this object. On a
    // shard's own thread (the last reference dropped by a request) a reaper
    // thread ends them instead.
    void stop();

    bool threaded() const noexcept { return threaded_; }
    // The cluster's executor: its state (hosts, pools, control connection) lives there.
    const asio::any_io_executor& executor() const noexcept { return ex_; }
    // Where a request started here runs: the caller's shard when it runs on
    // one, else the next shard in turn; single-threaded, executor().
    asio::any_io_executor request_executor() const;
    std::size_t shard_count() const noexcept { return shards_.size(); }
    // The shard the calling thread runs on, or shard_count().
    std::size_t current_shard() const noexcept { return loops_ ? loops_->current() : 0; }
    // The caller runs where requests run: on a shard, or (io_threads = 1)
    // on the cluster's executor.
    bool on_request_executor() const noexcept {
        return threaded_ ? current_shard() < shards_.size() : running_in_this_thread(ex_);
    }
    // Shard i's executor (threaded only).
    const asio::any_io_executor& shard_executor(std::size_t i) const noexcept { return shard_ex_[i]; }
    // The request timeouts of the executor the caller runs on (the cluster's
    // when single-threaded, its shard's), or null on another (the cluster's
    // strand when threaded): such a request arms a timer of its own.
    timeout_queue* timeouts_here() const noexcept;

private:
    bool threaded_;
    // Declared first, destroyed last: every socket and timer of the shards goes before them.
    std::unique_ptr<shard_loops> loops_;
    asio::any_io_executor ex_;  // the caller's, or with threaded_ a strand over what is under it
    std::vector<asio::strand<asio::any_io_executor>> shards_;  // a strand on each of loops_
    std::vector<asio::any_io_executor> shard_ex_;              // the same, type-erased
    mutable std::atomic<std::size_t> next_shard_{0};
    std::vector<std::shared_ptr<timeout_queue>> timeouts_;  // one per shard; single-threaded: ex_'s
};

}  // namespace async_cassandra::detail

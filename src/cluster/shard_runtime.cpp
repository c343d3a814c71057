#include "cluster/shard_runtime.hpp"

#include <asio/io_context.hpp>

#include <typeinfo>

namespace async_cassandra::detail {

namespace {
// Threaded, the strands are made on what is under a strand the caller
// passed: strands of a strand would run one at a time again.
asio::any_io_executor under_strand(const asio::any_io_executor& ex) {
    // (Asio 1.22's target<T>() does not check the type itself.)
    using any_strand = asio::strand<asio::any_io_executor>;
    using io_strand = asio::strand<asio::io_context::executor_type>;
    if (ex.target_type() == typeid(any_strand)) return ex.target<any_strand>()->get_inner_executor();
    if (ex.target_type() == typeid(io_strand)) return ex.target<io_strand>()->get_inner_executor();
    return ex;
}
}  // namespace

shard_runtime::shard_runtime(asio::any_io_executor ex, std::size_t io_threads)
    : threaded_(io_threads > 1),
      ex_(threaded_ ? asio::any_io_executor(asio::make_strand(under_strand(ex))) : std::move(ex)) {
    if (!threaded_) {
        timeouts_.push_back(std::make_shared<timeout_queue>(ex_));
        return;
    }
    loops_ = std::make_unique<shard_loops>(io_threads);
    // A strand on a loop run by one thread orders nothing more, but lets
    // a caller tell which shard it runs on and hop onto one (async_run).
    for (std::size_t i = 0; i < loops_->size(); ++i) {
        shards_.push_back(asio::make_strand(loops_->executor(i)));
        shard_ex_.emplace_back(shards_.back());  // made once: a copy is then a reference count, not an allocation
        timeouts_.push_back(std::make_shared<timeout_queue>(shard_ex_.back()));
    }
}

shard_runtime::~shard_runtime() { stop(); }

void shard_runtime::stop() {
    if (!loops_) return;
    // The last reference may go on a shard's own thread (a request ending
    // after every handle is gone): that loop cannot be joined from itself.
    if (loops_->on_loop_thread())
        shard_loops::retire(std::move(loops_));
    else
        loops_->stop_and_join();  // idempotent
}

timeout_queue* shard_runtime::timeouts_here() const noexcept {
    if (!threaded_) return timeouts_.front().get();
    const auto here = current_shard();
    return here < timeouts_.size() ? timeouts_[here].get() : nullptr;
}

asio::any_io_executor shard_runtime::request_executor() const {
    if (!threaded_) return ex_;
    // Staying on the caller's shard saves a hop each way.
    const auto here = current_shard();
    if (here < shards_.size()) return shard_ex_[here];
    return shard_ex_[next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
}

}  // namespace async_cassandra::detail

#include "cluster/shard_loops.hpp"

namespace async_cassandra::detail {

shard_loops::shard_loops(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        auto l = std::make_unique<loop>();
        auto* io = &l->io;
        l->thread = std::thread([io] {
            // A handler that throws must not end the process from a thread
            // the user never saw: the loop goes on (the library's own
            // handlers do not throw; a user's completion handler may).
            for (;;) {
                try {
                    io->run();
                    return;
                } catch (...) {
                }
            }
        });
        loops_.push_back(std::move(l));
    }
}

shard_loops::~shard_loops() { stop_and_join(); }

bool shard_loops::on_loop_thread() const noexcept {
    for (const auto& l : loops_)
        if (l->io.get_executor().running_in_this_thread()) return true;
    return false;
}

void shard_loops::stop_and_join() {
    for (auto& l : loops_) {
        l->work.reset();
        l->io.stop();
    }
    for (auto& l : loops_)
        if (l->thread.joinable()) l->thread.join();
}

void shard_loops::retire(std::unique_ptr<shard_loops> loops) {
    std::thread([l = std::move(loops)]() mutable { l.reset(); }).detach();
}

}  // namespace async_cassandra::detail

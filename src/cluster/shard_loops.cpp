#include "cluster/shard_loops.hpp"

#include <asio/system_executor.hpp>

#include <atomic>
#include <mutex>

namespace async_cassandra::detail {

namespace {

// The threads that end retired loops. They are not detached: the process
// joins them when it exits, so no shard thread is still running while the
// process destroys its statics. (TSan caught one: a shard thread completing
// a use_future handler signalled Asio's system_context while main's exit was
// destroying it.)
class reaper {
public:
    static reaper& instance() {
        static reaper r;
        return r;
    }

    void add(std::unique_ptr<shard_loops> loops) {
        auto done = std::make_shared<std::atomic<bool>>(false);
        std::thread t([l = std::move(loops), done]() mutable {
            l.reset();
            done->store(true, std::memory_order_release);
        });
        std::lock_guard lock(m_);
        join_finished();
        threads_.push_back({std::move(t), std::move(done)});
    }

    ~reaper() {
        std::lock_guard lock(m_);
        for (auto& e : threads_) {
            if (!e.thread.joinable()) continue;
            // exit() called on a reaper thread itself: it cannot join itself.
            if (e.thread.get_id() == std::this_thread::get_id())
                e.thread.detach();
            else
                e.thread.join();
        }
    }

private:
    // Statics are destroyed in reverse order of construction: making Asio's
    // system_context first means it is destroyed after these threads end.
    reaper() { (void)asio::system_executor().context(); }

    void join_finished() {
        std::erase_if(threads_, [](entry& e) {
            if (!e.done->load(std::memory_order_acquire)) return false;
            e.thread.join();
            return true;
        });
    }

    struct entry {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::mutex m_;
    std::vector<entry> threads_;
};

}  // namespace

thread_local const shard_loops* shard_loops::current_loops = nullptr;

shard_loops::shard_loops(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        auto l = std::make_unique<loop>();
        auto* io = &l->io;
        l->thread = std::thread([this, io, i] {
            // Counters written per request land on this shard's stripe, and
            // the cluster finds its shard without asking each strand.
            this_thread_stripe_index = i;
            current_loops = this;
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

void shard_loops::stop_and_join() {
    for (auto& l : loops_) {
        l->work.reset();
        l->io.stop();
    }
    for (auto& l : loops_)
        if (l->thread.joinable()) l->thread.join();
}

void shard_loops::retire(std::unique_ptr<shard_loops> loops) { reaper::instance().add(std::move(loops)); }

}  // namespace async_cassandra::detail

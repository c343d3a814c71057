// The chaos schedule, on a thread of its own (scripts/cassandra blocks, a
// restart for tens of seconds): cycles of kill -9, restart, pause (SIGSTOP)
// and resume (SIGCONT), each cycle on other nodes, while the workload runs.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace soak {

struct chaos_event {
    double at_s;         // since the soak's start: before the command (restart: once it returned)
    std::string action;  // kill, restart, pause, resume
    int node;            // 1..3
    int status;          // the command's exit status; non-zero fails the soak
    double took_s;
};

class chaos {
public:
    using clock_type = std::chrono::steady_clock;
    // Cycles start until `chaos_end` (since `t0`); one that started finishes.
    chaos(std::string script, clock_type::time_point t0, std::chrono::seconds chaos_end);
    ~chaos();
    void start();
    bool done() const { return done_; }
    std::vector<chaos_event> events() const;

private:
    void run();
    void sleep(std::chrono::seconds d);
    void act(const std::string& action, int node);

    std::string script_;
    clock_type::time_point t0_;
    std::chrono::seconds end_;
    std::thread thread_;
    std::atomic<bool> done_{false};
    mutable std::mutex mutex_;
    std::vector<chaos_event> events_;
};

}  // namespace soak

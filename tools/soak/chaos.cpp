#include "chaos.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

namespace soak {

chaos::chaos(std::string script, clock_type::time_point t0, std::chrono::seconds chaos_end)
    : script_(std::move(script)), t0_(t0), end_(chaos_end) {}

chaos::~chaos() {
    if (thread_.joinable()) thread_.join();
}

void chaos::start() {
    thread_ = std::thread([this] { run(); });
}

std::vector<chaos_event> chaos::events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

void chaos::sleep(std::chrono::seconds d) { std::this_thread::sleep_for(d); }

void chaos::act(const std::string& action, int node) {
    auto since = [&](clock_type::time_point t) { return std::chrono::duration<double>(t - t0_).count(); };
    const auto before = clock_type::now();
    std::printf("[%7.1f s] chaos: %s node %d\n", since(before), action.c_str(), node);
    std::fflush(stdout);
    const auto cmd = script_ + " " + action + " " + std::to_string(node) + " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    const int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
    const auto after = clock_type::now();
    std::lock_guard lock(mutex_);
    // A restart is an event when the node serves again; the others when sent.
    events_.push_back(
        {since(action == "restart" ? after : before), action, node, status, since(after) - since(before)});
    if (status != 0) std::printf("chaos: `%s` exited with %d\n", cmd.c_str(), status);
}

void chaos::run() {
    // Each cycle kills one node and, once it serves again, pauses the next:
    // never two nodes out at once, so QUORUM (2 of 3) stays reachable.
    // A cycle takes about a minute (a restart is most of it): another starts
    // only when one fits before the end of the chaos window.
    for (int cycle = 0; cycle == 0 || clock_type::now() - t0_ + std::chrono::seconds(60) < end_; ++cycle) {
        const int victim = cycle % 3 + 1, frozen = (cycle + 1) % 3 + 1;
        act("kill", victim);
        sleep(std::chrono::seconds(10));
        act("restart", victim);
        sleep(std::chrono::seconds(10));
        act("pause", frozen);
        sleep(std::chrono::seconds(8));
        act("resume", frozen);
        sleep(std::chrono::seconds(10));
    }
    done_ = true;
}

}  // namespace soak

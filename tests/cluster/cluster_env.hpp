// Set-up for the tests against the 3-node cluster scripts/cassandra starts
// (`scripts/cassandra start --nodes 3`). AC_CLUSTER_HOSTS names its nodes
// (required: there is no default); the tests kill, freeze and
// restart nodes through scripts/cassandra, with the environment they run in
// (CASSANDRA_HOME_DIR, CASSANDRA_FIRST_ADDRESS).
#pragma once

#include "../integration/test_env.hpp"

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace cluster_env {

inline std::vector<std::string> hosts() {
    // No default: these tests kill and restart nodes, and a guess (say
    // 127.0.0.1) could be a single node someone else relies on.
    const char* env = std::getenv("AC_CLUSTER_HOSTS");
    if (!env || !*env) {
        std::fprintf(stderr,
                     "cluster tests: set AC_CLUSTER_HOSTS (and CASSANDRA_HOME_DIR, CASSANDRA_FIRST_ADDRESS "
                     "for scripts/cassandra) to the 3-node cluster to use; scripts/run-tests does\n");
        std::abort();
    }
    std::string list = env;
    std::vector<std::string> out;
    std::stringstream ss(list);
    for (std::string h; std::getline(ss, h, ',');) out.push_back(h);
    return out;
}

// Runs `scripts/cassandra <args>`; returns its exit status.
inline int script(const std::string& args) {
    const std::string cmd = std::string(AC_SOURCE_DIR) + "/scripts/cassandra " + args + " >/dev/null 2>&1";
    return std::system(cmd.c_str());
}

// `scripts/cassandra status` (state and pid of each node), for failure messages.
inline std::string node_states() {
    const std::string cmd = std::string(AC_SOURCE_DIR) + "/scripts/cassandra status 2>&1";
    std::string out;
    if (FILE* f = popen(cmd.c_str(), "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, f)) out += buf;
        pclose(f);
    }
    return out;
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    std::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Every node answers again (after a test killed or froze one).
inline void heal() {
    const std::string s = std::string(AC_SOURCE_DIR) + "/scripts/cassandra";
    for (int n = 1; n <= 3; ++n) {
        const auto i = std::to_string(n);
        const std::string cmd = s + " resume " + i + " >/dev/null 2>&1; " + s + " status 2>/dev/null | grep -q '^node" +
                                i + " .* down' && " + s + " restart " + i + " >/dev/null 2>&1";
        (void)std::system(cmd.c_str());
    }
}

}  // namespace cluster_env

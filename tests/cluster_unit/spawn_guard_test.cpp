// spawn_guard: the rule that no detached coroutine of the library ends on an
// exception silently (issue 15), and a check that the library keeps it.
#include "metrics/spawn_guard.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ac = async_cassandra;
using ac::detail::spawn_guard;

namespace {

asio::awaitable<void> throws_once(int& runs) {
    if (++runs == 1) throw std::runtime_error("decoding went wrong");
    co_return;
}

}  // namespace

TEST(spawn_guard, logs_counts_and_restarts_a_coroutine_that_threw) {
    asio::io_context io;
    std::vector<std::string> errors;
    auto failures = std::make_shared<std::atomic<std::size_t>>(0);
    int runs = 0;
    spawn_guard::options o{ac::detail::logger(
                               [&](ac::log_level l, std::string_view m) {
                                   if (l == ac::log_level::error) errors.emplace_back(m);
                               },
                               ac::log_level::info),
                           "the test loop",
                           failures,
                           {},
                           io.get_executor(),
                           std::chrono::milliseconds(1)};
    o.restart = [&] {
        asio::co_spawn(io, throws_once(runs), spawn_guard({{}, "the restarted loop", failures, {}, {}, {}}));
    };
    asio::co_spawn(io, throws_once(runs), spawn_guard(std::move(o)));
    io.run();
    EXPECT_EQ(runs, 2) << "not restarted";
    EXPECT_EQ(failures->load(), 1u);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "the test loop ended on an exception: decoding went wrong; restarting in 1 ms");
}

// Every co_spawn of the library ends in a spawn_guard: asio::detached, which
// drops an exception without a word, appears nowhere in src/.
TEST(spawn_guard, the_library_never_spawns_with_asio_detached) {
    std::string offenders;
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(AC_SOURCE_DIR) + "/src")) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path());
        std::stringstream text;
        text << in.rdbuf();
        if (text.str().find("asio::detached") != std::string::npos) offenders += e.path().string() + " ";
    }
    EXPECT_EQ(offenders, "") << "asio::detached: use a spawn_guard (cluster_impl::guard)";
}

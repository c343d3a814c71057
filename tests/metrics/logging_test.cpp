// The internal logger: level filtering, lazy formatting, sink failures.
#include "metrics/logger.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ac = async_cassandra;
using ac::log_level;

namespace {
struct captured {
    std::vector<std::pair<log_level, std::string>> lines;
    ac::log_sink sink() {
        return [this](log_level l, std::string_view m) { lines.emplace_back(l, std::string(m)); };
    }
};
}  // namespace

TEST(logger, passes_messages_at_or_above_the_threshold) {
    captured c;
    ac::detail::logger log(c.sink(), log_level::info);
    log.trace("t");
    log.debug("d");
    log.info("i");
    log.warn([] { return std::string("w ") + std::to_string(42); });
    log.error("e");
    log.log(log_level::off, "never");  // off is a threshold, not a level to log at
    ASSERT_EQ(c.lines.size(), 3u);
    EXPECT_EQ(c.lines[0], std::make_pair(log_level::info, std::string("i")));
    EXPECT_EQ(c.lines[1], std::make_pair(log_level::warn, std::string("w 42")));
    EXPECT_EQ(c.lines[2], std::make_pair(log_level::error, std::string("e")));
}

TEST(logger, builds_no_message_below_the_threshold) {
    captured c;
    ac::detail::logger log(c.sink(), log_level::warn);
    int built = 0;
    auto make = [&] {
        ++built;
        return std::string("expensive");
    };
    log.debug(make);
    log.info(make);
    EXPECT_EQ(built, 0);
    log.warn(make);
    EXPECT_EQ(built, 1);
    EXPECT_FALSE(log.enabled(log_level::info));
    EXPECT_TRUE(log.enabled(log_level::error));
}

TEST(logger, off_and_no_sink_log_nothing) {
    captured c;
    ac::detail::logger off(c.sink(), log_level::off);
    off.error("e");
    EXPECT_TRUE(c.lines.empty());
    ac::detail::logger none({}, log_level::trace);  // a level but no sink
    EXPECT_FALSE(none.enabled(log_level::error));
    none.error("e");  // must not call an empty std::function
    ac::detail::logger defaulted;
    EXPECT_FALSE(defaulted.enabled(log_level::error));
}

TEST(logger, a_throwing_sink_is_contained) {
    ac::detail::logger log([](log_level, std::string_view) { throw std::runtime_error("disk full"); },
                           log_level::trace);
    EXPECT_NO_THROW(log.error("e"));
}

TEST(logger, level_names) {
    EXPECT_EQ(ac::to_string(log_level::trace), "trace");
    EXPECT_EQ(ac::to_string(log_level::warn), "warn");
    EXPECT_EQ(ac::to_string(log_level::off), "off");
}

// async_run: an exception that escapes an operation's coroutine completes it
// with internal_error and the exception's text in the caller's diagnostics.
#include <async_cassandra/detail/async_run.hpp>

#include <asio/io_context.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace ac = async_cassandra;
namespace dt = async_cassandra::detail;

namespace {
asio::awaitable<dt::op_result<int>> throws_inside() {
    throw std::runtime_error("the cell cursor ran past the body");
    co_return dt::op_result<int>{};
}
asio::awaitable<dt::op_result<int>> answers() { co_return dt::op_result<int>{{}, 7}; }
}  // namespace

TEST(async_run, an_escaped_exception_reaches_the_diagnostics_with_its_text) {
    asio::io_context io;
    ac::diagnostics diag;
    ac::error_code got;
    bool done = false;
    dt::async_run<int>(
        io.get_executor(),
        [&](ac::error_code ec, int) {
            got = ec;
            done = true;
        },
        [] { return throws_inside(); }, &diag);
    io.run();
    ASSERT_TRUE(done);
    EXPECT_EQ(got, ac::client_errc::internal_error);
    EXPECT_NE(diag.message().find("the cell cursor ran past the body"), std::string::npos) << diag.message();
}

TEST(async_run, a_normal_completion_leaves_the_diagnostics_alone) {
    asio::io_context io;
    ac::diagnostics diag;
    int value = 0;
    ac::error_code got = ac::client_errc::internal_error;
    dt::async_run<int>(
        io.get_executor(),
        [&](ac::error_code ec, int v) {
            got = ec;
            value = v;
        },
        [] { return answers(); }, &diag);
    io.run();
    EXPECT_FALSE(got);
    EXPECT_EQ(value, 7);
    EXPECT_TRUE(diag.message().empty());
}

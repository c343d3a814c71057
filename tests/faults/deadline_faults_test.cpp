// One deadline for the whole request (issue 15, defect 6): after UNPREPARED,
// the re-prepare and the EXECUTE sent again share what is left of the
// request's timeout; neither gets the whole of it again.
#include "fault_env.hpp"

using namespace fault_env;

TEST(unprepared_deadline, reprepare_and_execute_share_the_request_timeout) {
    sim_env env;
    const std::string query = "SELECT v FROM ks.t WHERE k = 1";
    constexpr auto timeout = 1000ms;
    constexpr auto server_delay = 700ms;  // each of PREPARE and EXECUTE: together beyond the timeout
    outcome o;
    std::uint64_t prepares = 0, executes = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.request_timeout = timeout;
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        auto ps = co_await session.prepare(ac::statement(query));
        // The node restarts: the next EXECUTE is answered UNPREPARED at once,
        // then the PREPARE and the EXECUTE sent again are slow.
        env.sim.forget_prepared();
        cql_sim::rule slow_prepare;
        slow_prepare.on = pr::opcode::prepare;
        slow_prepare.delay = server_delay;
        env.sim.add_rule(slow_prepare);
        cql_sim::rule slow_execute;
        slow_execute.query = query;
        slow_execute.delay = server_delay;
        env.sim.add_rule(slow_execute);
        prepares = env.sim.stats().requests_of(pr::opcode::prepare);
        executes = env.sim.stats().requests_of(pr::opcode::execute);
        o = co_await attempt(session, ps.bind());
        prepares = env.sim.stats().requests_of(pr::opcode::prepare) - prepares;
        executes = env.sim.stats().requests_of(pr::opcode::execute) - executes;
        co_await cluster.close();
    });
    std::printf("[ figure ] UNPREPARED then slow PREPARE and EXECUTE: ended after %.0f ms (timeout %lld ms): %s\n",
                ms(o.took), static_cast<long long>(timeout.count()), o.ec ? o.ec.message().c_str() : "success");
    EXPECT_EQ(prepares, 1u) << "the client must re-prepare";
    EXPECT_EQ(o.ec, ac::client_errc::request_timeout) << o.diag.message();
    EXPECT_LT(o.took, timeout + 200ms) << "the request outlived its timeout";
    EXPECT_GE(o.took, timeout - 50ms);
    EXPECT_LE(executes, 2u);
}

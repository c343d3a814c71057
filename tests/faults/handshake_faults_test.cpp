// Malformed answers to the handshake (OPTIONS, STARTUP, AUTH_RESPONSE),
// scripted with cql_sim::rule::on and fault_kind::body (issue 15, defect 1).
// What the client must do:
//
// - handshake_contact.*   a contact point whose handshake answer is malformed
//                         fails that contact point only: connect goes on to
//                         the next one and succeeds through it.
// - handshake_alone.*     with that contact point alone, connect fails with
//                         protocol_violation naming the answer and the host.
// - handshake_pool.*      a pool whose host sends one malformed SUPPORTED
//                         reconnects later (its maintenance loop goes on).
// - handshake_control.*   the control connection reopens after malformed
//                         answers (it registers for events again).
#include "fault_env.hpp"

#include <async_cassandra/auth.hpp>

using namespace fault_env;

namespace {

// One malformed handshake answer: to `request`, `answer` with `body`.
struct bad_answer {
    const char* name;
    pr::opcode request;
    pr::opcode answer;
    std::vector<unsigned char> body;
    bool auth;              // the sim asks for a password (AUTHENTICATE, AUTH_*)
    const char* must_name;  // what the error message names
};

void PrintTo(const bad_answer& b, std::ostream* os) { *os << b.name; }

cql_sim::rule bad_answer_rule(const bad_answer& b, std::optional<int> node) {
    cql_sim::rule r;
    r.on = b.request;
    r.node = node;
    r.fault.kind = cql_sim::fault_kind::body;
    r.fault.answer = b.answer;
    for (auto c : b.body) r.fault.raw.push_back(static_cast<std::byte>(c));
    return r;
}

const bad_answer bad_answers[] = {
    {"supported_empty", pr::opcode::options, pr::opcode::supported, {}, false, "SUPPORTED"},
    // A [string multimap] of one key whose list length is cut.
    {"supported_cut", pr::opcode::options, pr::opcode::supported, {0, 1, 0, 1, 'K', 0}, false, "SUPPORTED"},
    // ERROR cut after its code (0x000A, protocol error).
    {"error_cut_options", pr::opcode::options, pr::opcode::error, {0, 0, 0, 0x0A}, false, "ERROR"},
    {"error_cut_startup", pr::opcode::startup, pr::opcode::error, {0, 0, 0, 0x0A}, false, "ERROR"},
    {"authenticate_empty", pr::opcode::startup, pr::opcode::authenticate, {}, true, "AUTHENTICATE"},
    // AUTH_CHALLENGE whose [bytes] length promises more than it carries.
    {"auth_challenge_cut",
     pr::opcode::auth_response,
     pr::opcode::auth_challenge,
     {0, 0, 0, 9, 1},
     true,
     "AUTH_RESPONSE"},
    {"auth_error_cut", pr::opcode::auth_response, pr::opcode::error, {0, 0, 0x01, 0x00}, true, "AUTH_RESPONSE"},
};

cql_sim::config sim_config(int nodes, bool auth) {
    cql_sim::config sc;
    sc.nodes = nodes;
    if (auth) {
        sc.user = "cassandra";
        sc.password = "secret";
    }
    return sc;
}

struct connect_outcome {
    ac::error_code ec;
    std::string message;
    std::string query_error;  // a statement run once connected
};

asio::awaitable<connect_outcome> connect_and_query(ac::cluster_config cfg) {
    connect_outcome o;
    ac::diagnostics diag;
    auto [ec, cluster] = co_await ac::cluster::async_connect(co_await asio::this_coro::executor, std::move(cfg), diag,
                                                             asio::experimental::as_tuple(asio::use_awaitable));
    o.ec = ec;
    o.message = diag.message();
    if (ec) co_return o;
    auto session = co_await cluster.open_session();
    ac::statement st("SELECT release_version FROM system.local");
    auto q = co_await attempt(session, st);
    if (q.ec) o.query_error = q.ec.message() + ": " + q.diag.message();
    co_await cluster.close();
    co_return o;
}

ac::cluster_config client_config(const sim_env& env, const bad_answer& b) {
    auto cfg = env.client_config();
    if (b.auth) cfg.auth = ac::password_auth("cassandra", "secret");
    return cfg;
}

class handshake_contact : public ::testing::TestWithParam<bad_answer> {};

// The reproduction: `--hosts 127.0.0.1,127.0.0.2` where 127.0.0.1
// sends a malformed handshake answer and 127.0.0.2 is healthy.
TEST_P(handshake_contact, connect_goes_on_to_the_next_contact_point) {
    const auto& b = GetParam();
    sim_env env(sim_config(2, b.auth));
    const auto bad = env.sim.add_rule(bad_answer_rule(b, 0));
    connect_outcome o;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = client_config(env, b);
        cfg.contact_points = {"127.0.0.1", "127.0.0.2"};
        o = co_await connect_and_query(cfg);
    });
    EXPECT_GE(env.sim.hits(bad), 1u) << "the malformed answer was never sent";
    EXPECT_FALSE(o.ec) << o.ec.message() << ": " << o.message;
    EXPECT_EQ(o.query_error, "");
    EXPECT_GE(env.sim.stats().nodes[1].connections_accepted, 1u);
}

class handshake_alone : public ::testing::TestWithParam<bad_answer> {};

TEST_P(handshake_alone, connect_fails_with_a_protocol_violation_naming_the_answer_and_host) {
    const auto& b = GetParam();
    sim_env env(sim_config(1, b.auth));
    env.sim.add_rule(bad_answer_rule(b, std::nullopt));
    connect_outcome o;
    env.run([&]() -> asio::awaitable<void> { o = co_await connect_and_query(client_config(env, b)); });
    EXPECT_EQ(o.ec, ac::client_errc::no_host_available) << o.ec.message() << ": " << o.message;
    EXPECT_NE(o.message.find(b.must_name), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("127.0.0.1:"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("malformed"), std::string::npos) << o.message;
}

std::string answer_name(const ::testing::TestParamInfo<bad_answer>& i) { return i.param.name; }
INSTANTIATE_TEST_SUITE_P(answers, handshake_contact, ::testing::ValuesIn(bad_answers), answer_name);
INSTANTIATE_TEST_SUITE_P(answers, handshake_alone, ::testing::ValuesIn(bad_answers), answer_name);

// READY carries no body; one that does is not worth dropping the host for.
TEST(handshake_ready, a_ready_with_a_body_still_connects) {
    sim_env env(sim_config(1, false));
    bad_answer b{"ready_body", pr::opcode::startup, pr::opcode::ready, {0xde, 0xad}, false, "READY"};
    const auto bad = env.sim.add_rule(bad_answer_rule(b, std::nullopt));
    connect_outcome o;
    env.run([&]() -> asio::awaitable<void> { o = co_await connect_and_query(env.client_config()); });
    EXPECT_GE(env.sim.hits(bad), 1u);
    EXPECT_FALSE(o.ec) << o.ec.message() << ": " << o.message;
    EXPECT_EQ(o.query_error, "");
}

// Node 2's connection is reset and its next OPTIONS answered with an empty
// SUPPORTED; its pool must still reconnect (after its backoff): a STARTUP
// reaches node 2 again and a connection there is open.
TEST(handshake_pool, reconnects_after_one_malformed_supported) {
    sim_env env(sim_config(2, false));
    bool reopened = false;
    std::uint64_t bad_hits = 0;
    const auto startups = [&] { return env.sim.stats().nodes[1].requests_of(pr::opcode::startup); };
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.reconnection.base_delay = 100ms;
        cfg.reconnection.max_delay = 400ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        CO_ASSERT(co_await wait_until([&] { return env.sim.open_connections(1) == 1; }, 5s));
        auto rule = bad_answer_rule(bad_answers[0], 1);
        rule.max_hits = 1;
        const auto bad = env.sim.add_rule(rule);
        CO_ASSERT(env.sim.reset_connections(1) == 1);
        CO_ASSERT(co_await wait_until([&] { return env.sim.hits(bad) == 1; }, 5s));
        bad_hits = env.sim.hits(bad);
        const auto before = startups();
        reopened = co_await wait_until([&] { return startups() > before && env.sim.open_connections(1) == 1; }, 5s);
        co_await cluster.close();
    });
    EXPECT_EQ(bad_hits, 1u);
    EXPECT_TRUE(reopened) << "node 2's pool never reconnected after one malformed SUPPORTED";
}

// Every OPTIONS is answered with an empty SUPPORTED while every connection
// is reset; once the node behaves, the control connection must reopen and
// REGISTER for events again.
TEST(handshake_control, reopens_after_malformed_answers) {
    sim_env env(sim_config(2, false));
    bool registered_again = false;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        cfg.reconnection.base_delay = 100ms;
        cfg.reconnection.max_delay = 400ms;
        auto cluster = co_await ac::cluster::connect(cfg);
        const auto registers = env.sim.stats().requests_of(pr::opcode::register_);
        CO_ASSERT(registers >= 1);
        const auto bad = env.sim.add_rule(bad_answer_rule(bad_answers[0], std::nullopt));
        env.sim.reset_connections();
        // Tried by both pools and the control connection.
        CO_ASSERT(co_await wait_until([&] { return env.sim.hits(bad) >= 3; }, 5s));
        env.sim.clear_rules();
        registered_again = co_await wait_until(
            [&] { return env.sim.stats().requests_of(pr::opcode::register_) > registers; }, 5s);
        co_await cluster.close();
    });
    EXPECT_TRUE(registered_again) << "the control connection never reopened";
}

}  // namespace

// Server errors against cql-sim: every kind reaches the caller as its
// error_code and exception class with its details (v5 and v4 layouts);
// UNPREPARED is handled by re-preparing; a non-idempotent write that timed
// out is never sent twice (retry_cases.hpp).
#include "fault_env.hpp"
#include "retry_cases.hpp"

#include <functional>
#include <vector>

using namespace fault_env;

namespace {

struct error_case {
    const char* name;
    std::int32_t wire_code;
    ac::server_errc expected;
    std::function<bool(const outcome&)> is_class;                     // the exception class
    std::function<void(pr::error_response&)> details;                 // what the sim sends
    std::function<void(const ac::server_error_details&, int)> check;  // what the client must read
};

template <class E>
std::function<bool(const outcome&)> as() {
    return [](const outcome& o) { return throws_as<E>(o); };
}

void cl_received_block_for(pr::error_response& e) {
    e.consistency_level = ac::consistency::local_quorum;
    e.received = 1;
    e.block_for = 2;
}
void expect_cl_received_block_for(const ac::server_error_details& d) {
    EXPECT_EQ(d.consistency_level, ac::consistency::local_quorum);
    EXPECT_EQ(d.received, 1);
    EXPECT_EQ(d.block_for, 2);
}
// v5 sends a reason map; v4 only its size.
void failures(pr::error_response& e) {
    e.reason_map = {{"127.0.0.2", 0x0001}, {"127.0.0.3", 0x0005}};
    e.num_failures = 2;
}
void expect_failures(const ac::server_error_details& d, int version) {
    EXPECT_EQ(d.num_failures, 2);
    if (version < 5) return;
    ASSERT_EQ(d.reason_map.size(), 2u);
    EXPECT_EQ(d.reason_map[0].first, "127.0.0.2");
    EXPECT_EQ(d.reason_map[0].second, 0x0001);  // READ_TOO_MANY_TOMBSTONES
    EXPECT_EQ(d.reason_map[1].first, "127.0.0.3");
    EXPECT_EQ(d.reason_map[1].second, 0x0005);  // NODE_DOWN
}
void none(pr::error_response&) {}
void nothing_to_check(const ac::server_error_details&, int) {}

std::vector<error_case> error_cases() {
    using E = ac::server_errc;
    namespace c = pr::error_codes;
    return {
        {"server_error", c::server_error, E::server_error, as<ac::server_internal_error>(), none, nothing_to_check},
        {"protocol_error", c::protocol_error, E::protocol_error, as<ac::server_protocol_error>(), none,
         nothing_to_check},
        {"unavailable", c::unavailable, E::unavailable, as<ac::unavailable_error>(),
         [](pr::error_response& e) {
             e.consistency_level = ac::consistency::quorum;
             e.required = 3;
             e.alive = 1;
         },
         [](const ac::server_error_details& d, int) {
             EXPECT_EQ(d.consistency_level, ac::consistency::quorum);
             EXPECT_EQ(d.required, 3);
             EXPECT_EQ(d.alive, 1);
         }},
        {"overloaded", c::overloaded, E::overloaded, as<ac::overloaded_error>(), none, nothing_to_check},
        {"is_bootstrapping", c::is_bootstrapping, E::is_bootstrapping, as<ac::is_bootstrapping_error>(), none,
         nothing_to_check},
        {"truncate_error", c::truncate_error, E::truncate_error, as<ac::truncate_error>(), none, nothing_to_check},
        {"write_timeout", c::write_timeout, E::write_timeout, as<ac::write_timeout_error>(),
         [](pr::error_response& e) {
             cl_received_block_for(e);
             e.write_type = "BATCH_LOG";
         },
         [](const ac::server_error_details& d, int) {
             expect_cl_received_block_for(d);
             EXPECT_EQ(d.write_type, "BATCH_LOG");
         }},
        {"write_timeout_cas", c::write_timeout, E::write_timeout, as<ac::write_timeout_error>(),
         [](pr::error_response& e) {
             cl_received_block_for(e);
             e.write_type = "CAS";
             e.contentions = 4;
         },
         [](const ac::server_error_details& d, int version) {
             expect_cl_received_block_for(d);
             EXPECT_EQ(d.write_type, "CAS");
             if (version >= 5)
                 EXPECT_EQ(d.contentions, std::optional<std::uint16_t>(4));
             else
                 EXPECT_FALSE(d.contentions);
         }},
        {"read_timeout", c::read_timeout, E::read_timeout, as<ac::read_timeout_error>(),
         [](pr::error_response& e) {
             cl_received_block_for(e);
             e.data_present = true;
         },
         [](const ac::server_error_details& d, int) {
             expect_cl_received_block_for(d);
             EXPECT_TRUE(d.data_present);
         }},
        {"read_failure", c::read_failure, E::read_failure, as<ac::read_failure_error>(),
         [](pr::error_response& e) {
             cl_received_block_for(e);
             failures(e);
             e.data_present = true;
         },
         [](const ac::server_error_details& d, int version) {
             expect_cl_received_block_for(d);
             expect_failures(d, version);
             EXPECT_TRUE(d.data_present);
         }},
        {"write_failure", c::write_failure, E::write_failure, as<ac::write_failure_error>(),
         [](pr::error_response& e) {
             cl_received_block_for(e);
             failures(e);
             e.write_type = "UNLOGGED_BATCH";
         },
         [](const ac::server_error_details& d, int version) {
             expect_cl_received_block_for(d);
             expect_failures(d, version);
             EXPECT_EQ(d.write_type, "UNLOGGED_BATCH");
         }},
        {"function_failure", c::function_failure, E::function_failure, as<ac::function_failure_error>(),
         [](pr::error_response& e) {
             e.keyspace = "ks";
             e.function = "my_udf";
             e.arg_types = {"int", "text"};
         },
         [](const ac::server_error_details& d, int) {
             EXPECT_EQ(d.keyspace, "ks");
             EXPECT_EQ(d.function, "my_udf");
             EXPECT_EQ(d.arg_types, (std::vector<std::string>{"int", "text"}));
         }},
        {"cdc_write_failure", c::cdc_write_failure, E::cdc_write_failure, as<ac::cdc_write_failure_error>(), none,
         nothing_to_check},
        {"cas_write_unknown", c::cas_write_unknown, E::cas_write_unknown, as<ac::cas_write_unknown_error>(),
         cl_received_block_for, [](const ac::server_error_details& d, int) { expect_cl_received_block_for(d); }},
        {"syntax_error", c::syntax_error, E::syntax_error, as<ac::syntax_error>(), none, nothing_to_check},
        {"unauthorized", c::unauthorized, E::unauthorized, as<ac::unauthorized_error>(), none, nothing_to_check},
        {"invalid", c::invalid, E::invalid, as<ac::invalid_query_error>(), none, nothing_to_check},
        {"config_error", c::config_error, E::config_error, as<ac::config_error>(), none, nothing_to_check},
        {"already_exists", c::already_exists, E::already_exists, as<ac::already_exists_error>(),
         [](pr::error_response& e) {
             e.keyspace = "ks";
             e.table = "t";
         },
         [](const ac::server_error_details& d, int) {
             EXPECT_EQ(d.keyspace, "ks");
             EXPECT_EQ(d.table, "t");
         }},
    };
}

struct error_param {
    error_case c;
    int version;
};

std::vector<error_param> error_params() {
    std::vector<error_param> out;
    for (int v : {5, 4})
        for (auto& c : error_cases()) out.push_back({c, v});
    return out;
}

}  // namespace

class server_error_kinds : public ::testing::TestWithParam<error_param> {};

// The error, its class and its details; the message and host too; and the
// connection survives (a server error is an answer, not a broken link).
// One node: a retry policy has no other host to try, so overloaded,
// is_bootstrapping and unavailable must still reach the caller as themselves.
TEST_P(server_error_kinds, reach_the_caller_with_code_class_and_details) {
    const auto& [c, version] = GetParam();
    sim_env env;
    pr::error_response e;
    e.code = c.wire_code;
    e.message = std::string("cql-sim says ") + c.name;
    c.details(e);
    auto r = cql_sim::error_rule("SELECT err", e);
    r.max_hits = 1;
    env.sim.add_rule(r);
    outcome o, after;
    std::uint64_t accepted_at_start = 0, accepted_at_end = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config(version);
        auto cluster = co_await ac::cluster::connect(cfg);
        CO_ASSERT(cluster.protocol_version() == version);
        auto session = co_await cluster.open_session();
        accepted_at_start = env.sim.stats().connections_accepted;
        ac::statement st("SELECT err");
        o = co_await attempt(session, st);
        after = co_await attempt(session, st);  // max_hits = 1: Void now
        accepted_at_end = env.sim.stats().connections_accepted;
        co_await cluster.close();
    });
    EXPECT_EQ(o.ec, c.expected) << o.ec.message() << ": " << o.diag.message();
    EXPECT_EQ(o.ec, ac::server_error_code(c.wire_code));
    EXPECT_TRUE(c.is_class(o)) << "not thrown as the expected class";
    EXPECT_TRUE(throws_as<ac::server_error>(o));
    EXPECT_EQ(o.diag.message(), e.message);
    EXPECT_EQ(o.diag.host(), "127.0.0.1:" + std::to_string(env.sim.port()));
    ASSERT_TRUE(o.diag.server_details());
    c.check(*o.diag.server_details(), version);
    EXPECT_FALSE(after.ec) << after.diag.message();
    EXPECT_EQ(accepted_at_end, accepted_at_start);
}

INSTANTIATE_TEST_SUITE_P(all, server_error_kinds, ::testing::ValuesIn(error_params()), [](const auto& tp) {
    return std::string(tp.param.c.name) + "_v" + std::to_string(tp.param.version);
});

// A node that forgot a prepared statement answers UNPREPARED; the client
// prepares it again and the EXECUTE then succeeds, without the caller
// seeing anything. The same for a batch holding it.
TEST(unprepared, is_re_prepared_transparently_for_execute_and_batch) {
    // No bind markers: cql-sim's PREPARE answers carry no variable metadata.
    const std::string query = "SELECT v FROM ks.t WHERE k = 1";
    sim_env env;
    env.sim.add_rule(
        cql_sim::rows_rule(query, {cql_sim::column("v", ac::type_id::int_)}, {{ac::encode_value(std::int32_t{7})}}));
    std::int32_t first = 0, again = 0;
    std::uint64_t prepares_before = 0, executes_before = 0;
    outcome batch_outcome;
    ac::prepared_cache_stats cache;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        ac::statement st(query);
        auto ps = co_await session.prepare(st);
        first = first_int(co_await session.execute(ps.bind()));
        prepares_before = env.sim.stats().requests_of(pr::opcode::prepare);
        executes_before = env.sim.stats().requests_of(pr::opcode::execute);
        env.sim.forget_prepared();
        again = first_int(co_await session.execute(ps.bind()));
        env.sim.forget_prepared();
        ac::batch b(ac::batch_type::unlogged);
        b.add(ps.bind());
        batch_outcome = co_await attempt(session, b);
        cache = cluster.prepared_stats();
        co_await cluster.close();
    });
    EXPECT_EQ(first, 7);
    EXPECT_EQ(again, 7);
    EXPECT_EQ(prepares_before, 1u);
    EXPECT_EQ(executes_before, 1u);
    // EXECUTE: one UNPREPARED, one PREPARE, one EXECUTE again.
    EXPECT_EQ(env.sim.stats().requests_of(pr::opcode::execute), 3u);
    // One more PREPARE for the EXECUTE and one for the batch.
    EXPECT_EQ(env.sim.stats().requests_of(pr::opcode::prepare), 3u);
    EXPECT_FALSE(batch_outcome.ec) << batch_outcome.diag.message();
    EXPECT_EQ(env.sim.stats().requests_of(pr::opcode::batch), 2u);  // UNPREPARED, then done
    EXPECT_EQ(cache.reprepares, 2u);
}

// The statement is sent as often as the retry policy allows, to this node or
// another (the sim presents three; the rule answers on every one), and the
// caller gets the error in the end.
TEST_P(retry_policy, sends_the_statement_as_often_as_the_policy_allows) {
    const auto& c = GetParam();
    cql_sim::config sc;
    sc.nodes = 3;
    sim_env env(sc);
    pr::error_response e;
    e.code = c.code;
    e.message = "cql-sim timeout";
    e.consistency_level = ac::consistency::quorum;
    e.received = c.received;
    e.block_for = c.block_for;
    e.data_present = c.data_present;
    e.write_type = c.write_type;
    auto r = cql_sim::error_rule("ks.t", std::move(e));
    r.substring = true;
    const auto rule = env.sim.add_rule(r);
    outcome o;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        ac::statement st(c.code == pr::error_codes::read_timeout ? "SELECT v FROM ks.t WHERE k = 1"
                                                                 : "INSERT INTO ks.t (k, v) VALUES (1, 1)");
        st.set_idempotent(c.idempotent);
        o = co_await attempt(session, st);
        co_await sleep_for(200ms);  // a further retry would be on its way by now
        co_await cluster.close();
    });
    EXPECT_EQ(o.ec, ac::server_error_code(c.code)) << o.ec.message() << ": " << o.diag.message();
    ASSERT_TRUE(o.diag.server_details());
    EXPECT_EQ(o.diag.server_details()->block_for, c.block_for);
    EXPECT_EQ(o.diag.server_details()->write_type, c.write_type);
    EXPECT_EQ(env.sim.hits(rule), c.expected_requests);
}

// A write that timed out may have been applied: unless the statement is
// idempotent (and not CAS) it is never sent twice. A read timeout where too
// few replicas answered is not retried either.
INSTANTIATE_TEST_SUITE_P(not_retried, retry_policy,
                         ::testing::Values(retry_case{"write_timeout_not_idempotent", pr::error_codes::write_timeout, 0,
                                                      2, false, "SIMPLE", false, 1},
                                           retry_case{"write_timeout_idempotent_cas", pr::error_codes::write_timeout, 0,
                                                      2, false, "CAS", true, 1},
                                           retry_case{"read_timeout_too_few_replicas", pr::error_codes::read_timeout, 1,
                                                      2, false, "", true, 1}),
                         [](const auto& tp) { return std::string(tp.param.name); });

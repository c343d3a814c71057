// Faults of the connection itself, against cql-sim: a reset with 10,000
// requests in flight, an answer later than the timeout, corrupt frames.
// Each test asserts what the client must do, and how fast.
#include "fault_env.hpp"

#include <asio/detached.hpp>

#include <cstdio>
#include <map>

using namespace fault_env;

namespace {

// How a crowd of requests ended.
struct tally {
    int done = 0;
    int connection_errors = 0;         // connection_closed, and thrown as connection_error
    std::map<std::string, int> other;  // anything else, by error message
    clock::time_point last_done{};
};

asio::awaitable<void> hang_one(ac::session* s, tally* t) {
    ac::statement st("SELECT hang");
    auto o = co_await attempt(*s, st);
    ++t->done;
    t->last_done = clock::now();
    if (o.ec == ac::client_errc::connection_closed && throws_as<ac::connection_error>(o))
        ++t->connection_errors;
    else
        ++t->other[o.ec ? o.ec.message() : "success"];
}

cql_sim::rule int_rule(std::string query, std::int32_t v) {
    return cql_sim::rows_rule(std::move(query), {cql_sim::column("v", ac::type_id::int_)}, {{ac::encode_value(v)}});
}

}  // namespace

// The bound: every request of a reset connection completes with a
// connection error within 1 s, and the next request succeeds on a new one.
TEST(connection_reset, ten_thousand_requests_in_flight_fail_within_a_second_and_the_next_succeeds) {
    constexpr int n = 10'000;
    sim_env env;
    cql_sim::rule hang;
    hang.query = "SELECT hang";
    hang.fault.kind = cql_sim::fault_kind::stall;
    env.sim.add_rule(hang);
    tally t;
    std::size_t in_flight_before = 0, queued_before = 0;
    clock::time_point reset_at{};
    std::uint64_t accepted_before = 0, accepted_after = 0;
    env.run(
        [&]() -> asio::awaitable<void> {
            auto cfg = env.client_config();
            cfg.max_requests_per_connection = 32768;  // all 10,000 on the wire, none queued
            cfg.request_timeout = 120s;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            auto ex = co_await asio::this_coro::executor;
            for (int i = 0; i < n; ++i) asio::co_spawn(ex, hang_one(&session, &t), asio::detached);
            CO_ASSERT(co_await wait_until([&] { return env.sim.stats().requests_of(pr::opcode::query) >= n; }, 60s));
            in_flight_before = session.stats().in_flight;
            queued_before = session.stats().queued;
            accepted_before = env.sim.stats().connections_accepted;
            reset_at = clock::now();
            CO_ASSERT(env.sim.reset_connections() >= 1);
            CO_ASSERT(co_await wait_until([&] { return t.done == n; }, 30s));
            // The next request reconnects.
            auto rs = co_await session.execute("SELECT release_version FROM system.local");
            CO_ASSERT(rs.first_row().get<std::string>("release_version") == "5.0-sim");
            accepted_after = env.sim.stats().connections_accepted;
            co_await cluster.close();
        },
        180s);
    EXPECT_EQ(in_flight_before, static_cast<std::size_t>(n));
    EXPECT_EQ(queued_before, 0u);  // all of them on the wire
    EXPECT_EQ(t.done, n);
    EXPECT_EQ(t.connection_errors, n);
    for (const auto& [what, count] : t.other) ADD_FAILURE() << count << " requests ended with: " << what;
    const auto took = t.last_done - reset_at;
    // The bound is 1 s; release builds measured 200-330 ms on the
    // shared 2-core machine. The ASan+UBSan Debug build (there for the leak
    // check) is several times slower and varies with the load: 0.7-2.1 s measured.
#if defined(__SANITIZE_ADDRESS__)
    constexpr auto bound = 5s;
#else
    constexpr auto bound = 1s;
#endif
    EXPECT_LT(took, bound) << "the last of " << n << " requests completed " << ms(took) << " ms after the reset";
    std::printf("[ figure ] %d requests failed %.1f ms after the reset\n", n, ms(took));
    EXPECT_GT(accepted_after, accepted_before);  // a new connection for the next request
}

// An answer later than the request's timeout: request_timeout at the
// timeout (the issue allows 10%), and the late answer is dropped: the next
// request on the same connection, in flight when it arrives, gets its own.
class late_response : public ::testing::TestWithParam<int> {};

TEST_P(late_response, times_out_on_time_and_the_late_answer_never_reaches_the_next_request) {
    constexpr auto timeout = 1000ms;
    sim_env env;
    auto late = int_rule("SELECT late", 1);
    late.delay = 1500ms;
    env.sim.add_rule(late);
    auto next = int_rule("SELECT next", 2);
    next.delay = 1000ms;  // answered after the late one (at ~2000 ms)
    env.sim.add_rule(next);
    outcome timed_out, answered;
    std::size_t orphaned_at_timeout = 0, in_flight_after_late = 0;
    std::uint64_t accepted_at_start = 0, accepted_at_end = 0;
    bool next_done = false;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config(GetParam());
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        accepted_at_start = env.sim.stats().connections_accepted;
        ac::statement st("SELECT late");
        st.set_timeout(timeout);
        timed_out = co_await attempt(session, st);
        orphaned_at_timeout = session.stats().connection_orphaned;
        asio::co_spawn(
            co_await asio::this_coro::executor,
            [&]() -> asio::awaitable<void> {
                ac::statement n("SELECT next");
                answered = co_await attempt(session, n);
                next_done = true;
            },
            asio::detached);
        // The late answer frees its stream id; the next request still waits.
        CO_ASSERT(co_await wait_until([&] { return session.stats().connection_orphaned == 0; }, 5s));
        in_flight_after_late = session.stats().connection_in_flight;
        CO_ASSERT(co_await wait_until([&] { return next_done; }, 5s));
        accepted_at_end = env.sim.stats().connections_accepted;
        co_await cluster.close();
    });
    EXPECT_EQ(timed_out.ec, ac::client_errc::request_timeout) << timed_out.diag.message();
    EXPECT_TRUE(throws_as<ac::request_timeout_error>(timed_out));
    EXPECT_GE(timed_out.took, timeout * 9 / 10);
    EXPECT_LE(timed_out.took, timeout * 11 / 10);
    std::printf("[ figure ] v%d: request_timeout after %.1f ms (timeout %lld ms)\n", GetParam(), ms(timed_out.took),
                static_cast<long long>(timeout.count()));
    EXPECT_EQ(orphaned_at_timeout, 1u);  // the id stays reserved for the late answer
    EXPECT_EQ(in_flight_after_late, 1u);
    ASSERT_FALSE(answered.ec) << answered.diag.message();
    EXPECT_EQ(first_int(answered.rs), 2);           // its own answer, not the late 1
    EXPECT_EQ(accepted_at_end, accepted_at_start);  // no connection was replaced
}

INSTANTIATE_TEST_SUITE_P(versions, late_response, ::testing::Values(5, 4));

// Half a frame, then silence: no byte will complete it. Whatever else
// notices (the heartbeat, cluster_faults_test.cpp), the request itself ends
// at its timeout and never hangs.
TEST(half_written_frame, then_silence_ends_the_request_at_its_timeout) {
    constexpr auto timeout = 500ms;
    sim_env env;
    cql_sim::rule half;
    half.query = "SELECT half";
    half.fault.kind = cql_sim::fault_kind::mute_after;
    half.fault.bytes = 5;
    env.sim.add_rule(half);
    outcome o;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        ac::statement st("SELECT half");
        st.set_timeout(timeout);
        o = co_await attempt(session, st);
        co_await cluster.close();
    });
    EXPECT_EQ(o.ec, ac::client_errc::request_timeout) << o.diag.message();
    EXPECT_GE(o.took, timeout * 9 / 10);
    EXPECT_LE(o.took, timeout * 11 / 10);
}

// A corrupt frame is a protocol violation that ends its connection: its
// requests fail at once with it, the next request gets a new connection, and
// another cluster's connection to the same node is untouched.
TEST(corrupt_frame, bad_crc_on_v5_fails_the_connection_and_spares_the_others) {
    sim_env env;
    cql_sim::rule crc;
    crc.query = "SELECT crc";
    crc.fault.kind = cql_sim::fault_kind::corrupt_crc;
    env.sim.add_rule(crc);
    cql_sim::rule slow;
    slow.query = "SELECT slow";
    slow.delay = 500ms;
    const auto slow_rule = env.sim.add_rule(slow);
    outcome bad, slow_same, slow_other, after;
    int slow_done = 0;
    std::size_t opened_a = 0, opened_b = 0, opened_a_before = 0, opened_b_before = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config(5);
        auto a = co_await ac::cluster::connect(cfg);
        auto b = co_await ac::cluster::connect(cfg);
        CO_ASSERT(a.protocol_version() == 5);
        auto sa = co_await a.open_session();
        auto sb = co_await b.open_session();
        opened_a_before = sa.stats().connections_opened;
        opened_b_before = sb.stats().connections_opened;
        auto ex = co_await asio::this_coro::executor;
        auto slow_on = [&](ac::session& s, outcome& out) -> asio::awaitable<void> {
            ac::statement st("SELECT slow");
            out = co_await attempt(s, st);
            ++slow_done;
        };
        asio::co_spawn(ex, slow_on(sa, slow_same), asio::detached);
        asio::co_spawn(ex, slow_on(sb, slow_other), asio::detached);
        CO_ASSERT(co_await wait_until([&] { return env.sim.hits(slow_rule) == 2; }));
        ac::statement st("SELECT crc");
        bad = co_await attempt(sa, st);
        CO_ASSERT(co_await wait_until([&] { return slow_done == 2; }));
        ac::statement again("SELECT release_version FROM system.local");
        after = co_await attempt(sa, again);
        co_await sb.execute("SELECT release_version FROM system.local");
        opened_a = sa.stats().connections_opened;
        opened_b = sb.stats().connections_opened;
        co_await a.close();
        co_await b.close();
    });
    EXPECT_EQ(bad.ec, ac::client_errc::protocol_violation) << bad.diag.message();
    EXPECT_TRUE(throws_as<ac::protocol_violation_error>(bad));
    EXPECT_NE(bad.diag.message().find("CRC"), std::string::npos) << bad.diag.message();
    // The request sharing the broken connection learns why, at once.
    EXPECT_EQ(slow_same.ec, ac::client_errc::protocol_violation) << slow_same.diag.message();
    EXPECT_LT(slow_same.took, 500ms);
    EXPECT_FALSE(slow_other.ec) << slow_other.diag.message();
    EXPECT_FALSE(after.ec) << after.diag.message();
    EXPECT_GT(opened_a, opened_a_before);  // replaced
    EXPECT_EQ(opened_b, opened_b_before);  // untouched
}

// Bytes that are no valid envelope header: a protocol violation within
// moments (not at the request timeout), and a new connection for the next
// request.
struct garbage_case {
    const char* name;
    int version;
    cql_sim::fault fault;
};

class garbage_header : public ::testing::TestWithParam<garbage_case> {};

TEST_P(garbage_header, is_a_protocol_violation_and_the_connection_is_replaced) {
    sim_env env;
    cql_sim::rule bad;
    bad.query = "SELECT garbage";
    bad.fault = GetParam().fault;
    env.sim.add_rule(bad);
    outcome o, after;
    std::size_t opened = 0, opened_before = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config(GetParam().version);
        auto cluster = co_await ac::cluster::connect(cfg);
        CO_ASSERT(cluster.protocol_version() == GetParam().version);
        auto session = co_await cluster.open_session();
        opened_before = session.stats().connections_opened;
        ac::statement st("SELECT garbage");
        o = co_await attempt(session, st);
        ac::statement again("SELECT release_version FROM system.local");
        after = co_await attempt(session, again);
        opened = session.stats().connections_opened;
        co_await cluster.close();
    });
    EXPECT_EQ(o.ec, ac::client_errc::protocol_violation) << o.ec.message() << ": " << o.diag.message();
    EXPECT_TRUE(throws_as<ac::protocol_violation_error>(o));
    EXPECT_LT(o.took, 2s);  // the request timeout is 10 s
    EXPECT_FALSE(after.ec) << after.diag.message();
    EXPECT_GT(opened, opened_before);  // replaced
}

namespace {
cql_sim::fault raw(std::initializer_list<int> bytes) {
    cql_sim::fault f;
    f.kind = cql_sim::fault_kind::raw;
    for (int b : bytes) f.raw.push_back(static_cast<std::byte>(b));
    return f;
}
cql_sim::fault raw_text(std::string_view text) {
    cql_sim::fault f;
    f.kind = cql_sim::fault_kind::raw;
    for (char c : text) f.raw.push_back(static_cast<std::byte>(c));
    return f;
}
cql_sim::fault bad_version(std::size_t v) {
    cql_sim::fault f;
    f.kind = cql_sim::fault_kind::bad_version;
    f.bytes = v;
    return f;
}
}  // namespace

INSTANTIATE_TEST_SUITE_P(kinds, garbage_header,
                         ::testing::Values(
                             // Not CQL at all: no response bit.
                             garbage_case{"http_v4", 4, raw_text("HTTP/1.1 400 Bad Request\r\n\r\n")},
                             // Response v4, opcode 0x7F.
                             garbage_case{"unknown_opcode_v4", 4, raw({0x84, 0, 0, 0, 0x7F, 0, 0, 0, 0})},
                             // A body of 2 GB declared: refused at the header, not awaited.
                             garbage_case{"huge_length_v4", 4, raw({0x84, 0, 0, 0, 0x08, 0x7F, 0xFF, 0xFF, 0xFF})},
                             // A negative length.
                             garbage_case{"negative_length_v4", 4, raw({0x84, 0, 0, 0, 0x08, 0xFF, 0xFF, 0xFF, 0xF0})},
                             // A well-formed answer in a version the connection did not negotiate.
                             garbage_case{"v3_envelope_on_v4", 4, bad_version(3)},
                             garbage_case{"v4_envelope_on_v5", 5, bad_version(4)},
                             // Raw v4 bytes where v5 expects a segment header (its CRC24 fails).
                             garbage_case{"v4_header_on_v5", 5, raw({0x84, 0, 0, 0, 0x08, 0, 0, 0, 4, 0, 0, 0, 1})}),
                         [](const auto& tp) { return std::string(tp.param.name); });

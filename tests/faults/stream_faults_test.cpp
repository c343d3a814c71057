// The server goes away while a row_stream is between pages: the consumer
// gets the rows that arrived, then the error, promptly (never a hang), and
// the session carries on.
#include "fault_env.hpp"

using namespace fault_env;

namespace {

struct stream_case {
    const char* name;
    cql_sim::fault fault;  // of the second page's answer
    std::size_t prefetch;
};

cql_sim::fault fault_of(cql_sim::fault_kind k, std::size_t bytes = 0) {
    cql_sim::fault f;
    f.kind = k;
    f.bytes = bytes;
    return f;
}

}  // namespace

class stream_server_close : public ::testing::TestWithParam<stream_case> {};

TEST_P(stream_server_close, reports_the_error_after_the_rows_that_arrived_and_does_not_hang) {
    const std::string query = "SELECT k FROM ks.big";
    sim_env env;
    std::vector<std::vector<ac::encoded_value>> rows;
    for (std::int32_t k = 1; k <= 3; ++k) rows.push_back({ac::encode_value(k)});
    auto first = cql_sim::rows_rule(query, {cql_sim::column("k", ac::type_id::int_)}, std::move(rows));
    std::get<cql_sim::rows_result>(first.result).paging_state = "page-2";
    first.max_hits = 1;
    env.sim.add_rule(first);
    cql_sim::rule second;
    second.query = query;
    second.delay = 100ms;  // the consumer is waiting when it comes
    second.fault = GetParam().fault;
    env.sim.add_rule(second);

    std::vector<std::int32_t> seen;
    ac::error_code failed, failed_again;
    bool threw_connection_error = false;
    clock::duration waited{};
    bool session_ok = false;
    std::uint64_t accepted_at_start = 0;
    env.run([&]() -> asio::awaitable<void> {
        auto cfg = env.client_config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto session = co_await cluster.open_session();
        accepted_at_start = env.sim.stats().connections_accepted;
        ac::stream_config sc;
        sc.prefetch = GetParam().prefetch;
        ac::statement st(query);
        auto stream = co_await session.execute_stream(st, sc);
        auto t0 = clock::now();
        try {
            for (;;) {
                t0 = clock::now();
                auto row = co_await stream.next();
                if (!row) break;
                seen.push_back(row->get<std::int32_t>(0));
            }
        } catch (const ac::connection_error& e) {
            threw_connection_error = true;
            failed = e.code();
        } catch (const ac::error& e) {
            failed = e.code();
        }
        waited = clock::now() - t0;
        try {
            co_await stream.next();  // fails again at once, no hang
        } catch (const ac::error& e) {
            failed_again = e.code();
        }
        co_await stream.close();
        auto rs = co_await session.execute("SELECT release_version FROM system.local");
        session_ok = rs.size() == 1;
        co_await cluster.close();
    });
    EXPECT_EQ(seen, (std::vector<std::int32_t>{1, 2, 3}));
    EXPECT_EQ(failed, ac::client_errc::connection_closed) << failed.message();
    EXPECT_TRUE(threw_connection_error);
    EXPECT_LT(waited, 2s) << "the consumer waited " << ms(waited) << " ms for the error";
    EXPECT_EQ(failed_again, failed);
    EXPECT_TRUE(session_ok);
    EXPECT_GT(env.sim.stats().connections_accepted, accepted_at_start);  // a new one for the session
}

INSTANTIATE_TEST_SUITE_P(
    faults, stream_server_close,
    ::testing::Values(stream_case{"close_before_answer", fault_of(cql_sim::fault_kind::drop_connection), 1},
                      stream_case{"close_before_answer_no_prefetch", fault_of(cql_sim::fault_kind::drop_connection), 0},
                      stream_case{"close_mid_answer", fault_of(cql_sim::fault_kind::close_after, 12), 1},
                      stream_case{"reset", fault_of(cql_sim::fault_kind::reset), 1}),
    [](const auto& tp) { return std::string(tp.param.name); });

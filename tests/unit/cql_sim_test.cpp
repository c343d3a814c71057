// cql-sim driven by our own client: handshakes (v5, v4, compression, version
// fallback), scripted rows and errors, delays and dropped connections; and
// the parts the client does not use yet (auth, events, EXECUTE of an unknown
// id) with raw protocol frames.
#include <cql_sim/rules_file.hpp>
#include <cql_sim/server.hpp>

#include <async_cassandra/async_cassandra.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/protocol/protocol_error.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <server_protocol/server_protocol.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Runs `body(cluster_config)` as a client coroutine against a started sim;
// returns the failure message, empty on success.
template <class Body>
std::string run_client(asio::io_context& io, cql_sim::server& sim, ac::cluster_config cfg, Body body) {
    cfg.port = sim.port();
    std::string failure = "did not finish";
    asio::co_spawn(
        io, [&, cfg]() -> asio::awaitable<void> { co_await body(cfg); },
        [&](std::exception_ptr e) {
            failure.clear();
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    failure = x.what();
                }
            }
            sim.stop();
        });
    io.run_for(20s);
    return failure;
}

struct handshake_case {
    int version;
    ac::compression compression;
};

}  // namespace

class cql_sim_handshake : public ::testing::TestWithParam<handshake_case> {};

TEST_P(cql_sim_handshake, client_connects_and_reads_system_local) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    ac::cluster_config cfg;
    cfg.protocol_version = GetParam().version;
    cfg.compression = GetParam().compression;
    int negotiated = 0;
    std::string release, rack;
    auto failure = run_client(io, sim, cfg, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        negotiated = cluster.protocol_version();
        auto session = co_await cluster.open_session();
        auto rs = co_await session.execute("SELECT release_version, rack FROM system.local");
        release = rs.first_row().get<std::string>("release_version");
        rack = rs.first_row().get<std::string>("rack");
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(negotiated, GetParam().version);
    EXPECT_EQ(release, "5.0-sim");
    EXPECT_EQ(rack, "rack1");
    EXPECT_GE(sim.stats().requests_of(pr::opcode::startup), 1u);
    EXPECT_GE(sim.stats().requests_of(pr::opcode::query), 1u);
    EXPECT_GE(sim.stats().connections_accepted, 1u);
}

INSTANTIATE_TEST_SUITE_P(versions, cql_sim_handshake,
                         ::testing::Values(handshake_case{5, ac::compression::none},
                                           handshake_case{5, ac::compression::lz4},
                                           handshake_case{4, ac::compression::none},
                                           handshake_case{4, ac::compression::lz4},
                                           handshake_case{4, ac::compression::snappy}));

TEST(cql_sim, rows_rule_is_read_back_through_result_set) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    sim.add_rule(cql_sim::rows_rule(
        "SELECT k, v FROM ks.t", {cql_sim::column("k", ac::type_id::int_), cql_sim::column("v", ac::type_id::varchar)},
        {{ac::encode_value(std::int32_t{1}), ac::encode_value("one")},
         {ac::encode_value(std::int32_t{2}), ac::encode_value(std::nullopt)}}));
    std::size_t rows = 0;
    std::int32_t k = 0;
    std::string v;
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session();
        auto rs = co_await session.execute("SELECT k, v FROM ks.t");
        rows = rs.size();
        k = rs.first_row().get<std::int32_t>(0);
        v = rs.first_row().get<std::string>(1);
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(rows, 2u);
    EXPECT_EQ(k, 1);
    EXPECT_EQ(v, "one");
}

TEST(cql_sim, error_rule_reaches_the_client_with_details) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    pr::error_response e;
    e.code = pr::error_codes::unavailable;
    e.message = "Cannot achieve consistency level QUORUM";
    e.consistency_level = ac::consistency::quorum;
    e.required = 3;
    e.alive = 1;
    auto r = cql_sim::error_rule("INSERT", e);
    r.substring = true;
    r.max_hits = 1;
    sim.add_rule(r);
    ac::error_code code, second;
    ac::server_error_details details;
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session();
        ac::diagnostics diag;
        ac::statement st("INSERT INTO ks.t (k) VALUES (1)");
        auto [ec, rs] = co_await session.async_execute(st, diag, asio::experimental::as_tuple(asio::use_awaitable));
        code = ec;
        if (diag.server_details()) details = *diag.server_details();
        // max_hits = 1: the second try gets the default Void.
        co_await session.execute("INSERT INTO ks.t (k) VALUES (1)");
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(code, ac::server_errc::unavailable);
    EXPECT_EQ(details.required, 3);
    EXPECT_EQ(details.alive, 1);
    EXPECT_EQ(details.consistency_level, ac::consistency::quorum);
}

TEST(cql_sim, delay_rule_is_honoured) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    cql_sim::rule r;
    r.query = "SELECT slow";
    r.delay = 300ms;
    sim.add_rule(r);
    std::chrono::steady_clock::duration slow{}, fast{};
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session();
        auto t0 = std::chrono::steady_clock::now();
        co_await session.execute("SELECT slow");
        auto t1 = std::chrono::steady_clock::now();
        co_await session.execute("SELECT fast");
        fast = std::chrono::steady_clock::now() - t1;
        slow = t1 - t0;
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_GE(slow, 300ms);
    EXPECT_LT(slow, 3s);
    EXPECT_LT(fast, 250ms);
}

TEST(cql_sim, stop_ends_a_pending_delayed_answer) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    cql_sim::rule r;
    r.query = "SELECT very slow";
    r.delay = 60s;
    sim.add_rule(r);
    ac::error_code code;
    asio::steady_timer stopper(io, 200ms);
    stopper.async_wait([&](ac::error_code) { sim.stop(); });
    const auto t0 = std::chrono::steady_clock::now();
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session();
        try {
            co_await session.execute("SELECT very slow");
        } catch (const ac::error& x) {
            code = x.code();
        }
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(code, ac::client_errc::connection_closed);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);  // not the 60 s delay
}

TEST(cql_sim, drop_connection_rule_fails_the_request_with_connection_closed) {
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    sim.start();
    cql_sim::rule r;
    r.query = "SELECT boom";
    r.fault.kind = cql_sim::fault_kind::drop_connection;
    sim.add_rule(r);
    ac::error_code code;
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session();
        try {
            co_await session.execute("SELECT boom");
        } catch (const ac::error& x) {
            code = x.code();
        }
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(code, ac::client_errc::connection_closed);
}

TEST(cql_sim, max_protocol_version_4_makes_the_client_fall_back) {
    asio::io_context io;
    cql_sim::config sc;
    sc.max_protocol_version = 4;
    cql_sim::server sim(io.get_executor(), sc);
    sim.start();
    int negotiated = 0;
    std::string release;
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        negotiated = cluster.protocol_version();
        auto session = co_await cluster.open_session();
        auto rs = co_await session.execute("SELECT release_version FROM system.local");
        release = rs.first_row().get<std::string>("release_version");  // the sim sends every column
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(negotiated, 4);
    EXPECT_EQ(release, "5.0-sim");
    EXPECT_GE(sim.stats().connections_accepted, 2u);  // the refused v5 one, then v4
}

TEST(cql_sim, topology_of_three_nodes) {
    asio::io_context io;
    cql_sim::config sc;
    sc.nodes = 3;
    cql_sim::server sim(io.get_executor(), sc);
    sim.start();
    ASSERT_EQ(sim.endpoints().size(), 3u);
    EXPECT_EQ(sim.endpoints()[2].address().to_string(), "127.0.0.3");
    EXPECT_EQ(sim.endpoints()[2].port(), sim.port());
    std::size_t peers = 0, peers_v2 = 0;
    ac::inet_address rpc;
    std::size_t discovered = 0;
    ac::cluster_config cfg;
    cfg.contact_points = {"127.0.0.2"};
    auto failure = run_client(io, sim, cfg, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        discovered = cluster.hosts().size();
        auto session = co_await cluster.open_session();
        peers = (co_await session.execute("SELECT * FROM system.peers")).size();
        peers_v2 = (co_await session.execute("SELECT * FROM system.peers_v2")).size();
        auto local = co_await session.execute("SELECT * FROM system.local");
        rpc = local.first_row().get<ac::inet_address>("rpc_address");
        co_await cluster.close();
    });
    EXPECT_EQ(failure, "");
    EXPECT_EQ(peers, 2u);
    EXPECT_EQ(peers_v2, 2u);
    EXPECT_EQ(discovered, 3u);  // from one contact point
    // Requests spread over the nodes: the one that answered names itself.
    EXPECT_TRUE(rpc == ac::inet_address::parse("127.0.0.1") || rpc == ac::inet_address::parse("127.0.0.2") ||
                rpc == ac::inet_address::parse("127.0.0.3"));
}

// ---- raw protocol frames, for what the client does not exercise ------------

namespace {

// The sim on its own thread; the test talks to it with blocking sockets.
struct threaded_sim {
    asio::io_context io;
    cql_sim::server sim;
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
    std::thread thread;

    explicit threaded_sim(cql_sim::config cfg) : sim(io.get_executor(), std::move(cfg)) {
        sim.start();
        thread = std::thread([this] { io.run(); });
    }
    ~threaded_sim() {
        asio::post(io, [this] {
            sim.stop();
            io.stop();
        });
        thread.join();
    }
    template <class F>
    auto on_loop(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io, [&task] { task(); });
        return result.get();
    }
};

struct raw_peer {
    asio::io_context io;
    tcp::socket s{io};
    pr::frame_decoder d;
    bool segments = false;  // v5 after READY

    explicit raw_peer(std::uint16_t port) { s.connect({asio::ip::make_address("127.0.0.1"), port}); }

    template <class Body>
    void send(pr::opcode op, Body body, std::uint8_t version = 4) {
        pr::byte_buffer out;
        pr::write_envelope(out, version, 0, 1, op, body);
        if (segments) {
            pr::byte_buffer framed;
            pr::encode_segments(framed, out, false);
            out = std::move(framed);
        }
        asio::write(s, asio::buffer(out));
    }
    // The next envelope, or nullopt when the server closed the connection.
    std::optional<pr::envelope> recv() {
        for (;;) {
            if (auto e = d.next()) return e;
            auto space = d.prepare();
            ac::error_code ec;
            auto n = s.read_some(asio::buffer(space.data(), space.size()), ec);
            if (ec) return std::nullopt;
            d.commit(n);
        }
    }
    void startup(std::uint8_t version = 4) {
        send(
            pr::opcode::startup,
            [](pr::byte_writer& w) {
                pr::encode_startup(w, {{"CQL_VERSION", "3.0.0"}});
            },
            version);
    }
    void query(std::string_view text, std::uint8_t version = 4) {
        send(
            pr::opcode::query, [&](pr::byte_writer& w) { pr::encode_query(w, text, pr::query_parameters{}, version); },
            version);
    }
};

std::int32_t error_code_of(const pr::envelope& e) {
    pr::byte_reader r(e.body);
    return pr::decode_error(r, e.header.version).code;
}

}  // namespace

TEST(cql_sim_raw, password_authenticator_accepts_and_refuses) {
    cql_sim::config cfg;
    cfg.user = "cassandra";
    cfg.password = "secret";
    threaded_sim t(cfg);
    for (const std::string password : {"secret", "wrong"}) {
        raw_peer p(t.sim.port());
        p.startup();
        auto challenge = p.recv();
        ASSERT_TRUE(challenge);
        ASSERT_EQ(challenge->header.opcode, pr::opcode::authenticate);
        pr::byte_reader r(challenge->body);
        EXPECT_EQ(pr::decode_authenticate(r), "org.apache.cassandra.auth.PasswordAuthenticator");
        p.query("SELECT * FROM system.local");  // refused before the credentials
        auto early = p.recv();
        ASSERT_TRUE(early);
        ASSERT_EQ(early->header.opcode, pr::opcode::error);
        EXPECT_EQ(error_code_of(*early), pr::error_codes::protocol_error);
        const std::string token = std::string(1, '\0') + "cassandra" + std::string(1, '\0') + password;
        p.send(pr::opcode::auth_response,
               [&](pr::byte_writer& w) { pr::encode_auth_response(w, pr::as_bytes(token)); });
        auto answer = p.recv();
        ASSERT_TRUE(answer);
        if (password == "secret") {
            EXPECT_EQ(answer->header.opcode, pr::opcode::auth_success);
            p.query("SELECT * FROM system.local");
            auto rows = p.recv();
            ASSERT_TRUE(rows);
            EXPECT_EQ(rows->header.opcode, pr::opcode::result);
        } else {
            ASSERT_EQ(answer->header.opcode, pr::opcode::error);
            EXPECT_EQ(error_code_of(*answer), pr::error_codes::bad_credentials);
        }
    }
}

TEST(cql_sim_raw, prepare_and_execute_by_id_and_unknown_id_is_unprepared) {
    threaded_sim t({});
    t.on_loop([&] {
        t.sim.add_rule(cql_sim::rows_rule("SELECT v FROM ks.t WHERE k = ?", {cql_sim::column("v", ac::type_id::int_)},
                                          {{ac::encode_value(std::int32_t{7})}}));
        return 0;
    });
    raw_peer p(t.sim.port());
    p.startup();
    ASSERT_EQ(p.recv()->header.opcode, pr::opcode::ready);

    const std::string unknown = "nope";
    p.send(pr::opcode::execute,
           [&](pr::byte_writer& w) { pr::encode_execute(w, pr::as_bytes(unknown), {}, pr::query_parameters{}, 4); });
    auto err = p.recv();
    ASSERT_TRUE(err);
    ASSERT_EQ(err->header.opcode, pr::opcode::error);
    pr::byte_reader er(err->body);
    auto decoded = pr::decode_error(er, 4);
    EXPECT_EQ(decoded.code, pr::error_codes::unprepared);
    EXPECT_EQ(decoded.unprepared_id, unknown);

    const std::string query = "SELECT v FROM ks.t WHERE k = ?";
    p.send(pr::opcode::prepare, [&](pr::byte_writer& w) { pr::encode_prepare(w, query, "", 4); });
    auto prepared = p.recv();
    ASSERT_TRUE(prepared);
    ASSERT_EQ(prepared->header.opcode, pr::opcode::result);
    pr::byte_reader pr_reader(prepared->body);
    EXPECT_EQ(pr_reader.i32(), 4);  // kind Prepared
    const auto id = std::string(pr::as_chars(pr_reader.short_bytes()));
    EXPECT_EQ(id, cql_sim::prepared_id_of(query));

    p.send(pr::opcode::execute,
           [&](pr::byte_writer& w) { pr::encode_execute(w, pr::as_bytes(id), {}, pr::query_parameters{}, 4); });
    auto rows = p.recv();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->header.opcode, pr::opcode::result);
    pr::byte_reader rr(rows->body);
    EXPECT_EQ(rr.i32(), 2);  // kind Rows
    EXPECT_EQ(t.sim.stats().requests_of(pr::opcode::execute), 2u);
}

TEST(cql_sim_raw, registered_connections_receive_pushed_events) {
    threaded_sim t({});
    raw_peer p(t.sim.port());
    p.startup();
    ASSERT_EQ(p.recv()->header.opcode, pr::opcode::ready);
    const std::string_view types[] = {pr::event_type::status_change};
    p.send(pr::opcode::register_, [&](pr::byte_writer& w) { pr::encode_register(w, types); });
    ASSERT_EQ(p.recv()->header.opcode, pr::opcode::ready);

    const auto sent = t.on_loop([&] {
        pr::status_change_event up{"UP", {"127.0.0.1", 9042}};
        auto n = t.sim.push_event(up);
        pr::topology_change_event not_registered{"NEW_NODE", {"127.0.0.2", 9042}};
        n += t.sim.push_event(not_registered);
        return n;
    });
    EXPECT_EQ(sent, 1u);
    auto ev = p.recv();
    ASSERT_TRUE(ev);
    ASSERT_EQ(ev->header.opcode, pr::opcode::event);
    EXPECT_EQ(ev->header.stream, -1);
    pr::byte_reader r(ev->body);
    auto body = pr::decode_event(r);
    ASSERT_TRUE(std::holds_alternative<pr::status_change_event>(body));
    EXPECT_EQ(std::get<pr::status_change_event>(body).change, "UP");
}

TEST(cql_sim_raw, a_higher_version_than_max_is_refused_and_the_connection_closed) {
    cql_sim::config cfg;
    cfg.max_protocol_version = 4;
    threaded_sim t(cfg);
    raw_peer p(t.sim.port());
    p.send(
        pr::opcode::options, [](pr::byte_writer&) {}, 5);
    auto err = p.recv();
    ASSERT_TRUE(err);
    EXPECT_EQ(err->header.version, 4);
    ASSERT_EQ(err->header.opcode, pr::opcode::error);
    pr::byte_reader r(err->body);
    auto e = pr::decode_error(r, 4);
    EXPECT_EQ(e.code, pr::error_codes::protocol_error);
    EXPECT_NE(e.message.find("Invalid or unsupported protocol version (5)"), std::string::npos);
    EXPECT_FALSE(p.recv());  // then it hangs up
}

TEST(cql_sim_raw, faults_wrong_stream_close_after_and_corrupt_crc) {
    threaded_sim t({});
    t.on_loop([&] {
        cql_sim::rule wrong;
        wrong.query = "SELECT wrong";
        wrong.fault.kind = cql_sim::fault_kind::wrong_stream;
        t.sim.add_rule(wrong);
        cql_sim::rule cut;
        cut.query = "SELECT cut";
        cut.fault = {cql_sim::fault_kind::close_after, 5, {}};
        t.sim.add_rule(cut);
        cql_sim::rule crc;
        crc.query = "SELECT crc";
        crc.fault.kind = cql_sim::fault_kind::corrupt_crc;
        t.sim.add_rule(crc);
        return 0;
    });
    {
        raw_peer p(t.sim.port());
        p.startup();
        ASSERT_EQ(p.recv()->header.opcode, pr::opcode::ready);
        p.query("SELECT wrong");
        auto r = p.recv();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header.opcode, pr::opcode::result);
        EXPECT_NE(r->header.stream, 1);  // the request went out on stream 1
    }
    {
        raw_peer p(t.sim.port());
        p.startup();
        ASSERT_EQ(p.recv()->header.opcode, pr::opcode::ready);
        p.query("SELECT cut");
        EXPECT_FALSE(p.recv());  // 5 bytes of a header, then EOF
        EXPECT_EQ(p.d.buffered(), 5u);
    }
    {
        raw_peer p(t.sim.port());
        p.startup(5);
        ASSERT_EQ(p.recv()->header.opcode, pr::opcode::ready);
        p.segments = true;
        p.d.enable_segments(false);
        p.query("SELECT fine", 5);
        auto fine = p.recv();
        ASSERT_TRUE(fine);
        EXPECT_EQ(fine->header.opcode, pr::opcode::result);
        p.query("SELECT crc", 5);
        EXPECT_THROW(p.recv(), pr::protocol_error);
    }
}

TEST(cql_sim_rules_file, parses_options_and_refuses_unknown_ones) {
    auto rules = cql_sim::parse_rules(
        "# comment\n"
        "SELECT * FROM ks.t => delay=200 max_hits=1\n"
        "\n"
        "INSERT => substring error=0x1001 fault=close_after:7\n"
        "UPDATE ks.t\n");
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].query, "SELECT * FROM ks.t");
    EXPECT_EQ(rules[0].delay, 200ms);
    EXPECT_EQ(rules[0].max_hits, 1);
    EXPECT_TRUE(rules[1].substring);
    ASSERT_TRUE(std::holds_alternative<pr::error_response>(rules[1].result));
    EXPECT_EQ(std::get<pr::error_response>(rules[1].result).code, 0x1001);
    EXPECT_EQ(rules[1].fault.kind, cql_sim::fault_kind::close_after);
    EXPECT_EQ(rules[1].fault.bytes, 7u);
    EXPECT_TRUE(std::holds_alternative<cql_sim::void_result>(rules[2].result));
    EXPECT_THROW(cql_sim::parse_rules("X => fault=explode"), std::invalid_argument);
    EXPECT_THROW(cql_sim::parse_rules("X => delay=soon"), std::invalid_argument);
}

// Handshake rules: on=<request> and a malformed body for its answer.
TEST(cql_sim_rules_file, parses_handshake_rules_and_bodies) {
    auto rules = cql_sim::parse_rules(
        "OPTIONS => on=options node=0 fault=body:supported:\n"
        "STARTUP => on=startup fault=body:error:0000000a\n"
        "AUTH => on=auth_response fault=close_after:9\n");
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].on, pr::opcode::options);
    EXPECT_EQ(rules[0].node, 0);
    EXPECT_EQ(rules[0].fault.kind, cql_sim::fault_kind::body);
    EXPECT_EQ(rules[0].fault.answer, pr::opcode::supported);
    EXPECT_TRUE(rules[0].fault.raw.empty());
    EXPECT_EQ(rules[1].on, pr::opcode::startup);
    EXPECT_EQ(rules[1].fault.answer, pr::opcode::error);
    EXPECT_EQ(rules[1].fault.raw, (pr::byte_buffer{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0x0a}}));
    EXPECT_EQ(rules[2].on, pr::opcode::auth_response);
    EXPECT_FALSE(rules[2].matches("AUTH", "", 0)) << "a handshake rule must not match statements";
    EXPECT_THROW(cql_sim::parse_rules("X => on=query"), std::invalid_argument);
    EXPECT_THROW(cql_sim::parse_rules("X => fault=body:nosuch:00"), std::invalid_argument);
    EXPECT_THROW(cql_sim::parse_rules("X => fault=body:error:0"), std::invalid_argument);  // odd hex
}

// Bind markers and a canned row from the rules file: the client prepares,
// binds typed values and reads the row, also when answers share one write.
TEST(cql_sim_rules_file, bind_markers_and_canned_rows_reach_the_client) {
    EXPECT_THROW(cql_sim::parse_rules("X => vars=k:nosuchtype"), std::invalid_argument);
    EXPECT_THROW(cql_sim::parse_rules("X => rows=1"), std::invalid_argument);  // no columns
    EXPECT_THROW(cql_sim::parse_rules("X => vars=k"), std::invalid_argument);
    asio::io_context io;
    cql_sim::server sim(io.get_executor(), {});
    for (auto& r : cql_sim::parse_rules("INSERT INTO ks.t (k, v) VALUES (?, ?) => vars=k:bigint,v:text\n"
                                        "SELECT k, v FROM ks.t WHERE k = ? => vars=k:bigint rows=2 "
                                        "columns=k:bigint,v:blob value_bytes=5\n"))
        sim.add_rule(std::move(r));
    sim.start();
    std::vector<ac::column_spec> markers;
    std::size_t rows = 0, answered = 0;
    std::int64_t second_k = -1;
    std::size_t blob_size = 0;
    auto failure = run_client(io, sim, {}, [&](ac::cluster_config c) -> asio::awaitable<void> {
        auto cluster = co_await ac::cluster::connect(c);
        auto session = co_await cluster.open_session();
        auto insert = co_await session.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)");
        markers = insert.variables();
        co_await session.execute(insert.bind(std::int64_t{1}, "x"));
        auto select = co_await session.prepare("SELECT k, v FROM ks.t WHERE k = ?");
        // Many answers in flight at once: the sim frames them together.
        std::size_t pending = 50;
        asio::steady_timer done(co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
        for (int i = 0; i < 50; ++i)
            session.async_execute(select.bind(std::int64_t{i}), [&](ac::error_code ec, ac::result_set rs) {
                if (!ec) {
                    ++answered;
                    rows = rs.size();
                    second_k = rs.row(1).get<std::int64_t>(0);
                    blob_size = rs.row(1).get<std::vector<std::byte>>(1).size();
                }
                if (--pending == 0) done.cancel();
            });
        co_await done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        co_await session.close();
        co_await cluster.close();
    });
    ASSERT_EQ(failure, "");
    ASSERT_EQ(markers.size(), 2u);
    EXPECT_EQ(markers[0].name, "k");
    EXPECT_EQ(markers[0].type.id, ac::type_id::bigint);
    EXPECT_EQ(markers[1].type.id, ac::type_id::varchar);
    EXPECT_EQ(answered, 50u);
    EXPECT_EQ(rows, 2u);
    EXPECT_EQ(second_k, 1);  // row i holds i
    EXPECT_EQ(blob_size, 5u);
}

// Every request encoder and response decoder against the real node, below the
// session API: a blocking client made of the protocol layer and a socket,
// run for v5 (plain, lz4 segments) and v4 (plain, lz4 and snappy bodies).
#include "test_env.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <deque>

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;
using asio::ip::tcp;

namespace {

struct wire_case {
    int version;
    ac::compression compression;
};

// One connection driven step by step: send a request, read until its answer.
// EVENTs that arrive meanwhile are kept in `events`.
class raw_client {
public:
    explicit raw_client(wire_case c) : socket_(io_), case_(c) {
        tcp::resolver resolver(io_);
        asio::connect(socket_, resolver.resolve(test_env::host(), "9042"));
    }

    pr::envelope request(pr::opcode op, const std::function<void(pr::byte_writer&)>& body) {
        const auto stream = next_stream_++;
        pr::byte_buffer env;
        pr::write_envelope(env, static_cast<std::uint8_t>(case_.version), 0, stream, op, body);
        if (compress_bodies_) pr::compress_envelope(env, 0, case_.compression);
        if (framed_) {
            pr::byte_buffer segments;
            pr::encode_segments(segments, env, case_.compression == ac::compression::lz4);
            env.swap(segments);
        }
        asio::write(socket_, asio::buffer(env));
        if (op == pr::opcode::startup && case_.version == 4 && case_.compression != ac::compression::none) {
            compress_bodies_ = true;
            decoder_.enable_body_compression(case_.compression);
        }
        for (;;) {
            auto e = next();
            if (e.header.stream == stream) {
                if (!framed_ && case_.version >= 5 && op == pr::opcode::startup) {
                    framed_ = true;
                    decoder_.enable_segments(case_.compression == ac::compression::lz4);
                }
                return e;
            }
            EXPECT_EQ(e.header.stream, -1);
            events.push_back(std::move(e));
        }
    }

    pr::envelope next() {
        for (;;) {
            if (auto e = decoder_.next()) return std::move(*e);
            auto space = decoder_.prepare();
            decoder_.commit(socket_.read_some(asio::buffer(space.data(), space.size())));
        }
    }

    void handshake() {
        auto supported = request(pr::opcode::options, pr::encode_options);
        ASSERT_EQ(supported.header.opcode, pr::opcode::supported);
        pr::byte_reader r(supported.body);
        auto options = pr::decode_supported(r);
        pr::string_map startup{{"CQL_VERSION", "3.0.0"}};
        if (case_.compression != ac::compression::none) {
            const auto& offered = options["COMPRESSION"];
            ASSERT_NE(std::find(offered.begin(), offered.end(), ac::to_string(case_.compression)), offered.end());
            startup.emplace_back("COMPRESSION", ac::to_string(case_.compression));
        }
        auto ready = request(pr::opcode::startup, [&](pr::byte_writer& w) { pr::encode_startup(w, startup); });
        ASSERT_EQ(ready.header.opcode, pr::opcode::ready);
    }

    // A RESULT body (after its prefix) or a failed test. Its views point into
    // the envelope, which the client keeps until it is destroyed.
    pr::result_body result(pr::envelope env) {
        const auto& e = kept_.emplace_back(std::move(env));
        pr::byte_reader r(e.body);
        (void)pr::decode_response_prefix(r, e.header.flags);
        if (e.header.opcode != pr::opcode::result) {
            auto err = pr::decode_error(r, case_.version);
            throw std::runtime_error("ERROR 0x" + std::to_string(err.code) + ": " + err.message);
        }
        return pr::decode_result(r, case_.version);
    }
    pr::error_response error(const pr::envelope& e) {
        EXPECT_EQ(e.header.opcode, pr::opcode::error);
        pr::byte_reader r(e.body);
        (void)pr::decode_response_prefix(r, e.header.flags);
        return pr::decode_error(r, case_.version);
    }
    pr::result_body query(std::string_view cql, const pr::query_parameters& p = {}) {
        return result(
            request(pr::opcode::query, [&](pr::byte_writer& w) { pr::encode_query(w, cql, p, case_.version); }));
    }

    std::vector<pr::envelope> events;

private:
    asio::io_context io_;
    tcp::socket socket_;
    wire_case case_;
    pr::frame_decoder decoder_;
    std::deque<pr::envelope> kept_;
    std::int16_t next_stream_ = 1;
    bool framed_ = false;
    bool compress_bodies_ = false;
};

std::string name_of(const ::testing::TestParamInfo<wire_case>& i) {
    const std::string c = ac::to_string(i.param.compression);
    return "v" + std::to_string(i.param.version) + (c.empty() ? "" : "_" + c);
}

pr::byte_buffer int_value(std::int32_t v) {
    pr::byte_buffer out;
    pr::byte_writer(out).i32(v);
    return out;
}

}  // namespace

class wire_protocol : public ::testing::TestWithParam<wire_case> {};

TEST_P(wire_protocol, every_request_and_its_answer) {
    const int version = GetParam().version;
    raw_client c(GetParam());
    c.handshake();
    const auto ks = "ac_wire_" + name_of({GetParam(), 0});

    // REGISTER, answered with READY; then schema changes arrive as EVENTs.
    const std::string_view types[] = {pr::event_type::schema_change, pr::event_type::status_change,
                                      pr::event_type::topology_change};
    auto registered = c.request(pr::opcode::register_, [&](pr::byte_writer& w) { pr::encode_register(w, types); });
    ASSERT_EQ(registered.header.opcode, pr::opcode::ready);

    (void)c.query("DROP KEYSPACE IF EXISTS " + ks);
    auto created = c.query("CREATE KEYSPACE " + ks +
                           " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    EXPECT_EQ(std::get<pr::schema_change>(created).target, "KEYSPACE");
    auto table = std::get<pr::schema_change>(
        c.query("CREATE TABLE " + ks + ".t (k int, c int, v text, PRIMARY KEY ((k), c))"));
    EXPECT_EQ(table.target, "TABLE");
    EXPECT_EQ(table.name, "t");

    // ERROR Already_exists carries keyspace and table.
    auto again = c.error(c.request(pr::opcode::query, [&](pr::byte_writer& w) {
        pr::encode_query(w, "CREATE TABLE " + ks + ".t (k int PRIMARY KEY)", {}, version);
    }));
    EXPECT_EQ(again.code, pr::error_codes::already_exists);
    EXPECT_EQ(again.keyspace, ks);
    EXPECT_EQ(again.table, "t");

    // PREPARE an INSERT: bind markers (k, c, v), partition key = marker 0, no result columns.
    const std::string insert = "INSERT INTO " + ks + ".t (k, c, v) VALUES (?, ?, ?)";
    auto prepared = std::get<pr::prepared_result>(c.result(
        c.request(pr::opcode::prepare, [&](pr::byte_writer& w) { pr::encode_prepare(w, insert, {}, version); })));
    ASSERT_EQ(prepared.variables.columns.size(), 3u);
    EXPECT_EQ(prepared.variables.columns[2].name, "v");
    EXPECT_EQ(prepared.variables.columns[2].type.id, ac::type_id::varchar);
    EXPECT_EQ(prepared.variables.pk_indexes, (std::vector<std::uint16_t>{0}));
    EXPECT_EQ(prepared.result_metadata.column_count, 0);
    EXPECT_EQ(prepared.result_metadata_id.has_value(), version >= 5);
    const pr::byte_buffer id(prepared.id.begin(), prepared.id.end());
    const pr::byte_buffer meta_id = prepared.result_metadata_id ? pr::byte_buffer(prepared.result_metadata_id->begin(),
                                                                                  prepared.result_metadata_id->end())
                                                                : pr::byte_buffer{};

    // EXECUTE with a value, a null and (v4+) an unset.
    const auto k1 = int_value(1), c1 = int_value(1), c2 = int_value(2);
    const pr::value_ref row1[] = {pr::value_ref::of(k1), pr::value_ref::of(c1), pr::value_ref::of(pr::as_bytes("one"))};
    const pr::value_ref row2[] = {pr::value_ref::of(k1), pr::value_ref::of(c2), pr::value_ref::unset()};
    for (const auto* values : {&row1, &row2}) {
        pr::query_parameters p;
        p.consistency_level = ac::consistency::one;
        p.values = *values;
        auto done = c.result(c.request(pr::opcode::execute,
                                       [&](pr::byte_writer& w) { pr::encode_execute(w, id, meta_id, p, version); }));
        EXPECT_TRUE(std::holds_alternative<pr::void_result>(done));
    }

    // QUERY with named values and a default timestamp.
    const auto c3 = int_value(3);
    const pr::value_ref named[] = {pr::value_ref::of(pr::as_bytes("three")), pr::value_ref::of(c3),
                                   pr::value_ref::of(k1)};
    const std::string_view names[] = {"v", "c", "k"};
    pr::query_parameters np;
    np.values = named;
    np.names = names;
    np.default_timestamp = 1'700'000'000'000'000;
    EXPECT_TRUE(
        std::holds_alternative<pr::void_result>(c.query("INSERT INTO " + ks + ".t (k, c, v) VALUES (:k, :c, :v)", np)));

    // BATCH: a simple statement with values and the prepared one.
    const auto c4 = int_value(4), c5 = int_value(5);
    const pr::value_ref simple_values[] = {pr::value_ref::of(k1), pr::value_ref::of(c4)};
    const pr::value_ref prepared_values[] = {pr::value_ref::of(k1), pr::value_ref::of(c5), pr::value_ref::null()};
    const std::string simple = "INSERT INTO " + ks + ".t (k, c, v) VALUES (?, ?, 'four')";
    const pr::batch_statement stmts[] = {{false, simple, {}, simple_values}, {true, {}, id, prepared_values}};
    pr::batch_parameters b;
    b.type = pr::batch_type::unlogged;
    b.statements = stmts;
    b.consistency_level = ac::consistency::one;
    b.serial_consistency = ac::consistency::local_serial;
    b.default_timestamp = 1'700'000'000'000'001;
    if (version >= 5) b.now_in_seconds = 1'700'000'000;
    EXPECT_TRUE(std::holds_alternative<pr::void_result>(
        c.result(c.request(pr::opcode::batch, [&](pr::byte_writer& w) { pr::encode_batch(w, b, version); }))));

    // Rows, paged two at a time; v5 names the keyspace per query instead of in the text.
    pr::query_parameters sp;
    sp.page_size = 2;
    std::string select = "SELECT c, v FROM " + (version >= 5 ? std::string() : ks + ".") + "t WHERE k = 1";
    if (version >= 5) sp.keyspace = ks;
    auto page1 = std::get<pr::rows_result>(c.query(select, sp));
    EXPECT_EQ(page1.rows_count, 2);
    ASSERT_EQ(page1.metadata.columns.size(), 2u);
    EXPECT_EQ(page1.metadata.columns[1].name, "v");
    ASSERT_TRUE(page1.metadata.paging_state);
    const pr::byte_buffer state(page1.metadata.paging_state->begin(), page1.metadata.paging_state->end());
    sp.paging_state = state;
    sp.skip_metadata = true;
    auto page2 = std::get<pr::rows_result>(c.query(select, sp));
    EXPECT_EQ(page2.rows_count, 2);
    EXPECT_TRUE(page2.metadata.columns.empty());  // skipped on request
    EXPECT_EQ(page2.metadata.column_count, 2);
    ASSERT_TRUE(page2.metadata.paging_state);
    const pr::byte_buffer state2(page2.metadata.paging_state->begin(), page2.metadata.paging_state->end());
    sp.paging_state = state2;
    auto page3 = std::get<pr::rows_result>(c.query(select, sp));
    EXPECT_EQ(page3.rows_count, 1);
    EXPECT_FALSE(page3.metadata.paging_state);

    // USE answers Set_keyspace.
    EXPECT_EQ(std::get<pr::set_keyspace_result>(c.query("USE " + ks)).keyspace, ks);

    // ERROR Unprepared carries the unknown id.
    const auto bogus = pr::as_bytes("no-such-statement");
    auto unprepared = c.error(
        c.request(pr::opcode::execute, [&](pr::byte_writer& w) { pr::encode_execute(w, bogus, bogus, {}, version); }));
    EXPECT_EQ(unprepared.code, pr::error_codes::unprepared);
    EXPECT_EQ(unprepared.unprepared_id, "no-such-statement");

    (void)c.query("DROP KEYSPACE " + ks);

    // The schema changes made above came back as EVENTs (some may still be in
    // flight; others' tests on the same node add theirs).
    std::size_t ours = 0;
    for (const auto& e : c.events) {
        EXPECT_EQ(e.header.opcode, pr::opcode::event);
        pr::byte_reader r(e.body);
        auto ev = pr::decode_event(r);
        if (auto* s = std::get_if<pr::schema_change>(&ev); s && s->keyspace == ks) ++ours;
    }
    EXPECT_GE(ours, 1u);
}

INSTANTIATE_TEST_SUITE_P(protocols, wire_protocol,
                         ::testing::Values(wire_case{5, ac::compression::none}, wire_case{5, ac::compression::lz4},
                                           wire_case{4, ac::compression::none}, wire_case{4, ac::compression::lz4},
                                           wire_case{4, ac::compression::snappy}),
                         name_of);

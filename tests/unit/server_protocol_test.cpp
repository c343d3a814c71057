// The server side of the protocol against the client side: every request the
// client encodes decodes to the same fields, and every response the server
// encodes decodes to what it was given.
#include <server_protocol/server_protocol.hpp>
#include <async_cassandra/result_set.hpp>

#include <gtest/gtest.h>

namespace ac = async_cassandra;
using namespace async_cassandra::protocol;
namespace srv = async_cassandra::protocol::server;

namespace {
template <class F>
byte_buffer build(F&& f) {
    byte_buffer b;
    byte_writer w(b);
    f(w);
    return b;
}

ac::data_type of(ac::type_id id, std::vector<ac::data_type> params = {}) {
    ac::data_type t;
    t.id = id;
    t.params = std::move(params);
    return t;
}

column_spec col(std::string name, ac::data_type t) { return {"ks", "t", std::move(name), std::move(t)}; }

// Every proper prefix of a message must be refused with a protocol_error.
template <class Decode>
void expect_truncations_refused(const byte_buffer& body, Decode decode) {
    for (std::size_t n = 0; n < body.size(); ++n) {
        byte_reader r(bytes_view(body).first(n));
        EXPECT_THROW(decode(r), protocol_error) << "prefix of " << n << " bytes";
    }
}
}  // namespace

class server_versions : public ::testing::TestWithParam<int> {};

TEST_P(server_versions, query_with_every_parameter_round_trips) {
    const int v = GetParam();
    const std::string a = "\x01\x02", ps = "state";
    const value_ref values[] = {value_ref::of(as_bytes(a)), value_ref::null(), value_ref::unset()};
    const std::string_view names[] = {"x", "y", "z"};
    query_parameters p;
    p.consistency_level = ac::consistency::each_quorum;
    p.values = values;
    p.names = names;
    p.skip_metadata = true;
    p.page_size = 77;
    p.paging_state = as_bytes(ps);
    p.serial_consistency = ac::consistency::local_serial;
    p.default_timestamp = 123456789;
    if (v >= 5) {
        p.keyspace = "ks";
        p.now_in_seconds = 42;
    }
    auto body = build([&](byte_writer& w) { encode_query(w, "SELECT 1", p, v); });
    byte_reader r(body);
    auto q = srv::decode_query(r, v);
    EXPECT_TRUE(r.empty());
    EXPECT_EQ(q.query, "SELECT 1");
    const auto& d = q.parameters.params;
    EXPECT_EQ(d.consistency_level, ac::consistency::each_quorum);
    ASSERT_EQ(d.values.size(), 3u);
    EXPECT_EQ(as_chars(d.values[0].data), a);
    EXPECT_EQ(d.values[1].k, value_ref::kind::null);
    EXPECT_EQ(d.values[2].k, value_ref::kind::unset);
    ASSERT_EQ(d.names.size(), 3u);
    EXPECT_EQ(d.names[2], "z");
    EXPECT_TRUE(d.skip_metadata);
    EXPECT_EQ(d.page_size, 77);
    EXPECT_EQ(as_chars(*d.paging_state), ps);
    EXPECT_EQ(d.serial_consistency, ac::consistency::local_serial);
    EXPECT_EQ(d.default_timestamp, 123456789);
    EXPECT_EQ(d.keyspace, v >= 5 ? "ks" : "");
    EXPECT_EQ(d.now_in_seconds, v >= 5 ? std::optional<std::int32_t>(42) : std::nullopt);
    expect_truncations_refused(body, [&](byte_reader& rr) { (void)srv::decode_query(rr, v); });
}

TEST_P(server_versions, prepare_execute_and_batch_round_trip) {
    const int v = GetParam();
    auto prep = build([&](byte_writer& w) { encode_prepare(w, "INSERT", v >= 5 ? "ks" : "", v); });
    byte_reader rp(prep);
    auto pr = srv::decode_prepare(rp, v);
    EXPECT_EQ(pr.query, "INSERT");
    EXPECT_EQ(pr.keyspace, v >= 5 ? "ks" : "");

    const std::string id = "ID", rmid = "RM", val = "v";
    const value_ref values[] = {value_ref::of(as_bytes(val))};
    query_parameters p;
    p.values = values;
    auto exec = build([&](byte_writer& w) { encode_execute(w, as_bytes(id), as_bytes(rmid), p, v); });
    byte_reader re(exec);
    auto ex = srv::decode_execute(re, v);
    EXPECT_EQ(as_chars(ex.id), id);
    EXPECT_EQ(as_chars(ex.result_metadata_id), v >= 5 ? rmid : "");
    ASSERT_EQ(ex.parameters.params.values.size(), 1u);
    EXPECT_EQ(as_chars(ex.parameters.params.values[0].data), val);
    expect_truncations_refused(exec, [&](byte_reader& rr) { (void)srv::decode_execute(rr, v); });

    const batch_statement stmts[] = {{false, "UPDATE t", {}, values}, {true, {}, as_bytes(id), {}}};
    batch_parameters b;
    b.type = batch_type::counter;
    b.statements = stmts;
    b.consistency_level = ac::consistency::quorum;
    b.default_timestamp = 5;
    auto batch = build([&](byte_writer& w) { encode_batch(w, b, v); });
    byte_reader rb(batch);
    auto bd = srv::decode_batch(rb, v);
    EXPECT_TRUE(rb.empty());
    EXPECT_EQ(bd.type, batch_type::counter);
    ASSERT_EQ(bd.statements.size(), 2u);
    EXPECT_EQ(bd.statements[0].query, "UPDATE t");
    EXPECT_EQ(bd.statements[0].values.size(), 1u);
    EXPECT_TRUE(bd.statements[1].prepared);
    EXPECT_EQ(as_chars(bd.statements[1].id), id);
    EXPECT_EQ(bd.consistency_level, ac::consistency::quorum);
    EXPECT_EQ(bd.default_timestamp, 5);
    expect_truncations_refused(batch, [&](byte_reader& rr) { (void)srv::decode_batch(rr, v); });
}

TEST_P(server_versions, every_detailed_error_round_trips) {
    const int v = GetParam();
    std::vector<error_response> errors;
    auto add = [&](std::int32_t code) -> error_response& {
        errors.emplace_back();
        errors.back().code = code;
        errors.back().message = "m" + std::to_string(code);
        return errors.back();
    };
    auto& un = add(0x1000);
    un.consistency_level = ac::consistency::quorum;
    un.required = 3;
    un.alive = 1;
    auto& wt = add(0x1100);
    wt.consistency_level = ac::consistency::serial;
    wt.received = 1;
    wt.block_for = 2;
    wt.write_type = "CAS";
    if (v >= 5) wt.contentions = 4;
    auto& rt = add(0x1200);
    rt.consistency_level = ac::consistency::one;
    rt.data_present = true;
    auto& rf = add(0x1300);
    rf.consistency_level = ac::consistency::all;
    if (v >= 5)
        rf.reason_map = {{"127.0.0.2", 1}, {"::1", 6}};
    else
        rf.num_failures = 2;
    auto& wf = add(0x1500);
    wf.consistency_level = ac::consistency::two;
    wf.write_type = "BATCH_LOG";
    if (v >= 5) wf.reason_map = {{"10.1.2.3", 2}};
    auto& ff = add(0x1400);
    ff.keyspace = "ks";
    ff.function = "f";
    ff.arg_types = {"int", "text"};
    auto& cas = add(0x1700);
    cas.consistency_level = ac::consistency::local_serial;
    cas.received = 2;
    cas.block_for = 3;
    auto& ae = add(0x2400);
    ae.keyspace = "ks";
    ae.table = "t";
    auto& up = add(0x2500);
    up.unprepared_id = std::string("\x00\xff", 2);
    add(0x2000);
    add(0x1001);

    for (const auto& e : errors) {
        auto body = build([&](byte_writer& w) { srv::encode_error(w, e, v); });
        byte_reader r(body);
        auto d = decode_error(r, v);
        EXPECT_TRUE(r.empty()) << e.code;
        EXPECT_EQ(d.code, e.code);
        EXPECT_EQ(d.message, e.message);
        EXPECT_EQ(d.consistency_level, e.consistency_level) << e.code;
        EXPECT_EQ(d.required, e.required);
        EXPECT_EQ(d.alive, e.alive);
        EXPECT_EQ(d.received, e.received);
        EXPECT_EQ(d.block_for, e.block_for);
        EXPECT_EQ(d.data_present, e.data_present);
        EXPECT_EQ(d.write_type, e.write_type);
        EXPECT_EQ(d.contentions, e.contentions) << e.code;
        EXPECT_EQ(d.reason_map, e.reason_map) << e.code;
        if (v < 5) {
            EXPECT_EQ(d.num_failures, e.num_failures) << e.code;
        }
        EXPECT_EQ(d.keyspace, e.keyspace);
        EXPECT_EQ(d.table, e.table);
        EXPECT_EQ(d.function, e.function);
        EXPECT_EQ(d.arg_types, e.arg_types);
        EXPECT_EQ(d.unprepared_id, e.unprepared_id);
    }
}

TEST_P(server_versions, prepared_result_round_trips) {
    const int v = GetParam();
    prepared_metadata vars;
    vars.pk_indexes = {1, 0};
    vars.columns = {col("a", of(ac::type_id::int_)), col("b", of(ac::type_id::varchar))};
    srv::rows_header result;
    result.columns = {col("c", of(ac::type_id::bigint))};
    const std::string id = "0123456789abcdef", rmid = "rm";
    auto body = build(
        [&](byte_writer& w) { srv::encode_prepared_result(w, as_bytes(id), as_bytes(rmid), vars, result, v); });
    byte_reader r(body);
    auto res = decode_result(r, v);
    EXPECT_TRUE(r.empty());
    const auto& p = std::get<prepared_result>(res);
    EXPECT_EQ(as_chars(p.id), id);
    if (v >= 5) {
        EXPECT_EQ(as_chars(*p.result_metadata_id), rmid);
    }
    EXPECT_EQ(p.variables.pk_indexes, vars.pk_indexes);
    ASSERT_EQ(p.variables.columns.size(), 2u);
    EXPECT_EQ(p.variables.columns[1].name, "b");
    EXPECT_EQ(p.variables.columns[1].type.id, ac::type_id::varchar);
    ASSERT_EQ(p.result_metadata.columns.size(), 1u);
    EXPECT_EQ(p.result_metadata.columns[0].type.id, ac::type_id::bigint);
}

INSTANTIATE_TEST_SUITE_P(versions, server_versions, ::testing::Values(4, 5));

TEST(server_protocol, startup_register_and_auth_round_trip) {
    const string_map opts{{"CQL_VERSION", "3.0.0"}, {"COMPRESSION", "lz4"}};
    auto s = build([&](byte_writer& w) { encode_startup(w, opts); });
    byte_reader rs(s);
    EXPECT_EQ(srv::decode_startup(rs), opts);

    const std::string_view types[] = {event_type::status_change, event_type::schema_change};
    auto reg = build([&](byte_writer& w) { encode_register(w, types); });
    byte_reader rr(reg);
    EXPECT_EQ(srv::decode_register(rr), (std::vector<std::string>{"STATUS_CHANGE", "SCHEMA_CHANGE"}));

    const std::string token = std::string("\0cassandra\0cassandra", 20);
    auto auth = build([&](byte_writer& w) { encode_auth_response(w, as_bytes(token)); });
    byte_reader ra(auth);
    EXPECT_EQ(as_chars(*srv::decode_auth_response(ra)), token);
}

TEST(server_protocol, events_round_trip) {
    std::vector<event_body> events = {topology_change_event{"NEW_NODE", {"127.0.0.4", 9042}},
                                      status_change_event{"DOWN", {"fe80::1", 19042}},
                                      schema_change{"CREATED", "TABLE", "ks", "t", {}},
                                      schema_change{"DROPPED", "AGGREGATE", "ks", "agg", {"int", "text"}},
                                      schema_change{"UPDATED", "KEYSPACE", "ks", "", {}}};
    for (const auto& e : events) {
        auto body = build([&](byte_writer& w) { srv::encode_event(w, e); });
        byte_reader r(body);
        auto d = decode_event(r);
        EXPECT_TRUE(r.empty());
        ASSERT_EQ(d.index(), e.index());
        if (auto* t = std::get_if<topology_change_event>(&e)) {
            EXPECT_EQ(std::get<topology_change_event>(d).node, t->node);
            EXPECT_EQ(std::get<topology_change_event>(d).change, t->change);
        } else if (auto* st = std::get_if<status_change_event>(&e)) {
            EXPECT_EQ(std::get<status_change_event>(d).node, st->node);
        } else {
            const auto& want = std::get<schema_change>(e);
            const auto& got = std::get<schema_change>(d);
            EXPECT_EQ(got.target, want.target);
            EXPECT_EQ(got.name, want.name);
            EXPECT_EQ(got.arg_types, want.arg_types);
        }
    }
}

TEST(server_protocol, rows_with_every_kind_of_type_decode_as_written) {
    auto vec = of(ac::type_id::vector, {of(ac::type_id::float_)});
    vec.dimension = 3;
    auto m = of(ac::type_id::map, {of(ac::type_id::varchar), of(ac::type_id::list, {of(ac::type_id::int_)})});
    auto tup = of(ac::type_id::tuple, {of(ac::type_id::int_), of(ac::type_id::blob)});
    auto udt = of(ac::type_id::udt, {of(ac::type_id::varchar), of(ac::type_id::int_)});
    udt.keyspace = "ks";
    udt.name = "addr";
    udt.field_names = {"street", "zip"};
    srv::rows_header h;
    h.columns = {col("v", vec), col("m", m), col("tu", tup), col("u", udt)};
    const std::string ps = "more";
    h.paging_state = as_bytes(ps);
    auto body = build([&](byte_writer& w) {
        srv::begin_rows_result(w, h, 1);
        w.raw(as_bytes(std::string("\0\0\0\x0c", 4)));
        w.raw(byte_buffer(12));  // three zero floats
        w.null_bytes();
        w.null_bytes();
        w.null_bytes();
    });
    auto rs = ac::result_set::from_body(body, 0, 5);
    ASSERT_EQ(rs.columns().size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(rs.columns()[i].type, h.columns[i].type) << i;
    EXPECT_EQ(*rs.paging_state(), ps);
    auto floats = rs.first_row().get<std::array<float, 3>>(0);
    EXPECT_EQ(floats[2], 0.0f);
    EXPECT_TRUE(rs.first_row().is_null(3));
}

// Writes the seed corpus: valid messages like those in the unit tests, one
// file each, under <dir>/<target>/. Run by ctest before the fuzzers.
#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <async_cassandra/value_codec.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

namespace pr = async_cassandra::protocol;
namespace fs = std::filesystem;

namespace {
fs::path root;

void seed(const std::string& target, const std::string& name, std::uint8_t prefix, const pr::byte_buffer& body) {
    fs::create_directories(root / target);
    std::ofstream out(root / target / name, std::ios::binary);
    out.put(static_cast<char>(prefix));
    out.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
}

pr::byte_buffer build(const std::function<void(pr::byte_writer&)>& f) {
    pr::byte_buffer b;
    pr::byte_writer w(b);
    f(w);
    return b;
}

pr::byte_buffer rows_body() {
    return build([](pr::byte_writer& w) {
        w.i32(2);
        w.i32(0x0001 | 0x0002);
        w.i32(3);
        w.bytes(pr::as_bytes("paging"));
        w.string("ks");
        w.string("t");
        w.string("a");
        w.u16(0x0009);
        w.string("m");
        w.u16(0x0021);
        w.u16(0x000D);
        w.u16(0x0020);
        w.u16(0x0002);
        w.string("v");
        w.u16(0x0000);
        w.string("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType, 2)");
        w.i32(1);
        w.bytes(pr::as_bytes(std::string("\0\0\0\1", 4)));
        w.null_bytes();
        w.bytes(pr::as_bytes(std::string(8, '\0')));
    });
}
// PREPARED after its kind: bind markers (ks.t: k int, m map<text, frozen<tuple<int, blob>>>),
// partition key = marker 0, and result columns (v of a user type) in v5.
void prepared_body(pr::byte_writer& w, int version) {
    w.short_bytes(pr::as_bytes("id"));
    if (version >= 5) w.short_bytes(pr::as_bytes("rmid"));
    w.i32(0x0001);  // bind metadata: global table spec
    w.i32(2);
    w.i32(1);  // pk count
    w.u16(0);
    w.string("ks");
    w.string("t");
    w.string("k");
    w.u16(0x0009);
    w.string("m");
    w.u16(0x0021);
    w.u16(0x000D);
    w.u16(0x0031);
    w.u16(2);
    w.u16(0x0009);
    w.u16(0x0003);
    if (version < 5) {
        w.i32(0x0004);  // result metadata: no metadata
        w.i32(2);
        return;
    }
    w.i32(0x0001);
    w.i32(1);
    w.string("ks");
    w.string("t");
    w.string("v");
    w.u16(0x0030);
    w.string("ks");
    w.string("addr");
    w.u16(2);
    w.string("street");
    w.u16(0x000D);
    w.string("tags");
    w.u16(0x0022);
    w.u16(0x000D);
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: fuzz_seeds DIR\n";
        return 2;
    }
    root = argv[1];

    // Envelopes: legacy framing (mode 0), segments (1), LZ4 segments (2).
    pr::byte_buffer envs;
    pr::write_envelope(envs, 5, 0, 1, pr::opcode::ready, [](pr::byte_writer&) {});
    pr::write_envelope(envs, 5, 0x08, 2, pr::opcode::result, [](pr::byte_writer& w) {
        w.u16(1);
        w.string("warning");
        w.i32(1);
    });
    envs[0] |= std::byte{pr::response_bit};
    seed("fuzz_frame_decoder", "legacy", 0 | (3 << 2), envs);
    for (std::uint8_t mode : {1, 2}) {
        pr::byte_buffer wire;
        pr::encode_segments(wire, envs, mode == 2);
        pr::encode_segment(wire, pr::bytes_view(envs).subspan(0, 5), false, mode == 2);
        seed("fuzz_frame_decoder", "segments" + std::to_string(mode), static_cast<std::uint8_t>(mode | (60 << 2)),
             wire);
    }

    // ERROR bodies, one per detailed code (first byte: bit 0 = v5).
    auto err = [](std::int32_t code, const std::function<void(pr::byte_writer&)>& details) {
        return build([&](pr::byte_writer& w) {
            w.i32(code);
            w.string("message");
            details(w);
        });
    };
    auto cl_recv_block = [](pr::byte_writer& w) {
        w.u16(4);
        w.i32(1);
        w.i32(2);
    };
    seed("fuzz_error", "unavailable", 1, err(0x1000, cl_recv_block));
    seed("fuzz_error", "write_timeout_cas", 1, err(0x1100, [&](pr::byte_writer& w) {
             cl_recv_block(w);
             w.string("CAS");
             w.u16(3);
         }));
    seed("fuzz_error", "read_timeout", 1, err(0x1200, [&](pr::byte_writer& w) {
             cl_recv_block(w);
             w.u8(1);
         }));
    seed("fuzz_error", "read_failure_v5", 1, err(0x1300, [&](pr::byte_writer& w) {
             cl_recv_block(w);
             w.i32(1);
             w.u8(4);
             w.raw(pr::as_bytes(std::string("\x7f\0\0\1", 4)));
             w.u16(1);
             w.u8(0);
         }));
    seed("fuzz_error", "write_failure_v4", 0, err(0x1500, [&](pr::byte_writer& w) {
             cl_recv_block(w);
             w.i32(2);
             w.string("SIMPLE");
         }));
    seed("fuzz_error", "function_failure", 1, err(0x1400, [](pr::byte_writer& w) {
             w.string("ks");
             w.string("f");
             w.u16(1);
             w.string("int");
         }));
    seed("fuzz_error", "already_exists", 1, err(0x2400, [](pr::byte_writer& w) {
             w.string("ks");
             w.string("t");
         }));
    seed("fuzz_error", "unprepared", 1, err(0x2500, [](pr::byte_writer& w) { w.short_bytes(pr::as_bytes("id")); }));

    // RESULT bodies (first byte: bit 0 = v5, bits 1-4 = response flags).
    seed("fuzz_result", "rows", 1, rows_body());
    seed("fuzz_result", "void", 1, build([](pr::byte_writer& w) { w.i32(1); }));
    seed("fuzz_result", "set_keyspace", 0, build([](pr::byte_writer& w) {
             w.i32(3);
             w.string("ks");
         }));
    seed("fuzz_result", "schema_change", 1, build([](pr::byte_writer& w) {
             w.i32(5);
             w.string("CREATED");
             w.string("FUNCTION");
             w.string("ks");
             w.string("f");
             w.u16(1);
             w.string("int");
         }));

    // CQL values: a marshal class name, a newline, then a cell of that type.
    namespace ac = async_cassandra;
    auto value = [](const std::string& name, const std::string& type, const ac::encoded_value& cell) {
        fs::create_directories(root / "fuzz_value");
        std::ofstream out(root / "fuzz_value" / name, std::ios::binary);
        out << "org.apache.cassandra.db.marshal." << type << '\n';
        out.write(reinterpret_cast<const char*>(cell.bytes().data()),
                  static_cast<std::streamsize>(cell.bytes().size()));
    };
    value("list", "ListType(Int32Type)", ac::encode_value(std::vector<std::optional<std::int32_t>>{1, std::nullopt}));
    value("map", "MapType(UTF8Type,FrozenType(ListType(Int32Type)))",
          ac::encode_value(std::map<std::string, std::vector<std::int32_t>>{{"a", {1, 2}}, {"b", {}}}));
    value("tuple", "TupleType(Int32Type,UTF8Type)", ac::encode_value(std::make_tuple(1, std::string("a"))));
    value("udt", "UserType(ks,7074,78:Int32Type,79:UTF8Type)", ac::encode_value(std::make_tuple(1, std::string("y"))));
    value("vector_float", "VectorType(FloatType , 3)", ac::encode_value(std::array<float, 3>{1, 2, 3}));
    value("vector_text", "VectorType(UTF8Type , 2)", ac::encode_value(std::array<std::string, 2>{"ab", ""}));
    value("duration", "DurationType", ac::encode_value(ac::duration{1, 2, 3'000'000'000}));
    value("decimal", "DecimalType", ac::encode_value(ac::decimal::parse("-123.456")));
    value("varint", "IntegerType", ac::encode_value(ac::varint::parse("-1267650600228229401496703205376")));
    value("inet", "InetAddressType", ac::encode_value(ac::inet_address::parse("2001:db8::1")));
    seed("fuzz_result", "prepared_v5", 1, build([](pr::byte_writer& w) {
             w.i32(4);
             prepared_body(w, 5);
         }));

    // PREPARED bodies after the kind (first byte: bit 0 = v5).
    for (int v : {4, 5})
        seed("fuzz_prepared", "prepared_v" + std::to_string(v), static_cast<std::uint8_t>(v == 5),
             build([v](pr::byte_writer& w) { prepared_body(w, v); }));

    // Handshake answers (first byte: bits 0-2 the message, bits 3-5 the prefix flags).
    seed("fuzz_handshake", "supported", 0, build([](pr::byte_writer& w) {
             w.u16(2);
             w.string("CQL_VERSION");
             w.u16(1);
             w.string("3.4.7");
             w.string("PROTOCOL_VERSIONS");
             w.u16(3);
             w.string("3/v3");
             w.string("4/v4");
             w.string("5/v5");
         }));
    seed("fuzz_handshake", "authenticate", 1,
         build([](pr::byte_writer& w) { w.string("org.apache.cassandra.auth.PasswordAuthenticator"); }));
    seed("fuzz_handshake", "auth_challenge", 2, build([](pr::byte_writer& w) { w.bytes(pr::as_bytes("challenge")); }));
    seed("fuzz_handshake", "auth_success_null", 3, build([](pr::byte_writer& w) { w.null_bytes(); }));
    seed("fuzz_handshake", "ready_with_warning", 4 | (0x08 << 2), build([](pr::byte_writer& w) {
             w.u16(1);
             w.string("a warning");
         }));
    seed("fuzz_handshake", "error_v4", 5, err(0x000A, [](pr::byte_writer&) {}));
    seed("fuzz_handshake", "error_v5_auth", 6, err(0x0100, [](pr::byte_writer&) {}));
    seed("fuzz_handshake", "supported_with_payload", 0 | (0x06 << 2), build([](pr::byte_writer& w) {
             w.raw(pr::as_bytes(std::string(16, '\x01')));  // tracing id
             w.u16(1);
             w.string("key");
             w.bytes(pr::as_bytes("value"));
             w.u16(0);
         }));

    // v4 envelopes with compressed bodies, and one without (first byte: bit 0
    // = snappy, the rest the chunk size).
    for (auto c : {async_cassandra::compression::lz4, async_cassandra::compression::snappy}) {
        pr::byte_buffer wire;
        auto answer = [&](std::int16_t stream, pr::opcode op, const pr::byte_buffer& body, bool compress) {
            const auto at = wire.size();
            pr::write_envelope(wire, 4, 0, stream, op, [&](pr::byte_writer& w) { w.raw(body); });
            wire[at] |= std::byte{pr::response_bit};
            if (compress) pr::compress_envelope(wire, at, c);
        };
        answer(0, pr::opcode::ready, {}, true);
        answer(1, pr::opcode::result, rows_body(), true);
        answer(2, pr::opcode::result, build([](pr::byte_writer& w) { w.i32(1); }), false);
        answer(3, pr::opcode::result, pr::byte_buffer(3000, std::byte{'x'}), true);
        const bool snappy = c == async_cassandra::compression::snappy;
        seed("fuzz_compressed_frames", snappy ? "snappy" : "lz4", static_cast<std::uint8_t>(snappy | 2 << 1), wire);
    }

    // EVENT bodies (no prefix byte).
    auto event = [](const std::string& name, const std::function<void(pr::byte_writer&)>& f) {
        fs::create_directories(root / "fuzz_event");
        auto b = build(f);
        std::ofstream out(root / "fuzz_event" / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    };
    event("status_v4", [](pr::byte_writer& w) {
        w.string("STATUS_CHANGE");
        w.string("UP");
        w.u8(4);
        w.raw(pr::as_bytes(std::string("\x7f\0\0\2", 4)));
        w.i32(9042);
    });
    event("topology_v6", [](pr::byte_writer& w) {
        w.string("TOPOLOGY_CHANGE");
        w.string("NEW_NODE");
        w.u8(16);
        w.raw(pr::as_bytes(std::string(15, '\0') + "\1"));
        w.i32(9042);
    });
    event("schema_table", [](pr::byte_writer& w) {
        w.string("SCHEMA_CHANGE");
        w.string("CREATED");
        w.string("TABLE");
        w.string("ks");
        w.string("t");
    });
    event("schema_aggregate", [](pr::byte_writer& w) {
        w.string("SCHEMA_CHANGE");
        w.string("DROPPED");
        w.string("AGGREGATE");
        w.string("ks");
        w.string("agg");
        w.u16(2);
        w.string("int");
        w.string("text");
    });

    // Request bodies for the server side (first byte: bit 0 = v5, bits 1.. = message).
    for (int v : {4, 5}) {
        const auto ver = static_cast<std::uint8_t>(v == 5 ? 1 : 0);
        const std::string val = "value";
        const pr::value_ref values[] = {pr::value_ref::of(pr::as_bytes(val)), pr::value_ref::null()};
        pr::query_parameters p;
        p.values = values;
        p.page_size = 100;
        p.serial_consistency = async_cassandra::consistency::serial;
        const auto sv = std::to_string(v);
        seed("fuzz_request", "query_v" + sv, static_cast<std::uint8_t>(ver | 0 << 1),
             build([&](pr::byte_writer& w) { pr::encode_query(w, "SELECT * FROM t WHERE k = ?", p, v); }));
        seed("fuzz_request", "prepare_v" + sv, static_cast<std::uint8_t>(ver | 1 << 1),
             build([&](pr::byte_writer& w) { pr::encode_prepare(w, "SELECT 1", "", v); }));
        seed("fuzz_request", "execute_v" + sv, static_cast<std::uint8_t>(ver | 2 << 1),
             build([&](pr::byte_writer& w) { pr::encode_execute(w, pr::as_bytes("id"), pr::as_bytes("rm"), p, v); }));
        const pr::batch_statement stmts[] = {{false, "INSERT", {}, values}, {true, {}, pr::as_bytes("id"), {}}};
        pr::batch_parameters b;
        b.statements = stmts;
        seed("fuzz_request", "batch_v" + sv, static_cast<std::uint8_t>(ver | 3 << 1),
             build([&](pr::byte_writer& w) { pr::encode_batch(w, b, v); }));
    }
    seed("fuzz_request", "startup", 4 << 1, build([](pr::byte_writer& w) {
             pr::encode_startup(w, {{"CQL_VERSION", "3.0.0"}});
         }));

    // Compressed bodies (first byte: 0 lz4, 1 snappy).
    for (std::uint8_t c : {0, 1}) {
        pr::byte_buffer compressed;
        auto body = rows_body();
        pr::compress_body(compressed, body,
                          c ? async_cassandra::compression::snappy : async_cassandra::compression::lz4);
        seed("fuzz_decompress", c ? "snappy" : "lz4", c, compressed);
    }

    // Schema text (first byte: 0 a CQL type string, 1 replication options).
    auto text = [](const std::string& name, char mode, const std::string& body) {
        fs::create_directories(root / "fuzz_schema_text");
        std::ofstream out(root / "fuzz_schema_text" / name, std::ios::binary);
        out << mode << body;
    };
    text("map", 0, "frozen<map<text, list<int>>>");
    text("vector", 0, "vector<float, 3>");
    text("tuple_udt", 0, "tuple<int, frozen<point>, \"My\"\"Type\", ks.addr>");
    text("custom", 0, "'org.apache.cassandra.db.marshal.DynamicCompositeType(s=>UTF8Type)'");
    text("simple", 1, "class=org.apache.cassandra.locator.SimpleStrategy\nreplication_factor=3");
    text("nts", 1, "class=NetworkTopologyStrategy\ndc1=3\ndc2=3/1");

    // system.local and peers rows, one a line (fuzz_host_rows.cpp): a
    // healthy node and two peers; a peer on port 70000; a column of the
    // wrong type.
    auto hosts = [](const std::string& name, const std::string& body) {
        fs::create_directories(root / "fuzz_host_rows");
        std::ofstream out(root / "fuzz_host_rows" / name, std::ios::binary);
        out << body;
    };
    hosts("three_nodes",
          "L|||dc1|r1|5.0.2|org.apache.cassandra.dht.Murmur3Partitioner|0123456789abcdef|-9223372036854775808\n"
          "P127.0.0.2|9042|127.0.0.2|dc1|r1|5.0.2||fedcba9876543210|0,100\n"
          "P::1||0.0.0.0|dc2|r2|4.1.0||aaaaaaaaaaaaaaaa|3074457345618258602\n");
    hosts("bad_port", "L|||dc1|r1|5.0||x|1\nP127.0.0.3|70000||dc1|r1|5.0||y|2\nP127.0.0.4|-1||dc1|||||\n");
    hosts("wrong_type", "Tattttttts\nL1|2|3|dc|r|v|p|id|1,2\nP127.0.0.2|9042|x|dc|r|v|p|id|not-a-token\n");

    // system_schema rows, one a line (fuzz_system_rows.cpp): a keyspace, a
    // chain of user types (c uses b uses a), a table using the last one,
    // and a second page.
    auto rows = [](const std::string& name, const std::string& body) {
        fs::create_directories(root / "fuzz_system_rows");
        std::ofstream out(root / "fuzz_system_rows" / name, std::ios::binary);
        out << body;
    };
    rows("udt_chain",
         "kks|1|class=org.apache.cassandra.locator.SimpleStrategy,replication_factor=1\n"
         "uks|a|x,y|int;text\n"
         "uks|b|p|frozen<a>\n"
         "uks|c|q,r|frozen<b>;list<frozen<a>>\n"
         "tks|t\n"
         "cks|t|k|partition_key|none|int|0\n"
         "cks|t|ck|clustering|desc|text|0\n"
         "cks|t|s|static|none|set<int>|-1\n"
         "cks|t|v|regular|none|frozen<c>|-1\n"
         "\n"
         "kother|0|class=NetworkTopologyStrategy,dc1=3\n"
         "tother|u\n"
         "cother|u|id|partition_key|none|uuid|0\n");
    // A view on ks.t, an index, an overloaded function and an aggregate.
    rows("objects",
         "kks|1|class=org.apache.cassandra.locator.SimpleStrategy,replication_factor=1\n"
         "uks|a|x,y|int;text\n"
         "tks|t\n"
         "cks|t|k|partition_key|none|int|0\n"
         "cks|t|v|regular|none|frozen<a>|-1\n"
         "vks|by_v|t|v IS NOT NULL AND k IS NOT NULL|1\n"
         "cks|by_v|v|partition_key|none|frozen<a>|0\n"
         "cks|by_v|k|clustering|asc|int|0\n"
         "iks|t|t_v|COMPOSITES|target=v\n"
         "fks|st|s,x|int;int|int|java|1\n"
         "fks|st|s,x|int;frozen<a>|int|java|0\n"
         "aks|agg|int|st|int||0|int\n");
    return 0;
}

// v4 frame compression end to end against a scripted peer: STARTUP goes out
// uncompressed and names the algorithm, every later envelope (both ways) is
// compressed, and an algorithm the server does not offer fails the handshake.
#include <async_cassandra/async_cassandra.hpp>
#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <gtest/gtest.h>

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;
using asio::ip::tcp;

namespace {

struct seen_request {
    int version;
    pr::opcode op;
    std::uint8_t wire_flags;  // as sent, before the peer decompressed
    std::string compression_option;
};

// A v4 server offering `offered` (e.g. {"lz4", "snappy"}); it refuses v5,
// and compresses its answers from STARTUP on when the client asked for it.
struct peer {
    std::vector<std::string> offered;
    std::vector<seen_request> seen;

    asio::awaitable<void> serve(tcp::socket s) {
        pr::frame_decoder d;
        ac::compression c = ac::compression::none;
        for (;;) {
            // Peek at the raw flags before the decoder clears the compression bit.
            std::optional<pr::envelope> req;
            std::uint8_t raw_flags = 0;
            while (!(req = d.next())) {
                auto space = d.prepare();
                auto n = co_await s.async_read_some(asio::buffer(space.data(), space.size()), asio::use_awaitable);
                if (d.buffered() == 0 && n >= pr::envelope_header_size) raw_flags = static_cast<std::uint8_t>(space[1]);
                d.commit(n);
            }
            seen_request r{req->header.version, req->header.opcode, raw_flags, {}};
            pr::byte_buffer out;
            auto answer = [&](pr::opcode op, const std::function<void(pr::byte_writer&)>& body) {
                pr::write_envelope(out, 4, 0, req->header.stream, op, body);
                out[0] |= std::byte{pr::response_bit};
                pr::compress_envelope(out, 0, c);
            };
            if (req->header.version != 4) {
                answer(pr::opcode::error, [](pr::byte_writer& w) {
                    w.i32(0x000A);
                    w.string("Invalid or unsupported protocol version (5)");
                });
                seen.push_back(r);
                co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
                co_return;
            }
            switch (req->header.opcode) {
                case pr::opcode::options:
                    answer(pr::opcode::supported, [&](pr::byte_writer& w) {
                        w.u16(1);
                        w.string("COMPRESSION");
                        w.u16(static_cast<std::uint16_t>(offered.size()));
                        for (const auto& o : offered) w.string(o);
                    });
                    break;
                case pr::opcode::startup: {
                    pr::byte_reader br(req->body);
                    for (auto n = br.u16(); n > 0; --n) {
                        auto k = br.string();
                        auto v = br.string();
                        if (k == "COMPRESSION") r.compression_option = v;
                    }
                    c = r.compression_option == "lz4"      ? ac::compression::lz4
                        : r.compression_option == "snappy" ? ac::compression::snappy
                                                           : ac::compression::none;
                    d.enable_body_compression(c);
                    answer(pr::opcode::ready, [](pr::byte_writer&) {});
                    break;
                }
                case pr::opcode::register_:  // the control connection asks for events
                    answer(pr::opcode::ready, [](pr::byte_writer&) {});
                    break;
                case pr::opcode::query:
                    answer(pr::opcode::result, [](pr::byte_writer& w) {
                        w.i32(2);  // rows: one text column, one row
                        w.i32(pr::rows_flags::global_tables_spec);
                        w.i32(1);
                        w.string("system");
                        w.string("local");
                        w.string("v");
                        w.u16(0x000D);
                        w.i32(1);
                        w.bytes(pr::as_bytes(std::string(2000, 'z')));
                    });
                    break;
                default: co_return;
            }
            seen.push_back(r);
            co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
        }
    }
};

// Connects with `cfg` to a fresh peer, runs one query, and returns the error.
ac::error_code run(peer& p, ac::cluster_config cfg, std::string& value, ac::diagnostics& diag) {
    asio::io_context io;
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    cfg.port = acceptor.local_endpoint().port();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (;;) {
                auto s = co_await acceptor.async_accept(asio::use_awaitable);
                asio::co_spawn(io, p.serve(std::move(s)), asio::detached);
            }
        },
        asio::detached);
    ac::error_code result;
    ac::cluster::async_connect(io.get_executor(), cfg, diag, [&](ac::error_code ec, ac::cluster cluster) {
        result = ec;
        if (ec) {
            acceptor.close();
            return;
        }
        asio::co_spawn(
            io,
            [&, c = std::move(cluster)]() mutable -> asio::awaitable<void> {
                auto session = co_await c.open_session();
                auto rs = co_await session.execute("SELECT v FROM system.local");
                value = rs.first_row().get<std::string>(0);
                co_await c.close();
                acceptor.close();
            },
            [&](std::exception_ptr e) {
                if (e) result = ac::client_errc::internal_error;
                acceptor.close();
            });
    });
    io.run_for(std::chrono::seconds(10));
    return result;
}

}  // namespace

class v4_compression : public ::testing::TestWithParam<ac::compression> {};

TEST_P(v4_compression, everything_after_startup_is_compressed) {
    peer p{{"snappy", "lz4"}, {}};
    ac::cluster_config cfg;
    cfg.protocol_version = 4;
    cfg.compression = GetParam();
    std::string value;
    ac::diagnostics diag;
    EXPECT_FALSE(run(p, cfg, value, diag)) << diag.message();
    EXPECT_EQ(value, std::string(2000, 'z'));
    // Two connections (control and pool), each OPTIONS, STARTUP, then requests.
    ASSERT_GE(p.seen.size(), 5u);
    EXPECT_EQ(p.seen[0].op, pr::opcode::options);
    EXPECT_EQ(p.seen[1].op, pr::opcode::startup);
    EXPECT_EQ(p.seen.back().op, pr::opcode::query);
    int queries = 0;
    for (const auto& r : p.seen) {
        if (r.op == pr::opcode::options || r.op == pr::opcode::startup) {
            EXPECT_EQ(r.wire_flags, 0) << pr::to_string(r.op);  // never compressed
            if (r.op == pr::opcode::startup) {
                EXPECT_EQ(r.compression_option, ac::to_string(GetParam()));
            }
        } else {
            EXPECT_EQ(r.wire_flags, pr::frame_flags::compression) << pr::to_string(r.op);
            queries += r.op == pr::opcode::query;
        }
    }
    EXPECT_GE(queries, 2);  // the control connection's and the user's
}

INSTANTIATE_TEST_SUITE_P(algorithms, v4_compression, ::testing::Values(ac::compression::lz4, ac::compression::snappy),
                         [](const auto& i) { return std::string(ac::to_string(i.param)); });

TEST(v4_compression_negotiation, lz4_falls_back_from_v5_segments_to_v4_bodies) {
    peer p{{"lz4"}, {}};
    ac::cluster_config cfg;
    cfg.compression = ac::compression::lz4;
    std::string value;
    ac::diagnostics diag;
    EXPECT_FALSE(run(p, cfg, value, diag)) << diag.message();
    EXPECT_EQ(value.size(), 2000u);
    ASSERT_GE(p.seen.size(), 4u);
    EXPECT_EQ(p.seen[0].version, 5);
    EXPECT_EQ(p.seen[2].compression_option, "lz4");
    EXPECT_EQ(p.seen.back().op, pr::opcode::query);
    EXPECT_EQ(p.seen.back().wire_flags, pr::frame_flags::compression);
}

TEST(v4_compression_negotiation, an_algorithm_the_server_lacks_fails_the_handshake) {
    peer p{{"lz4"}, {}};
    ac::cluster_config cfg;
    cfg.protocol_version = 4;
    cfg.compression = ac::compression::snappy;
    std::string value;
    ac::diagnostics diag;
    auto ec = run(p, cfg, value, diag);
    EXPECT_EQ(ec, ac::client_errc::no_host_available);
    EXPECT_NE(diag.message().find("does not offer snappy"), std::string::npos) << diag.message();
    ASSERT_EQ(p.seen.size(), 1u);  // OPTIONS only: no STARTUP was sent
}

TEST(v4_compression_negotiation, snappy_needs_protocol_v4) {
    peer p{{"snappy"}, {}};
    ac::cluster_config cfg;
    cfg.compression = ac::compression::snappy;
    std::string value;
    ac::diagnostics diag;
    EXPECT_EQ(run(p, cfg, value, diag), ac::client_errc::bad_config);
    EXPECT_NE(diag.message().find("protocol_version = 4"), std::string::npos) << diag.message();
    EXPECT_TRUE(p.seen.empty());
}

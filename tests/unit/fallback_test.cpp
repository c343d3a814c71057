// Protocol negotiation against a scripted peer: a server that refuses v5 the
// way Cassandra 3.x does (a v4 ERROR, then it hangs up) must leave the client
// on v4, and queries must then work.
#include <async_cassandra/async_cassandra.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/messages.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <gtest/gtest.h>

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;
using asio::ip::tcp;

namespace {
pr::byte_buffer response(int version, std::int16_t stream, pr::opcode op,
                         const std::function<void(pr::byte_writer&)>& body) {
    pr::byte_buffer out;
    pr::write_envelope(out, static_cast<std::uint8_t>(version), 0, stream, op, body);
    out[0] |= std::byte{pr::response_bit};
    return out;
}

// Serves one connection: refuses anything but v4, answers OPTIONS, STARTUP and QUERY.
asio::awaitable<void> serve(tcp::socket s, std::vector<int>& versions_seen) {
    pr::frame_decoder d;
    for (;;) {
        std::optional<pr::envelope> req;
        while (!(req = d.next())) {
            auto space = d.prepare();
            auto n = co_await s.async_read_some(asio::buffer(space.data(), space.size()), asio::use_awaitable);
            d.commit(n);
        }
        versions_seen.push_back(req->header.version);
        const auto stream = req->header.stream;
        pr::byte_buffer out;
        if (req->header.version != 4) {
            out = response(4, stream, pr::opcode::error, [](pr::byte_writer& w) {
                w.i32(0x000A);
                w.string("Invalid or unsupported protocol version (5); supported versions are (3/v3, 4/v4)");
            });
            co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
            s.close();
            co_return;
        }
        switch (req->header.opcode) {
            case pr::opcode::options:
                out = response(4, stream, pr::opcode::supported, [](pr::byte_writer& w) {
                    w.u16(1);
                    w.string("CQL_VERSION");
                    w.u16(1);
                    w.string("3.4.5");
                });
                break;
            case pr::opcode::startup:
            case pr::opcode::register_: out = response(4, stream, pr::opcode::ready, [](pr::byte_writer&) {}); break;
            case pr::opcode::query:
                out = response(4, stream, pr::opcode::result, [](pr::byte_writer& w) {
                    w.i32(2);  // rows
                    w.i32(pr::rows_flags::global_tables_spec);
                    w.i32(1);
                    w.string("system");
                    w.string("local");
                    w.string("release_version");
                    w.u16(0x000D);
                    w.i32(1);
                    w.bytes(pr::as_bytes("3.11.17"));
                });
                break;
            default: co_return;
        }
        co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
    }
}
}  // namespace

TEST(negotiation, falls_back_to_v4_when_the_server_refuses_v5) {
    asio::io_context io;
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    std::vector<int> versions;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (;;) {
                auto s = co_await acceptor.async_accept(asio::use_awaitable);
                asio::co_spawn(io, serve(std::move(s), versions), asio::detached);
            }
        },
        asio::detached);

    std::string version;
    int negotiated = 0;
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            ac::cluster_config cfg;
            cfg.port = acceptor.local_endpoint().port();
            auto cluster = co_await ac::cluster::connect(cfg);
            negotiated = cluster.protocol_version();
            auto session = co_await cluster.open_session();
            auto rs = co_await session.execute("SELECT release_version FROM system.local");
            version = rs.first_row().get<std::string>(0);
            co_await cluster.close();
            acceptor.close();
        },
        [&](std::exception_ptr e) {
            failure = e;
            acceptor.close();
        });
    io.run_for(std::chrono::seconds(10));
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
    }
    EXPECT_EQ(negotiated, 4);
    EXPECT_EQ(version, "3.11.17");
    ASSERT_GE(versions.size(), 2u);
    EXPECT_EQ(versions[0], 5);  // offered v5 first
    EXPECT_EQ(versions[1], 4);  // then v4 on a new connection
}

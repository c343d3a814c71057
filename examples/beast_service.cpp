// An HTTP service on Boost.Beast answering from Cassandra, with the server
// and the driver on one boost::asio::io_context: what a Boost.Asio program
// gets from the Boost flavour (async_cassandra_boost, README "Boost.Asio").
//   GET /users/<id>  -> 200 {"id":7,"name":"Ann"}, or 404
//   beast_service [--port P] [--host H] [--keyspace K]   serve until Ctrl-C (port 8080)
//   beast_service --self-test [--host H] [--keyspace K]  serve on a free port, GET one user with a Beast
//                                                        client, print the answer, exit 0 if it is right
#include <async_cassandra/async_cassandra.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ac = async_cassandra;
namespace net = boost::asio;
namespace http = boost::beast::http;
using net::ip::tcp;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// One answer from the prepared SELECT; the session is shared by every connection.
net::awaitable<response> answer(ac::session& session, const ac::prepared_statement& select, const request& req) {
    response res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    const std::string_view target = req.target();
    std::int32_t id = 0;
    const std::string_view prefix = "/users/";
    const auto digits = target.substr(std::min(prefix.size(), target.size()));
    const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (req.method() != http::verb::get || !target.starts_with(prefix) || err != std::errc{} ||
        end != digits.data() + digits.size()) {
        res.result(http::status::not_found);
        res.body() = R"({"error":"GET /users/<id>"})";
    } else {
        // A failed query becomes a 503 that says why, never a dropped connection.
        ac::result_set rs;
        try {
            rs = co_await session.execute(select.bind(id));
        } catch (const ac::error& e) {
            res.result(http::status::service_unavailable);
            res.body() = std::string(R"({"error":"cassandra: )") + e.code().message() + "\"}";
            res.prepare_payload();
            co_return res;
        }
        if (rs.empty()) {
            res.result(http::status::not_found);
            res.body() = R"({"error":"no such user"})";
        } else {
            res.body() = "{\"id\":" + std::to_string(id) + ",\"name\":\"" +
                         std::string(rs.first_row().get<std::string_view>(0)) + "\"}";
        }
    }
    res.prepare_payload();
    co_return res;
}

// One connection: requests in, answers out, until the client closes.
net::awaitable<void> serve(tcp::socket socket, ac::session& session, const ac::prepared_statement& select) {
    boost::beast::flat_buffer buf;
    for (;;) {
        request req;
        auto [ec, n] = co_await http::async_read(socket, buf, req, net::as_tuple(net::use_awaitable));
        if (ec) co_return;  // closed, or not HTTP
        response res = co_await answer(session, select, req);
        co_await http::async_write(socket, res, net::use_awaitable);
        if (!req.keep_alive()) co_return;
    }
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, ac::session& session, const ac::prepared_statement& select) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) co_return;  // the acceptor was closed
        net::co_spawn(acceptor.get_executor(), serve(std::move(socket), session, select), net::detached);
    }
}

// A Beast client on the same io_context: GET /users/7, the row written below.
net::awaitable<void> self_test(tcp::endpoint server) {
    tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(server, net::use_awaitable);
    request req{http::verb::get, "/users/7", 11};
    req.set(http::field::host, "127.0.0.1");
    co_await http::async_write(socket, req, net::use_awaitable);
    boost::beast::flat_buffer buf;
    response res;
    co_await http::async_read(socket, buf, res, net::use_awaitable);
    std::cout << "GET /users/7 -> " << res.result_int() << ' ' << res.body() << '\n';
    if (res.result() != http::status::ok || res.body() != R"({"id":7,"name":"Ann"})")
        throw std::runtime_error("unexpected answer to GET /users/7");
    std::cout << "beast_service: ok\n";
}

struct options {
    std::string host = "127.0.0.1", keyspace = "examples";
    std::uint16_t port = 8080;
    bool self_test = false;
};

net::awaitable<void> run(options o) {
    auto ex = co_await net::this_coro::executor;
    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {o.host};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    co_await session.execute("CREATE KEYSPACE IF NOT EXISTS " + o.keyspace +
                             " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    const std::string table = o.keyspace + ".beast_users";
    co_await session.execute("CREATE TABLE IF NOT EXISTS " + table + " (id int PRIMARY KEY, name text)");
    co_await session.execute("INSERT INTO " + table + " (id, name) VALUES (7, 'Ann')");
    auto select = co_await session.prepare("SELECT name FROM " + table + " WHERE id = ?");

    tcp::acceptor acceptor(ex, {net::ip::make_address("127.0.0.1"), o.self_test ? std::uint16_t{0} : o.port});
    net::co_spawn(ex, accept_loop(acceptor, session, select), net::detached);
    std::cout << "listening on http://" << acceptor.local_endpoint() << std::endl;
    if (o.self_test) {
        co_await self_test(acceptor.local_endpoint());
    } else {
        net::signal_set signals(ex, SIGINT, SIGTERM);
        co_await signals.async_wait(net::use_awaitable);
    }
    acceptor.close();
    co_await session.close();
    co_await cluster.close();
}

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--self-test") {
            o.self_test = true;
        } else if (arg == "--host" && has_value) {
            o.host = argv[++i];
        } else if (arg == "--keyspace" && has_value) {
            o.keyspace = argv[++i];
        } else if (arg == "--port" && has_value) {
            const std::string_view v = argv[++i];
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.port);
            if (ec != std::errc{} || p != v.data() + v.size() || o.port == 0) {
                std::cerr << "beast_service: --port wants 1..65535, not '" << v << "'\n";
                return 2;
            }
        } else {
            std::cerr << "usage: beast_service [--self-test] [--port P] [--host H] [--keyspace K]\n";
            return 2;
        }
    }
    net::io_context io;  // the one event loop: Beast's sockets and the driver's connections
    int status = EXIT_SUCCESS;
    net::co_spawn(io, run(o), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "beast_service: " << ex.what() << '\n';
            status = EXIT_FAILURE;
        }
    });
    io.run();
    return status;
}

// A small HTTP/1.1 service over the driver, on the same Asio event loop:
//   POST /users       form body id=7&name=Ann&email=ann%40example.com  -> 201, the user as JSON
//   GET  /users/<id>  -> 200 {"id":7,"name":"Ann","email":"ann@example.com"}, or 404
// One coroutine per connection (keep-alive), all sharing one session and two
// prepared statements; no thread waits on the database.
//   http_service [--port P] [--host H] [--keyspace K]   serve until Ctrl-C (port 8080, 127.0.0.1, examples)
//   http_service --self-test [--host H] [--keyspace K]  serve on a free port, send real requests to it over
//                                                       a socket, check the answers, exit 0 if all are right
#include "example_common.hpp"

#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ac = async_cassandra;
using asio::ip::tcp;
constexpr auto tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t max_request_bytes = 16 * 1024;  // head and body: a bigger request is refused

// --- A little HTTP and JSON, just enough for this service ---

struct http_request {
    std::string method, target, body;
    bool keep_alive = true;
};

struct http_response {
    int status = 200;
    std::string body;  // JSON
};

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Reads one request from `socket`; `buf` keeps bytes that arrived beyond it.
// nullopt when the client closed the connection or sent something unusable
// (then the connection just closes).
asio::awaitable<std::optional<http_request>> read_request(tcp::socket& socket, std::string& buf) {
    auto [ec, head_end] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buf, max_request_bytes),
                                                          "\r\n\r\n", tuple_awaitable);
    if (ec) co_return std::nullopt;  // closed, or a head larger than max_request_bytes
    http_request req;
    const std::string_view head(buf.data(), head_end);
    const auto line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);  // "GET /users/7 HTTP/1.1"
    const auto sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 <= sp1) co_return std::nullopt;
    req.method = line.substr(0, sp1);
    req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    req.keep_alive = line.substr(sp2 + 1) == "HTTP/1.1";  // 1.0 closes by default
    std::size_t content_length = 0;
    for (auto pos = line_end + 2; pos < head.size();) {
        const auto end = head.find("\r\n", pos);
        const std::string_view header = head.substr(pos, end - pos);
        pos = end + 2;
        const auto colon = header.find(':');
        if (colon == std::string_view::npos) continue;
        const auto name = to_lower(header.substr(0, colon));
        auto value = header.substr(colon + 1);
        value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
        if (name == "content-length") {
            auto [p, err] = std::from_chars(value.data(), value.data() + value.size(), content_length);
            if (err != std::errc{} || content_length > max_request_bytes - head_end) co_return std::nullopt;
        } else if (name == "connection") {
            req.keep_alive = to_lower(value) != "close";
        }
    }
    if (buf.size() < head_end + content_length) {
        auto [rec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(buf),
                                                  asio::transfer_exactly(head_end + content_length - buf.size()),
                                                  tuple_awaitable);
        if (rec) co_return std::nullopt;
    }
    req.body = buf.substr(head_end, content_length);
    buf.erase(0, head_end + content_length);
    co_return req;
}

std::string_view reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        default: return "Service Unavailable";
    }
}

std::string serialize(const http_response& r, bool keep_alive) {
    return "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason(r.status)) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
           (keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n") + r.body;
}

// A JSON string literal: quotes, backslashes and control characters escaped.
std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[(c >> 4) & 0xf];
            out += hex[c & 0xf];
        } else {
            out += c;
        }
    }
    return out + '"';
}

http_response error_response(int status, std::string_view message) {
    return {status, "{\"error\":" + json_string(message) + "}"};
}

// application/x-www-form-urlencoded: "a=1&b=x%20y" -> {a: 1, b: "x y"}.
std::map<std::string, std::string> parse_form(std::string_view body) {
    std::map<std::string, std::string> fields;
    auto decode = [](std::string_view s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            unsigned byte = 0;
            if (s[i] == '+') {
                out += ' ';
            } else if (s[i] == '%' && i + 2 < s.size() &&
                       std::from_chars(s.data() + i + 1, s.data() + i + 3, byte, 16).ptr == s.data() + i + 3) {
                out += static_cast<char>(byte);
                i += 2;
            } else {
                out += s[i];
            }
        }
        return out;
    };
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos) fields[decode(pair.substr(0, eq))] = decode(pair.substr(eq + 1));
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    }
    return fields;
}

std::optional<std::int32_t> parse_id(std::string_view s) {
    std::int32_t id = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return id;
}

// --- The service: routes to CQL ---

struct users_service {
    ac::session& session;
    ac::prepared_statement insert, select;

    static std::string user_json(std::int32_t id, std::string_view name, std::string_view email) {
        return "{\"id\":" + std::to_string(id) + ",\"name\":" + json_string(name) + ",\"email\":" + json_string(email) +
               "}";
    }

    asio::awaitable<http_response> handle(const http_request& req) {
        constexpr std::string_view prefix = "/users";
        const std::string_view rest = std::string_view(req.target).substr(std::min(prefix.size(), req.target.size()));
        if (!req.target.starts_with(prefix) || !(rest.empty() || rest.starts_with('/')))
            co_return error_response(404, "no such resource: " + req.target);
        if (req.method == "POST" && rest.empty()) co_return co_await create(parse_form(req.body));
        if (req.method == "GET" && rest.starts_with('/')) {
            const auto id = parse_id(rest.substr(1));
            if (!id) co_return error_response(400, "a user id is a 32-bit integer: " + std::string(rest.substr(1)));
            co_return co_await get(*id);
        }
        co_return error_response(405,
                                 req.method + " " + req.target + " is not supported (GET /users/<id>, POST /users)");
    }

    asio::awaitable<http_response> create(std::map<std::string, std::string> form) {
        const auto id = parse_id(form["id"]);
        if (!id || form["name"].empty())
            co_return error_response(400, "POST /users wants id=<int>&name=<text>[&email=<text>]");
        co_await session.execute(insert.bind(*id, form["name"], form["email"]));
        co_return http_response{201, user_json(*id, form["name"], form["email"])};
    }

    asio::awaitable<http_response> get(std::int32_t id) {
        auto rs = co_await session.execute(select.bind(id));
        if (rs.empty()) co_return error_response(404, "no user " + std::to_string(id));
        const auto row = rs.first_row();
        // Views into the result: valid while rs lives, enough to build the body.
        co_return http_response{200, user_json(id, row.get<std::string_view>("name"),
                                               row.get<std::optional<std::string_view>>("email").value_or(""))};
    }
};

// The listening socket and the open connections, so that shutting down can
// close them all and wait until no coroutine uses the service any more.
struct server {
    tcp::acceptor acceptor;
    users_service& service;
    std::set<tcp::socket*> connections;
    bool accepting = true;

    asio::awaitable<void> shutdown() {
        acceptor.close();
        for (auto* s : connections) s->close();  // wakes their reads with an error
        asio::steady_timer wait(acceptor.get_executor());
        while (accepting || !connections.empty()) {  // a request in flight finishes first
            wait.expires_after(std::chrono::milliseconds(10));
            co_await wait.async_wait(tuple_awaitable);
        }
    }
};

// One connection: requests one after the other until the client closes.
asio::awaitable<void> serve_connection(tcp::socket socket, server& srv) {
    srv.connections.insert(&socket);
    std::string buf;
    while (auto req = co_await read_request(socket, buf)) {
        http_response res;
        try {
            res = co_await srv.service.handle(*req);
        } catch (const std::exception& e) {  // the database failed: say so, keep serving
            res = error_response(503, e.what());
        }
        const std::string answer = serialize(res, req->keep_alive);
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(answer), tuple_awaitable);
        if (ec || !req->keep_alive) break;
    }
    srv.connections.erase(&socket);
}

asio::awaitable<void> accept_loop(server& srv) {
    for (;;) {
        auto [ec, socket] = co_await srv.acceptor.async_accept(tuple_awaitable);
        if (ec) break;  // the acceptor was closed: stop serving
        asio::co_spawn(srv.acceptor.get_executor(), serve_connection(std::move(socket), srv), asio::detached);
    }
    srv.accepting = false;
}

// --- --self-test: a client speaking raw HTTP to the service ---

struct exchange {
    std::string request;        // method, target and body
    int status;                 // what the answer must be
    std::string expected_body;  // empty: any
};

asio::awaitable<void> self_test(tcp::endpoint where) {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(where, asio::use_awaitable);
    auto post = [](std::string body) {
        return "POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    auto get = [](std::string target) { return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n"; };
    const exchange exchanges[] = {
        {post("id=7&name=Ann+%22A%22+Lee&email=ann%40example.com"), 201,
         R"({"id":7,"name":"Ann \"A\" Lee","email":"ann@example.com"})"},
        {get("/users/7"), 200, R"({"id":7,"name":"Ann \"A\" Lee","email":"ann@example.com"})"},
        {post("id=8&name=Bo"), 201, R"({"id":8,"name":"Bo","email":""})"},
        {get("/users/8"), 200, R"({"id":8,"name":"Bo","email":""})"},
        {get("/users/404"), 404, R"({"error":"no user 404"})"},
        {get("/users/seven"), 400, ""},
        {post("name=no+id"), 400, ""},
        {"DELETE /users/7 HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, ""},
        {get("/orders"), 404, ""},
    };
    std::string buf;
    for (const auto& x : exchanges) {
        co_await asio::async_write(socket, asio::buffer(x.request), asio::use_awaitable);
        // The answer: a head, then Content-Length bytes of body.
        const auto head_end = co_await asio::async_read_until(socket, asio::dynamic_buffer(buf), "\r\n\r\n",
                                                              asio::use_awaitable);
        const std::string head = buf.substr(0, head_end);
        const auto cl = to_lower(head).find("content-length: ");
        if (cl == std::string::npos) throw std::runtime_error("no Content-Length in:\n" + head);
        const auto length = std::stoul(head.substr(cl + 16));
        if (buf.size() < head_end + length)
            co_await asio::async_read(socket, asio::dynamic_buffer(buf),
                                      asio::transfer_exactly(head_end + length - buf.size()), asio::use_awaitable);
        const std::string body = buf.substr(head_end, length);
        buf.erase(0, head_end + length);
        const auto first_line = x.request.substr(0, x.request.find("\r\n"));
        std::cout << first_line << " -> " << head.substr(9, 3) << ' ' << body << '\n';
        if (!head.starts_with("HTTP/1.1 " + std::to_string(x.status) + ' '))
            throw std::runtime_error(first_line + ": expected status " + std::to_string(x.status) + ", got " +
                                     head.substr(0, head.find("\r\n")));
        if (!x.expected_body.empty() && body != x.expected_body)
            throw std::runtime_error(first_line + ": expected body " + x.expected_body + ", got " + body);
    }
    std::cout << "http_service: ok (" << std::size(exchanges) << " requests answered as expected)\n";
}

struct options {
    std::string host = "127.0.0.1", keyspace = "examples";
    std::uint16_t port = 8080;
    bool self_test = false;
};

asio::awaitable<void> run(options o) {
    auto ex = co_await asio::this_coro::executor;
    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {o.host};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    co_await create_keyspace(session, o.keyspace);
    const std::string table = o.keyspace + ".http_users";
    co_await session.execute("CREATE TABLE IF NOT EXISTS " + table + " (id int PRIMARY KEY, name text, email text)");
    auto insert = co_await session.prepare("INSERT INTO " + table + " (id, name, email) VALUES (?, ?, ?)");
    auto select = co_await session.prepare("SELECT name, email FROM " + table + " WHERE id = ?");
    users_service service{session, std::move(insert), std::move(select)};
    if (o.self_test) co_await session.execute("DELETE FROM " + table + " WHERE id IN (7, 8, 404)");

    // Port 0 for the self-test: any free one.
    const tcp::endpoint listen_on(asio::ip::make_address("127.0.0.1"), o.self_test ? 0 : o.port);
    server srv{tcp::acceptor(ex, listen_on), service, {}, true};
    asio::co_spawn(ex, accept_loop(srv), asio::detached);
    std::cout << "listening on http://" << srv.acceptor.local_endpoint() << std::endl;
    std::exception_ptr failure;
    if (o.self_test) {
        try {
            co_await self_test(srv.acceptor.local_endpoint());
        } catch (...) {
            failure = std::current_exception();
        }
    } else {
        asio::signal_set signals(ex, SIGINT, SIGTERM);
        co_await signals.async_wait(tuple_awaitable);
    }
    co_await srv.shutdown();
    if (failure) std::rethrow_exception(failure);
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
                std::cerr << "http_service: --port wants 1..65535, not '" << v << "'\n";
                return 2;
            }
        } else {
            std::cerr << "usage: http_service [--self-test] [--port P] [--host H] [--keyspace K]\n";
            return 2;
        }
    }
    return run_example("http_service", run(o));
}

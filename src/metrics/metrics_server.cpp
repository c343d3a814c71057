// GET /metrics over HTTP/1.x: one request per connection, bounded in size
// and time, so a slow or hostile client cannot hold the server.
#include <async_cassandra/metrics_server.hpp>

#include "metrics/spawn_guard.hpp"

#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <unordered_set>

namespace async_cassandra {

namespace {

using asio::ip::tcp;
using detail::spawn_guard;

struct connection_state {
    explicit connection_state(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    tcp::socket socket;
    asio::steady_timer timer;  // the connection's deadline: closes the socket
};

std::string response(std::string_view status, std::string_view content_type, std::string_view body,
                     bool head_only = false) {
    std::string r = "HTTP/1.1 ";
    r += status;
    r += "\r\nContent-Type: ";
    r += content_type;
    r += "\r\nContent-Length: ";
    r += std::to_string(body.size());
    r += "\r\nConnection: close\r\n\r\n";
    if (!head_only) r += body;
    return r;
}

std::string plain_error(std::string_view status, std::string_view why) {
    return response(status, "text/plain; charset=utf-8", std::string(why) + "\n");
}

// The response to a complete request head (request line and headers).
std::string answer(std::string_view head, const metrics_server::body_provider& body) {
    auto line_end = head.find('\n');
    auto line = head.substr(0, line_end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // METHOD SP request-target SP HTTP/1.x
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return plain_error("400 Bad Request", "malformed request line");
    auto method = line.substr(0, sp1);
    auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto version = line.substr(sp2 + 1);
    bool method_ok = !method.empty();
    for (char c : method) method_ok = method_ok && c >= 'A' && c <= 'Z';
    if (!method_ok || target.empty() || target.front() != '/' || version.substr(0, 7) != "HTTP/1.")
        return plain_error("400 Bad Request", "malformed request line");
    const bool head_only = method == "HEAD";
    if (method != "GET" && !head_only) return plain_error("405 Method Not Allowed", "only GET and HEAD");
    if (target.substr(0, target.find('?')) != "/metrics") return plain_error("404 Not Found", "try /metrics");
    try {
        return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", body(), head_only);
    } catch (const std::exception& e) {
        return plain_error("500 Internal Server Error", e.what());
    }
}

}  // namespace

struct metrics_server::state {
    state(asio::any_io_executor e, metrics_server_params p, body_provider b)
        : ex(std::move(e)), params(std::move(p)), body(std::move(b)), acceptor(ex), retry_timer(ex) {}

    asio::any_io_executor ex;
    metrics_server_params params;
    body_provider body;
    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;  // pauses accepting after a transient error (out of descriptors)
    tcp::endpoint bound;
    bool started = false;
    bool stopped = false;
    std::unordered_set<connection_state*> open;
    // Coroutines that ended on an exception (the server has no log sink).
    std::shared_ptr<std::atomic<std::size_t>> failures = std::make_shared<std::atomic<std::size_t>>(0);

    // The accept loop, restarted if it ever ends on an exception.
    static void spawn_accept_loop(const std::shared_ptr<state>& self) {
        spawn_guard::options o{{},       "the metrics server's accept loop", self->failures, {},
                               self->ex, std::chrono::milliseconds(100)};
        o.restart = [w = std::weak_ptr<state>(self)] {
            if (auto s = w.lock(); s && !s->stopped) spawn_accept_loop(s);
        };
        asio::co_spawn(self->ex, accept_loop(self), spawn_guard(std::move(o)));
    }

    void stop() {
        if (stopped) return;
        stopped = true;
        error_code ignored;
        acceptor.close(ignored);
        retry_timer.cancel();
        // Completions are posted, so the set does not change under us.
        for (auto* c : open) {
            c->socket.close(ignored);
            c->timer.cancel();
        }
    }

    // Coroutines take their state as a parameter: it lives in the frame from
    // the moment the coroutine is created, before it first runs.
    static asio::awaitable<void> accept_loop(std::shared_ptr<state> self) {
        auto& acceptor = self->acceptor;
        auto& retry_timer = self->retry_timer;
        auto& stopped = self->stopped;
        while (!stopped) {
            error_code ec;
            tcp::socket s = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (stopped) break;
            if (ec) {
                if (ec == asio::error::operation_aborted) break;
                retry_timer.expires_after(std::chrono::milliseconds(100));
                co_await retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            if (self->open.size() >= self->params.max_connections) {
                s.close(ec);
                continue;
            }
            asio::co_spawn(self->ex, serve(self, std::make_shared<connection_state>(std::move(s))),
                           spawn_guard({{}, "a metrics connection", self->failures, {}, {}, {}}));
        }
    }

    static asio::awaitable<void> serve(std::shared_ptr<state> self, std::shared_ptr<connection_state> c) {
        const auto& params = self->params;
        const auto& stopped = self->stopped;
        auto& open = self->open;
        if (stopped) co_return;  // stop() ran between the accept and now
        open.insert(c.get());
        c->timer.expires_after(params.read_timeout);
        c->timer.async_wait([c](error_code ec) {
            if (!ec) c->socket.close(ec);
        });
        std::string head;
        std::string reply;
        char buf[2048];
        error_code ec;
        while (!ec && reply.empty()) {
            const auto n = co_await c->socket.async_read_some(asio::buffer(buf),
                                                              asio::redirect_error(asio::use_awaitable, ec));
            if (ec || stopped) break;
            const auto from = head.size() >= 3 ? head.size() - 3 : 0;
            head.append(buf, n);
            auto end = head.find("\r\n\r\n", from);
            if (end == std::string::npos) end = head.find("\n\n", from);
            if (end != std::string::npos && end < params.max_request_bytes)
                reply = answer(std::string_view(head).substr(0, end), self->body);
            else if (head.size() > params.max_request_bytes)
                reply = plain_error(
                    "431 Request Header Fields Too Large",
                    "request line and headers exceed " + std::to_string(params.max_request_bytes) + " bytes");
        }
        if (!reply.empty() && !stopped) {
            co_await asio::async_write(c->socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
            // Close cleanly: stop sending, then drain what the client still
            // sends (until it closes or the deadline), so unread bytes do not
            // turn the close into a reset that could discard the response.
            if (!ec) c->socket.shutdown(tcp::socket::shutdown_send, ec);
            while (!ec && !stopped)
                co_await c->socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
        }
        c->timer.cancel();
        c->socket.close(ec);
        open.erase(c.get());
    }
};

metrics_server::metrics_server(asio::any_io_executor ex, metrics_server_params params, body_provider body)
    : state_(std::make_shared<state>(std::move(ex), std::move(params), std::move(body))) {}

metrics_server::metrics_server(asio::any_io_executor ex, metrics_server_params params,
                               std::shared_ptr<const metrics_registry> registry)
    : metrics_server(std::move(ex), params, [registry, prefix = params.prefix] {
          return registry ? to_prometheus(registry->snapshot(), prefix) : std::string();
      }) {}

metrics_server::~metrics_server() { stop(); }

error_code metrics_server::start(diagnostics& diag) {
    auto& st = *state_;
    const auto where = st.params.address + " port " + std::to_string(st.params.port);
    if (st.started) {
        diag.assign("metrics_server: already started on " + where);
        return std::make_error_code(std::errc::invalid_argument);
    }
    error_code ec;
    auto address = asio::ip::make_address(st.params.address, ec);
    if (ec) {
        diag.assign("metrics_server: '" + st.params.address + "' is not an IP address");
        return std::make_error_code(std::errc::invalid_argument);
    }
    try {
        // The prefix is checked now rather than at the first scrape.
        (void)to_prometheus(metrics_snapshot{}, st.params.prefix);
    } catch (const std::invalid_argument& e) {
        diag.assign(std::string("metrics_server: ") + e.what());
        return std::make_error_code(std::errc::invalid_argument);
    }
    const tcp::endpoint ep(address, st.params.port);
    auto fail = [&](const char* step) {
        diag.assign(std::string("metrics_server: cannot ") + step + " " + where + ": " + ec.message());
        error_code ignored;
        st.acceptor.close(ignored);
        return ec;
    };
    st.acceptor.open(ep.protocol(), ec);
    if (ec) return fail("open a socket for");
    st.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (ec) return fail("set SO_REUSEADDR on");
    st.acceptor.bind(ep, ec);
    if (ec) return fail("bind");
    st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen on");
    st.bound = st.acceptor.local_endpoint(ec);
    st.started = true;
    state::spawn_accept_loop(state_);
    return {};
}

asio::ip::tcp::endpoint metrics_server::local_endpoint() const { return state_->bound; }

void metrics_server::stop() {
    asio::dispatch(state_->ex, [s = state_] { s->stop(); });
}

}  // namespace async_cassandra

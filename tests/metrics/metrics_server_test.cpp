// metrics_server driven by a raw blocking Asio client while the server runs
// on its own io_context thread.
#include <async_cassandra/metrics_server.hpp>

#include <asio/connect.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace ac = async_cassandra;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A server on a background thread, on a free port of 127.0.0.1.
class server_fixture {
public:
    explicit server_fixture(ac::metrics_server_params p = {}, ac::metrics_server::body_provider body = nullptr) {
        p.port = 0;
        if (!body) {
            registry_ = std::make_shared<ac::metrics_registry>();
            registry_->requests().on_request_start();
            server_ = std::make_unique<ac::metrics_server>(io_.get_executor(), p, registry_);
        } else {
            server_ = std::make_unique<ac::metrics_server>(io_.get_executor(), p, std::move(body));
        }
        ac::diagnostics diag;
        ec_ = server_->start(diag);
        message_ = diag.message();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~server_fixture() {
        server_->stop();
        work_.reset();
        thread_.join();
    }
    ac::error_code start_error() const { return ec_; }
    const std::string& start_message() const { return message_; }
    tcp::endpoint endpoint() const { return server_->local_endpoint(); }
    ac::metrics_server& server() { return *server_; }
    // Runs fn on the server's thread and waits for it.
    template <class Fn>
    void on_server(Fn fn) {
        std::promise<void> done;
        asio::post(io_, [&] {
            fn();
            done.set_value();
        });
        done.get_future().wait();
    }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    std::shared_ptr<ac::metrics_registry> registry_;
    std::unique_ptr<ac::metrics_server> server_;
    ac::error_code ec_;
    std::string message_;
    std::thread thread_;
};

// Sends `request`, reads until the server closes; returns what came back.
std::string exchange(const tcp::endpoint& ep, const std::string& request, ac::error_code* read_error = nullptr) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(ep);
    asio::write(s, asio::buffer(request));
    std::string out;
    ac::error_code ec;
    asio::read(s, asio::dynamic_buffer(out), ec);
    if (read_error) *read_error = ec;
    return out;
}

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string body_of(const std::string& response) {
    auto p = response.find("\r\n\r\n");
    return p == std::string::npos ? std::string() : response.substr(p + 4);
}

}  // namespace

TEST(metrics_server, serves_metrics) {
    server_fixture f;
    ASSERT_FALSE(f.start_error()) << f.start_message();
    ASSERT_NE(f.endpoint().port(), 0);
    ac::error_code ec;
    const auto r = exchange(f.endpoint(), "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", &ec);
    EXPECT_EQ(ec, asio::error::eof);  // a clean close, not a reset
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    const auto body = body_of(r);
    EXPECT_NE(r.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
    EXPECT_NE(body.find("\nasync_cassandra_requests_total 1\n"), std::string::npos) << body;
    // A query string is ignored; HEAD has the headers only.
    EXPECT_EQ(status_line(exchange(f.endpoint(), "GET /metrics?x=1 HTTP/1.0\r\n\r\n")), "HTTP/1.1 200 OK");
    const auto head = exchange(f.endpoint(), "HEAD /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(status_line(head), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(head), "");
    // Bare line feeds are accepted too.
    EXPECT_EQ(status_line(exchange(f.endpoint(), "GET /metrics HTTP/1.1\n\n")), "HTTP/1.1 200 OK");
}

TEST(metrics_server, answers_404_405_and_400) {
    server_fixture f;
    ASSERT_FALSE(f.start_error()) << f.start_message();
    EXPECT_EQ(status_line(exchange(f.endpoint(), "GET / HTTP/1.1\r\n\r\n")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(exchange(f.endpoint(), "GET /metricsx HTTP/1.1\r\n\r\n")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(exchange(f.endpoint(), "POST /metrics HTTP/1.1\r\n\r\n")), "HTTP/1.1 405 Method Not Allowed");
    const std::vector<std::string> bad_requests = {"garbage\r\n\r\n",
                                                   "GET /metrics\r\n\r\n",
                                                   "GET  /metrics HTTP/1.1\r\n\r\n",
                                                   "GET metrics HTTP/1.1\r\n\r\n",
                                                   "GET /metrics HTTP/2\r\n\r\n",
                                                   "get /metrics HTTP/1.1\r\n\r\n",
                                                   "GET /metrics HTTP/1.1 extra\r\n\r\n",
                                                   "\r\n\r\n",
                                                   std::string("G\0T /metrics HTTP/1.1\r\n\r\n", 26)};
    for (const auto& bad : bad_requests)
        EXPECT_EQ(status_line(exchange(f.endpoint(), bad)), "HTTP/1.1 400 Bad Request") << bad;
    // Binary junk.
    std::string junk(300, '\xff');
    junk += "\r\n\r\n";
    EXPECT_EQ(status_line(exchange(f.endpoint(), junk)), "HTTP/1.1 400 Bad Request");
    // Still serving after all that.
    EXPECT_EQ(status_line(exchange(f.endpoint(), "GET /metrics HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK");
}

TEST(metrics_server, huge_headers_get_431_and_a_clean_close) {
    ac::metrics_server_params p;
    p.max_request_bytes = 4096;
    server_fixture f(p);
    ASSERT_FALSE(f.start_error()) << f.start_message();
    std::string req = "GET /metrics HTTP/1.1\r\n";
    for (int i = 0; i < 2000; ++i) req += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n";
    req += "\r\n";  // ~100 KB
    ac::error_code ec;
    const auto r = exchange(f.endpoint(), req, &ec);
    EXPECT_EQ(status_line(r), "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(ec, asio::error::eof);
    // A head that never ends is cut off the same way.
    EXPECT_EQ(status_line(exchange(f.endpoint(), "GET /metrics HTTP/1.1\r\nX: " + std::string(10000, 'b'))),
              "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST(metrics_server, slow_client_is_disconnected_after_the_read_timeout) {
    ac::metrics_server_params p;
    p.read_timeout = 200ms;
    server_fixture f(p);
    ASSERT_FALSE(f.start_error()) << f.start_message();
    asio::io_context io;
    tcp::socket s(io);
    s.connect(f.endpoint());
    asio::write(s, asio::buffer(std::string("GET /metr")));
    const auto t0 = std::chrono::steady_clock::now();
    std::string out;
    ac::error_code ec;
    asio::read(s, asio::dynamic_buffer(out), ec);
    EXPECT_TRUE(ec);  // closed without an answer
    EXPECT_EQ(out, "");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(metrics_server, stop_closes_listener_and_open_connections) {
    server_fixture f;
    ASSERT_FALSE(f.start_error()) << f.start_message();
    const auto ep = f.endpoint();
    asio::io_context io;
    tcp::socket idle(io);
    idle.connect(ep);
    // Let the server accept it before stopping.
    ASSERT_EQ(status_line(exchange(ep, "GET /metrics HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK");
    const auto t0 = std::chrono::steady_clock::now();
    f.server().stop();
    f.server().stop();  // idempotent
    std::string out;
    ac::error_code ec;
    asio::read(idle, asio::dynamic_buffer(out), ec);
    EXPECT_TRUE(ec);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);  // well before the 5 s read timeout
    tcp::socket late(io);
    late.connect(ep, ec);
    EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST(metrics_server, connections_beyond_the_limit_are_closed) {
    ac::metrics_server_params p;
    p.max_connections = 2;
    server_fixture f(p);
    ASSERT_FALSE(f.start_error()) << f.start_message();
    asio::io_context io;
    std::vector<tcp::socket> held;
    for (int i = 0; i < 2; ++i) {
        held.emplace_back(io);
        held.back().connect(f.endpoint());
    }
    // The server has taken the two (its single thread accepts in order).
    std::this_thread::sleep_for(100ms);
    ac::error_code ec;
    const auto r = exchange(f.endpoint(), "GET /metrics HTTP/1.1\r\n\r\n", &ec);
    EXPECT_EQ(r, "");
    held.clear();
    // Room again once they are gone.
    std::string ok;
    for (int i = 0; i < 50 && status_line(ok) != "HTTP/1.1 200 OK"; ++i) {
        std::this_thread::sleep_for(20ms);
        ok = exchange(f.endpoint(), "GET /metrics HTTP/1.1\r\n\r\n");
    }
    EXPECT_EQ(status_line(ok), "HTTP/1.1 200 OK");
}

TEST(metrics_server, provider_failure_is_a_500) {
    server_fixture f({}, []() -> std::string { throw std::runtime_error("no metrics today"); });
    ASSERT_FALSE(f.start_error()) << f.start_message();
    const auto r = exchange(f.endpoint(), "GET /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 500 Internal Server Error");
    EXPECT_EQ(body_of(r), "no metrics today\n");
}

TEST(metrics_server, start_errors_name_the_address) {
    asio::io_context io;
    ac::diagnostics diag;
    {
        ac::metrics_server_params p;
        p.address = "not-an-ip";
        ac::metrics_server s(io.get_executor(), p, [] { return std::string(); });
        EXPECT_EQ(s.start(diag), std::errc::invalid_argument);
        EXPECT_NE(diag.message().find("'not-an-ip' is not an IP address"), std::string::npos) << diag.message();
    }
    {
        ac::metrics_server_params p;
        p.prefix = "bad prefix";
        ac::metrics_server s(io.get_executor(), p, [] { return std::string(); });
        EXPECT_EQ(s.start(diag), std::errc::invalid_argument);
    }
    ac::metrics_server_params p;
    p.port = 0;
    ac::metrics_server first(io.get_executor(), p, [] { return std::string(); });
    ASSERT_FALSE(first.start(diag)) << diag.message();
    EXPECT_EQ(first.start(diag), std::errc::invalid_argument);  // twice
    p.port = first.local_endpoint().port();
    ac::metrics_server second(io.get_executor(), p, [] { return std::string(); });
    EXPECT_EQ(second.start(diag), asio::error::address_in_use);
    EXPECT_NE(diag.message().find("cannot bind 127.0.0.1 port " + std::to_string(p.port)), std::string::npos)
        << diag.message();
}

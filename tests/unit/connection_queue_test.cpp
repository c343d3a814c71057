// The connection's stream-id limit, its queue of waiting requests, orphaned
// ids and retirement, against a scripted peer that answers when told to;
// and the connection on the worst day (issue 15): an exception other than a
// protocol violation while reading, the credential in the write buffers,
// authentication without TLS.
#include "connection/connection.hpp"
#include "session/request.hpp"
#include "session/session_impl.hpp"

#include <async_cassandra/auth.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <server_protocol/server_protocol.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <new>

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;
namespace dt = async_cassandra::detail;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A v4 peer: answers OPTIONS and STARTUP (with `auth`: AUTHENTICATE, then
// AUTH_SUCCESS to any AUTH_RESPONSE, whose token it keeps), holds every
// QUERY until release(), and answers each with a SET_KEYSPACE result naming
// the query, so a response can be matched with its request.
class peer {
public:
    explicit peer(asio::io_context& io, bool auth = false)
        : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), auth_(auth) {
        asio::co_spawn(io, accept(), asio::detached);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    const std::vector<std::string>& received() const { return received_; }
    std::size_t held() const { return held_.size(); }
    const std::string& token() const { return token_; }
    void push_status_event() {
        answer(-1, pr::opcode::event, [](pr::byte_writer& w) {
            pr::server::encode_event(w, pr::status_change_event{"UP", pr::inet_endpoint{"127.0.0.9", 9042}});
        });
    }

    // Answers the oldest `n` held queries (all by default).
    void release(std::size_t n = static_cast<std::size_t>(-1)) {
        while (n-- > 0 && !held_.empty()) {
            auto [stream, text] = held_.front();
            held_.pop_front();
            answer(stream, pr::opcode::result, [&](pr::byte_writer& w) {
                w.i32(3);  // set_keyspace
                w.string(text);
            });
        }
    }
    void close() {
        ac::error_code ignored;
        acceptor_.close(ignored);
        if (socket_) socket_->close(ignored);
    }

private:
    asio::awaitable<void> accept() {
        ac::error_code ec;
        auto s = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        socket_ = std::make_unique<tcp::socket>(std::move(s));
        pr::frame_decoder d;
        for (;;) {
            std::optional<pr::envelope> req;
            while (!(req = d.next())) {
                auto space = d.prepare();
                auto n = co_await socket_->async_read_some(asio::buffer(space.data(), space.size()),
                                                           asio::redirect_error(asio::use_awaitable, ec));
                if (ec) co_return;
                d.commit(n);
            }
            const auto stream = req->header.stream;
            switch (req->header.opcode) {
                case pr::opcode::options:
                    answer(stream, pr::opcode::supported, [](pr::byte_writer& w) { w.u16(0); });
                    break;
                case pr::opcode::startup:
                    if (auth_)
                        answer(stream, pr::opcode::authenticate, [](pr::byte_writer& w) {
                            pr::server::encode_authenticate(w, "org.apache.cassandra.auth.PasswordAuthenticator");
                        });
                    else
                        answer(stream, pr::opcode::ready, [](pr::byte_writer&) {});
                    break;
                case pr::opcode::auth_response: {
                    pr::byte_reader r(req->body);
                    if (auto t = pr::server::decode_auth_response(r)) token_ = std::string(pr::as_chars(*t));
                    answer(stream, pr::opcode::auth_success,
                           [](pr::byte_writer& w) { pr::server::encode_auth_success(w, std::nullopt); });
                    break;
                }
                case pr::opcode::query: {
                    pr::byte_reader r(req->body);
                    std::string text(r.long_string());
                    received_.push_back(text);
                    held_.emplace_back(stream, std::move(text));
                    break;
                }
                default: co_return;
            }
        }
    }
    void answer(std::int16_t stream, pr::opcode op, const std::function<void(pr::byte_writer&)>& body) {
        pr::byte_buffer out;
        pr::write_envelope(out, 4, 0, stream, op, body);
        out[0] |= std::byte{pr::response_bit};
        ac::error_code ignored;
        asio::write(*socket_, asio::buffer(out), ignored);
    }

    tcp::acceptor acceptor_;
    bool auth_;
    std::string token_;
    std::unique_ptr<tcp::socket> socket_;
    std::vector<std::string> received_;
    std::deque<std::pair<std::int16_t, std::string>> held_;
};

struct outcome {
    bool done = false;
    ac::error_code ec;
    std::string text;  // the query the answer names
};

// Sends `query`; `out` receives the outcome.
void issue(dt::connection& c, const std::string& query, outcome& out, asio::cancellation_slot slot = {},
           dt::queue_quota* quota = nullptr) {
    c.async_request(
        pr::opcode::query, 0, [query](pr::byte_writer& w) { pr::encode_query(w, query, pr::query_parameters{}, 4); },
        asio::bind_cancellation_slot(slot,
                                     [&out](ac::error_code ec, pr::envelope env) {
                                         out.done = true;
                                         out.ec = ec;
                                         if (!ec) {
                                             pr::byte_reader r(env.body);
                                             (void)r.i32();
                                             out.text = std::string(r.string());
                                         }
                                     }),
        quota);
}

// Runs the loop until `cond` holds (or a second passes).
template <class Cond>
bool run_until(asio::io_context& io, Cond cond) {
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (!cond() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(2ms);
    }
    return cond();
}

std::shared_ptr<dt::connection> open(asio::io_context& io, peer& p, dt::connection_params params) {
    params.host = "127.0.0.1";
    params.port = p.port();
    params.protocol_version = 4;
    auto c = std::make_shared<dt::connection>(io.get_executor(), params);
    ac::error_code ec;
    bool started = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            ac::diagnostics diag;
            ec = co_await c->start(diag);
            started = true;
        },
        asio::detached);
    EXPECT_TRUE(run_until(io, [&] { return started; }));
    EXPECT_FALSE(ec) << ec.message();
    return c;
}

std::shared_ptr<dt::connection> open(asio::io_context& io, peer& p, std::size_t max_requests, std::size_t max_queued,
                                     std::size_t max_orphaned = 512) {
    dt::connection_params params;
    params.max_requests = max_requests;
    params.max_queued = max_queued;
    params.max_orphaned = max_orphaned;
    return open(io, p, params);
}

// Runs send_attempt for `query` in its own coroutine; `out` gets the outcome.
void send(asio::io_context& io, dt::connection& c, dt::session_impl& s, std::string query,
          std::chrono::milliseconds timeout, dt::request_outcome& out, int& done) {
    asio::co_spawn(
        io,
        [&, query = std::move(query), timeout]() -> asio::awaitable<void> {
            s.begin_request();
            auto body = [&](pr::byte_writer& w) { pr::encode_query(w, query, pr::query_parameters{}, 4); };
            out = co_await dt::send_attempt(c, pr::opcode::query, body, timeout, 0, &s);
            s.end_request();
            ++done;
        },
        asio::detached);
}

// Ends the peer and the connection and lets their handlers finish.
void finish(asio::io_context& io, peer& p, dt::connection& c) {
    p.close();
    c.close();
    io.run_for(10ms);
}

}  // namespace

TEST(connection_queue, requests_beyond_the_limit_wait_in_order_and_a_full_queue_refuses) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 2, 3);
    std::vector<outcome> out(6);
    for (std::size_t i = 0; i < out.size(); ++i) issue(*c, "q" + std::to_string(i), out[i]);
    EXPECT_EQ(c->in_flight(), 2u);
    EXPECT_EQ(c->queued(), 3u);
    ASSERT_TRUE(run_until(io, [&] { return out[5].done && p.received().size() == 2; }));
    EXPECT_EQ(out[5].ec, ac::client_errc::too_many_requests);

    // Each answer frees an id for the oldest waiting request.
    p.release(1);
    ASSERT_TRUE(run_until(io, [&] { return out[0].done && p.received().size() == 3; }));
    p.release();
    ASSERT_TRUE(run_until(io, [&] { return p.received().size() == 5; }));
    p.release();
    ASSERT_TRUE(run_until(io, [&] { return out[4].done; }));
    EXPECT_EQ(p.received(), (std::vector<std::string>{"q0", "q1", "q2", "q3", "q4"}));
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_FALSE(out[i].ec) << i;
        EXPECT_EQ(out[i].text, "q" + std::to_string(i));
    }
    EXPECT_EQ(c->queued(), 0u);
    EXPECT_EQ(c->reserved(), 0u);
    finish(io, p, *c);
}

TEST(connection_queue, any_cancellation_takes_a_waiting_request_out_unsent) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 1, 10);
    outcome first, waiting, after;
    asio::cancellation_signal signal;
    issue(*c, "first", first);
    issue(*c, "waiting", waiting, signal.slot());
    issue(*c, "after", after);
    signal.emit(asio::cancellation_type::total);
    ASSERT_TRUE(run_until(io, [&] { return waiting.done; }));
    EXPECT_EQ(waiting.ec, asio::error::operation_aborted);
    EXPECT_EQ(c->queued(), 1u);
    p.release();
    ASSERT_TRUE(run_until(io, [&] { return p.received().size() == 2; }));
    p.release();
    ASSERT_TRUE(run_until(io, [&] { return after.done; }));
    EXPECT_EQ(p.received(), (std::vector<std::string>{"first", "after"}));
    EXPECT_EQ(after.text, "after");
    finish(io, p, *c);
}

TEST(connection_queue, an_abandoned_id_stays_reserved_and_its_late_answer_is_dropped) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 4, 10);
    outcome abandoned, later;
    asio::cancellation_signal signal;
    issue(*c, "abandoned", abandoned, signal.slot());
    signal.emit(asio::cancellation_type::total);  // already sent: total alone is ignored
    io.run_for(5ms);
    EXPECT_FALSE(abandoned.done);
    signal.emit(asio::cancellation_type::partial);
    ASSERT_TRUE(run_until(io, [&] { return abandoned.done; }));
    EXPECT_EQ(abandoned.ec, asio::error::operation_aborted);
    EXPECT_EQ(c->orphaned(), 1u);
    EXPECT_EQ(c->reserved(), 1u);
    issue(*c, "later", later);
    ASSERT_TRUE(run_until(io, [&] { return p.received().size() == 2; }));
    p.release();  // answers "abandoned" first, then "later"
    ASSERT_TRUE(run_until(io, [&] { return later.done; }));
    EXPECT_FALSE(later.ec);
    EXPECT_EQ(later.text, "later");
    EXPECT_EQ(c->orphaned(), 0u);
    EXPECT_EQ(c->reserved(), 0u);
    EXPECT_TRUE(c->accepting());
    finish(io, p, *c);
}

TEST(connection_queue, too_many_orphans_retire_the_connection_once_its_requests_complete) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 16, 10, 2);
    int changes = 0;
    c->on_state_change([&] { ++changes; });
    outcome kept;
    std::vector<outcome> dropped(3);
    std::vector<asio::cancellation_signal> signals(3);
    issue(*c, "kept", kept);
    for (std::size_t i = 0; i < 3; ++i) issue(*c, "dropped", dropped[i], signals[i].slot());
    for (auto& s : signals) s.emit(asio::cancellation_type::terminal);
    EXPECT_TRUE(c->retiring());
    EXPECT_FALSE(c->accepting());
    EXPECT_TRUE(c->is_open());  // "kept" is still in flight
    EXPECT_GE(changes, 1);
    outcome refused;
    ASSERT_TRUE(run_until(io, [&] { return p.received().size() == 4; }));
    p.release();
    ASSERT_TRUE(run_until(io, [&] { return kept.done; }));
    EXPECT_FALSE(kept.ec);
    EXPECT_EQ(kept.text, "kept");
    EXPECT_FALSE(c->is_open());  // closed as soon as nothing awaited an answer
    issue(*c, "refused", refused);
    ASSERT_TRUE(run_until(io, [&] { return refused.done; }));
    EXPECT_EQ(refused.ec, ac::client_errc::connection_closed);
    finish(io, p, *c);
}

TEST(connection_queue, closing_fails_waiting_and_in_flight_requests_with_the_close_code) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 1, 10);
    outcome on_wire, waiting;
    issue(*c, "on wire", on_wire);
    issue(*c, "waiting", waiting);
    c->close("cluster closed", ac::client_errc::session_closed);
    ASSERT_TRUE(run_until(io, [&] { return on_wire.done && waiting.done; }));
    EXPECT_EQ(on_wire.ec, ac::client_errc::session_closed);
    EXPECT_EQ(waiting.ec, ac::client_errc::session_closed);
    finish(io, p, *c);
}

TEST(send_attempt, a_waiting_request_times_out_and_a_full_session_queue_names_its_limit) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 1, 100);
    ac::cluster_config cfg;
    cfg.max_queued_requests = 1;
    auto cluster = std::make_shared<dt::cluster_impl>(io.get_executor(), cfg);
    auto session = std::make_shared<dt::session_impl>(cluster, "");
    std::vector<dt::request_outcome> out(3);
    int done = 0;
    const auto start = std::chrono::steady_clock::now();
    send(io, *c, *session, "r0", 5s, out[0], done);
    send(io, *c, *session, "r1", 50ms, out[1], done);  // waits for the only id
    send(io, *c, *session, "r2", 5s, out[2], done);    // the session's queue (1) is full
    ASSERT_TRUE(run_until(io, [&] { return done == 1; }));
    EXPECT_EQ(out[2].ec, ac::client_errc::too_many_requests);
    EXPECT_NE(out[2].message.find("max_queued_requests = 1"), std::string::npos) << out[2].message;
    EXPECT_EQ(session->quota().waiting, 1u);
    ASSERT_TRUE(run_until(io, [&] { return done == 2; }));
    EXPECT_EQ(out[1].ec, ac::client_errc::request_timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
    EXPECT_EQ(session->quota().waiting, 0u);
    EXPECT_EQ(p.received().size(), 1u);  // the timed-out request never reached the wire
    p.release();
    ASSERT_TRUE(run_until(io, [&] { return done == 3; }));
    EXPECT_FALSE(out[0].ec);
    finish(io, p, *c);
}

TEST(send_attempt, session_close_stops_its_requests_after_close_timeout) {
    asio::io_context io;
    peer p(io);
    auto c = open(io, p, 4, 100);
    ac::cluster_config cfg;
    cfg.close_timeout = 30ms;
    auto cluster = std::make_shared<dt::cluster_impl>(io.get_executor(), cfg);
    auto session = std::make_shared<dt::session_impl>(cluster, "");
    dt::request_outcome out;
    int sent = 0;
    bool closed = false;
    send(io, *c, *session, "slow", 5s, out, sent);
    const auto start = std::chrono::steady_clock::now();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await session->close();
            closed = true;
        },
        asio::detached);
    ASSERT_TRUE(run_until(io, [&] { return closed; }));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(sent, 1);
    EXPECT_EQ(out.ec, ac::client_errc::session_closed);
    EXPECT_NE(out.message.find("close_timeout"), std::string::npos) << out.message;
    EXPECT_GE(took, 30ms);
    EXPECT_LT(took, 500ms);
    EXPECT_EQ(c->orphaned(), 1u);
    finish(io, p, *c);
}

namespace {
constexpr const char* secret = "pw-Wipe-Me-4711";
bool holds(pr::bytes_view buffer, std::string_view text) {
    return pr::as_chars(buffer).find(text) != std::string_view::npos;
}
}  // namespace

// A listener (or an allocation) throwing while an answer is handled: before
// the fix the exception left the read handler, escaped io_context::run() and
// left the connection open with no read pending, its requests never answered.
TEST(connection_hardening, an_exception_while_reading_closes_the_connection_with_an_error) {
    asio::io_context io;
    peer p(io, false);
    auto c = open(io, p, {});
    ASSERT_TRUE(c->is_open());
    c->on_event([](const pr::envelope&) { throw std::bad_alloc(); });
    bool done = false;
    ac::error_code request_ec;
    c->async_request(
        pr::opcode::query, 0, [](pr::byte_writer& w) { pr::encode_query(w, "SELECT 1", pr::query_parameters{}, 4); },
        [&](ac::error_code ec, pr::envelope) {
            done = true;
            request_ec = ec;
        });
    ASSERT_TRUE(run_until(io, [&] { return p.received().size() == 1; }));
    p.push_status_event();
    bool escaped = false;
    const bool closed = run_until(io, [&] {
        try {
            io.restart();
            io.run_for(2ms);
        } catch (const std::bad_alloc&) {
            escaped = true;  // what the old code did
            return true;
        }
        return !c->is_open() && done;
    });
    EXPECT_FALSE(escaped) << "the exception left the connection's read handler";
    ASSERT_TRUE(closed);
    EXPECT_FALSE(c->is_open());
    EXPECT_NE(c->close_reason().find("internal error while reading"), std::string::npos) << c->close_reason();
    EXPECT_TRUE(done) << "the request in flight was never completed";
    EXPECT_EQ(request_ec, make_error_code(ac::client_errc::internal_error)) << request_ec.message();
    p.close();
    io.run_for(10ms);
}

// The AUTH_RESPONSE is encoded into the connection's write buffers, which
// are reused: before the fix the credential stayed there, readable in a core
// dump, for the connection's life (until a later write overwrote it).
TEST(connection_hardening, the_credential_is_wiped_from_the_write_buffers_once_written) {
    asio::io_context io;
    peer p(io, true);
    dt::connection_params params;
    params.auth = ac::password_auth("alice", secret);
    auto c = open(io, p, params);
    ASSERT_TRUE(c->is_open());
    // The credential did go out, whole.
    EXPECT_EQ(p.token(), std::string("\0alice\0", 7) + secret);
    run_until(io, [] { return false; });  // let every write completion run
    auto [wire, pending] = c->write_buffers();
    EXPECT_FALSE(holds(wire, secret)) << "the password is still in the buffer last written";
    EXPECT_FALSE(holds(pending, secret)) << "the password is still in the buffer of the next write";
    p.close();
    c->close();
    io.run_for(10ms);
}

// Credentials over a connection without TLS: one warning per connection,
// naming the server; none when no authentication happens.
TEST(connection_hardening, authentication_without_tls_warns_once_and_names_the_server) {
    asio::io_context io;
    std::vector<std::string> warnings;
    dt::connection_params params;
    params.warn = [&](const std::string& m) { warnings.push_back(m); };
    {
        peer plain(io, false);
        auto c = open(io, plain, params);
        EXPECT_TRUE(c->is_open());
        EXPECT_TRUE(warnings.empty()) << warnings.front();
        plain.close();
        c->close();
        io.run_for(10ms);
    }
    peer p(io, true);
    params.auth = ac::password_auth("alice", secret);
    auto c = open(io, p, params);
    ASSERT_TRUE(c->is_open());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("without TLS"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("127.0.0.1:" + std::to_string(p.port())), std::string::npos) << warnings[0];
    EXPECT_EQ(warnings[0].find(secret), std::string::npos) << "the warning must not carry the password";
    p.close();
    c->close();
    io.run_for(10ms);
}

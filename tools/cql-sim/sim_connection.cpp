#include "sim_connection.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/protocol_error.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <server_protocol/server_protocol.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>

namespace cql_sim {
namespace srv = async_cassandra::protocol::server;
using asio::use_awaitable;

namespace {
pr::error_response make_error(std::int32_t code, std::string message) {
    pr::error_response e;
    e.code = code;
    e.message = std::move(message);
    return e;
}
}  // namespace

sim_connection::sim_connection(std::shared_ptr<detail::shared_state> st, asio::ip::tcp::socket s, int node)
    : st_(std::move(st)), socket_(std::move(s)), node_(node) {}

asio::awaitable<void> sim_connection::run(std::shared_ptr<sim_connection> self) {
    try {
        while (!self->closed_) {
            std::optional<pr::envelope> req;
            while (!(req = self->decoder_.next())) {
                if (self->reading_stopped_) co_await self->no_reads_.async_wait(use_awaitable);  // throws at close()
                auto space = self->decoder_.prepare();
                auto n = co_await self->socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                                                use_awaitable);
                self->decoder_.commit(n);
            }
            self->handle(*req);
        }
    } catch (const std::exception&) {
        // EOF, a reset or malformed input: a real server drops the connection too.
    }
    self->close();
}

void sim_connection::close() {
    if (closed_) return;
    closed_ = true;
    // Delayed answers end now, so stop() leaves nothing for the event loop.
    for (auto* t : timers_) t->cancel();
    no_reads_.cancel();
    ac::error_code ec;
    socket_.close(ec);
}

void sim_connection::half_close() {
    if (closed_) return;
    muted_ = true;
    ac::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

void sim_connection::reset() {
    if (closed_) return;
    ac::error_code ec;
    socket_.set_option(asio::socket_base::linger(true, 0), ec);
    close();
}

void sim_connection::handle(const pr::envelope& req) {
    st_->count_request(node_, req.header.opcode);
    const auto max = st_->cfg.max_protocol_version_of(node_);
    if (version_ == 0 || req.header.version != version_) {
        if (req.header.version > max || req.header.version < 4 || version_ != 0) {
            // Like Cassandra: answer in a version the client can read, then hang up.
            version_ = std::min(max, 4);
            const auto v = static_cast<int>(req.header.version);
            std::string msg = "Invalid or unsupported protocol version (" + std::to_string(v) +
                              "); supported versions are (3/v3, 4/v4" + (max >= 5 ? ", 5/v5)" : ")");
            auto e = make_error(pr::error_codes::protocol_error, std::move(msg));
            send(frame(req.header.stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, e, 4); }),
                 true);
            return;
        }
        version_ = req.header.version;
    }
    const auto stream = req.header.stream;
    if (req.header.opcode == pr::opcode::options || req.header.opcode == pr::opcode::startup ||
        req.header.opcode == pr::opcode::auth_response || req.header.opcode == pr::opcode::prepare) {
        // send() routes the usual answer through the rule (after the usual
        // handling, so READY or AUTHENTICATE still switch v5 to segments).
        if (const auto* rl = st_->match_handshake(req.header.opcode, node_))
            scripted_ = scripted{rl->delay, rl->fault, stream};
    }
    handle_request(req);
    scripted_.reset();
}

void sim_connection::handle_request(const pr::envelope& req) {
    const auto max = st_->cfg.max_protocol_version_of(node_);
    const auto stream = req.header.stream;
    switch (req.header.opcode) {
        case pr::opcode::options: {
            pr::string_multimap opts;
            for (int v = 3; v <= max; ++v)
                opts["PROTOCOL_VERSIONS"].push_back(std::to_string(v) + "/v" + std::to_string(v));
            opts["CQL_VERSION"] = {st_->cfg.cql_version};
            opts["COMPRESSION"] = {"lz4", "snappy"};
            send(frame(stream, pr::opcode::supported, [&](pr::byte_writer& w) { srv::encode_supported(w, opts); }));
            return;
        }
        case pr::opcode::startup: handle_startup(req); return;
        case pr::opcode::auth_response: handle_auth(req); return;
        case pr::opcode::register_: {
            pr::byte_reader r(req.body);
            for (auto& t : srv::decode_register(r)) registered_.push_back(std::move(t));
            send(frame(stream, pr::opcode::ready, [](pr::byte_writer&) {}));
            return;
        }
        case pr::opcode::query:
        case pr::opcode::prepare:
        case pr::opcode::execute:
        case pr::opcode::batch:
            if (!st_->cfg.user.empty() && !authenticated_) {
                // Cassandra refuses statements until the SASL exchange succeeded.
                auto e = make_error(pr::error_codes::protocol_error, std::string("Unexpected message ") +
                                                                         pr::to_string(req.header.opcode) +
                                                                         ", expecting SASL_RESPONSE");
                send(frame(stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, e, version_); }));
                return;
            }
            ++statements_;
            handle_statement(req);
            return;
        default: {
            auto e = make_error(pr::error_codes::protocol_error,
                                std::string("Unexpected message ") + pr::to_string(req.header.opcode));
            send(frame(stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, e, version_); }));
        }
    }
}

void sim_connection::handle_startup(const pr::envelope& req) {
    pr::byte_reader r(req.body);
    std::string compression;
    for (auto& [k, v] : srv::decode_startup(r))
        if (k == "COMPRESSION") compression = v;
    if (!compression.empty() && compression != "lz4" && (version_ >= 5 || compression != "snappy")) {
        auto e = make_error(pr::error_codes::protocol_error, "Unsupported compression " + compression);
        send(frame(req.header.stream, pr::opcode::error,
                   [&](pr::byte_writer& w) { srv::encode_error(w, e, version_); }));
        return;
    }
    if (version_ < 5 && !compression.empty()) {
        // The client may compress from the STARTUP answer on, and so may we.
        body_compression_ = compression == "lz4" ? ac::compression::lz4 : ac::compression::snappy;
        decoder_.enable_body_compression(body_compression_);
    }
    const bool auth = !st_->cfg.user.empty();
    send(auth ? frame(req.header.stream, pr::opcode::authenticate,
                      [&](pr::byte_writer& w) { srv::encode_authenticate(w, st_->cfg.authenticator); })
              : frame(req.header.stream, pr::opcode::ready, [](pr::byte_writer&) {}));
    if (version_ >= 5) {
        // Spec 2.3: segments start right after READY or AUTHENTICATE, both ways.
        segments_ = true;
        lz4_segments_ = compression == "lz4";
        decoder_.enable_segments(lz4_segments_);
    }
}

void sim_connection::handle_auth(const pr::envelope& req) {
    pr::byte_reader r(req.body);
    auto token = srv::decode_auth_response(r);
    const auto& cfg = st_->cfg;
    st_->counters.auth_tokens.emplace_back(token ? pr::as_chars(*token) : std::string_view{});
    if (auth_round_ < cfg.auth_challenges.size()) {
        const auto& challenge = cfg.auth_challenges[auth_round_++];
        send(frame(req.header.stream, pr::opcode::auth_challenge,
                   [&](pr::byte_writer& w) { srv::encode_auth_challenge(w, pr::as_bytes(challenge)); }));
        return;
    }
    const std::string expected = std::string(1, '\0') + cfg.user + std::string(1, '\0') + cfg.password;
    if (!cfg.user.empty() && token && pr::as_chars(*token) == expected) {
        authenticated_ = true;
        std::optional<pr::bytes_view> success;
        if (!cfg.auth_success_token.empty()) success = pr::as_bytes(cfg.auth_success_token);
        send(frame(req.header.stream, pr::opcode::auth_success,
                   [&](pr::byte_writer& w) { srv::encode_auth_success(w, success); }));
        return;
    }
    // SASL PLAIN: [authzid] \0 user \0 password; report the user like Cassandra.
    std::string user;
    if (token) {
        auto text = pr::as_chars(*token);
        auto first = text.find('\0');
        auto second = first == std::string_view::npos ? first : text.find('\0', first + 1);
        if (second != std::string_view::npos) user = std::string(text.substr(first + 1, second - first - 1));
    }
    auto e = make_error(pr::error_codes::bad_credentials,
                        "Provided username " + user + " and/or password are incorrect");
    send(frame(req.header.stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, e, version_); }));
}

}  // namespace cql_sim

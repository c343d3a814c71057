#include "connection/connection.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <async_cassandra/version.hpp>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>

namespace async_cassandra::detail {

namespace {
// Ids 0..max_streams-1; v3+ allows 32768.
constexpr std::size_t max_streams = 32768;
}  // namespace

connection::connection(asio::any_io_executor ex, connection_params params)
    : socket_(std::move(ex)),
      params_(std::move(params)),
      endpoint_(params_.host + ":" + std::to_string(params_.port)),
      version_(params_.protocol_version),
      decoder_(params_.max_frame_body) {}

connection::~connection() = default;

std::int16_t connection::acquire_stream() {
    if (free_ids_.empty()) {
        // Grow the id space in chunks so a quiet connection stays small.
        auto old = slots_.size();
        if (old >= max_streams) return -1;
        auto grown = std::min(max_streams, std::max<std::size_t>(128, old * 2));
        slots_.resize(grown);
        for (auto i = grown; i > old; --i) free_ids_.push_back(static_cast<std::int16_t>(i - 1));
    }
    auto id = free_ids_.back();
    free_ids_.pop_back();
    slots_[static_cast<std::size_t>(id)].reserved = true;
    return id;
}

void connection::release_stream(std::int16_t id) {
    auto& s = slots_[static_cast<std::size_t>(id)];
    s.reserved = false;
    s.op.reset();
    free_ids_.push_back(id);
}

void connection::enqueue(protocol::opcode op, std::uint8_t flags, std::int16_t stream,
                         const std::function<void(protocol::byte_writer&)>& body) {
    auto mark = pending_out_.size();
    try {
        protocol::write_envelope(pending_out_, static_cast<std::uint8_t>(version_), flags, stream, op, body);
        if (compress_bodies_) protocol::compress_envelope(pending_out_, mark, params_.compression);
        if (pending_out_.size() - mark - protocol::envelope_header_size > protocol::max_envelope_body)
            throw protocol::protocol_error(protocol::protocol_errc::value_too_large, "request exceeds 256 MB");
    } catch (...) {
        pending_out_.resize(mark);  // nothing half-written reaches the wire
        throw;
    }
    // v4 compresses every body after STARTUP, both ways; the answer to
    // STARTUP itself may already come compressed.
    if (op == protocol::opcode::startup && version_ < 5 && params_.compression != compression::none) {
        compress_bodies_ = true;
        decoder_.enable_body_compression(params_.compression);
    }
}

// Starts a write of everything queued when no write is in progress; requests
// queued meanwhile go out together in the next write.
void connection::flush() {
    if (writing_ || pending_out_.empty() || state_ == state::closed) return;
    wire_out_.clear();
    if (framed_) {
        protocol::encode_segments(wire_out_, pending_out_, params_.compression == compression::lz4);
        pending_out_.clear();
    } else {
        std::swap(wire_out_, pending_out_);
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(wire_out_),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                          self->writing_ = false;
                          if (ec) {
                              if (self->state_ != state::closed) self->close("write failed: " + ec.message());
                              return;
                          }
                          self->flush();
                      });
}

void connection::read_some() {
    auto space = decoder_.prepare(64 * 1024);
    socket_.async_read_some(asio::buffer(space.data(), space.size()),
                            [self = shared_from_this()](std::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void connection::on_read(std::error_code ec, std::size_t n) {
    if (state_ == state::closed) return;
    if (ec) {
        close(ec == asio::error::eof ? "server closed the connection" : "read failed: " + ec.message());
        return;
    }
    decoder_.commit(n);
    try {
        while (state_ != state::closed) {
            auto env = decoder_.next();
            if (!env) break;
            dispatch(std::move(*env));
        }
    } catch (const protocol::protocol_error& e) {
        close_code_ = make_error_code(client_errc::protocol_violation);
        close(std::string("protocol violation from server: ") + e.what());
        return;
    }
    if (state_ != state::closed) read_some();
}

void connection::dispatch(protocol::envelope env) {
    using protocol::opcode;
    const auto& h = env.header;
    if (!h.is_response) throw protocol::protocol_error(protocol::protocol_errc::malformed, "envelope without the response bit");
    // The STARTUP answer switches v5 to segments from the very next byte.
    if (!framed_ && version_ >= 5 && (h.opcode == opcode::ready || h.opcode == opcode::authenticate)) {
        framed_ = true;
        decoder_.enable_segments(params_.compression == compression::lz4);
    }
    if (h.stream < 0) return;  // EVENT: nothing registers for events yet
    auto idx = static_cast<std::size_t>(h.stream);
    if (idx >= slots_.size() || !slots_[idx].reserved) return;  // no such request: ignore
    auto op = std::move(slots_[idx].op);
    release_stream(h.stream);
    if (!op) return;  // abandoned: the id is free again
    --in_flight_;
    op->complete({}, std::move(env));
}

void connection::cancel_stream(std::int16_t id) {
    auto idx = static_cast<std::size_t>(id);
    if (idx >= slots_.size() || !slots_[idx].op) return;
    auto op = std::move(slots_[idx].op);  // the id stays reserved until the answer
    --in_flight_;
    op->complete(asio::error::operation_aborted, {});
}

void connection::fail_all(std::error_code ec) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (auto op = std::move(slots_[i].op)) {
            --in_flight_;
            op->complete(ec, {});
        }
    }
}

void connection::close(std::string reason) {
    if (state_ == state::closed) return;
    state_ = state::closed;
    close_reason_ = std::move(reason);
    if (!close_code_) close_code_ = make_error_code(client_errc::connection_closed);
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    fail_all(close_code_);
}

asio::awaitable<std::error_code> connection::start(diagnostics& diag) {
    using asio::ip::tcp;
    auto self = shared_from_this();
    std::error_code ec;

    // One deadline covers resolve, connect and the handshake.
    asio::steady_timer deadline(socket_.get_executor(), params_.connect_timeout);
    // Shared, not a frame local: the timer's handler may run after this frame ends.
    auto timed_out_flag = std::make_shared<bool>(false);
    deadline.async_wait([w = weak_from_this(), timed_out_flag](std::error_code e) {
        if (e) return;
        if (auto s = w.lock()) {
            *timed_out_flag = true;
            std::error_code ignored;
            s->socket_.close(ignored);
            if (s->state_ != state::idle) s->close("timed out");
        }
    });
    auto timed_out = [&] { return *timed_out_flag; };
    auto timeout_error = [&] {
        diag.assign("connect to " + endpoint_ + " timed out after " + std::to_string(params_.connect_timeout.count()) +
                        " ms",
                    endpoint_);
        return make_error_code(client_errc::connect_failed);
    };

    tcp::resolver resolver(socket_.get_executor());
    auto endpoints = co_await resolver.async_resolve(params_.host, std::to_string(params_.port),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        diag.assign("cannot resolve " + endpoint_ + ": " + ec.message(), endpoint_);
        co_return make_error_code(client_errc::connect_failed);
    }
    co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (timed_out()) co_return timeout_error();
    if (ec) {
        deadline.cancel();
        diag.assign("cannot connect to " + endpoint_ + ": " + ec.message(), endpoint_);
        co_return make_error_code(client_errc::connect_failed);
    }
    socket_.set_option(tcp::no_delay(true), ec);
    state_ = state::handshake;
    read_some();
    ec = co_await handshake(diag);
    deadline.cancel();
    if (timed_out()) {
        diag.assign("handshake with " + endpoint_ + " timed out after " +
                        std::to_string(params_.connect_timeout.count()) + " ms",
                    endpoint_);
        co_return make_error_code(client_errc::handshake_failed);
    }
    if (ec) {
        close("handshake failed");
        co_return ec;
    }
    state_ = state::ready;
    co_return std::error_code{};
}

asio::awaitable<std::error_code> connection::handshake(diagnostics& diag) {
    using protocol::opcode;
    std::error_code ec;
    auto fail = [&](client_errc code, std::string msg) {
        diag.assign(std::move(msg), endpoint_);
        return make_error_code(code);
    };
    auto version_error = [&](const protocol::envelope& env) -> std::optional<std::error_code> {
        protocol::byte_reader r(env.body);
        auto err = protocol::decode_error(r, version_);
        if (err.code == 0x000A && version_ > 4)
            return fail(client_errc::protocol_version_rejected,
                        endpoint_ + " rejected protocol v" + std::to_string(version_) + ": " + err.message);
        return fail(client_errc::handshake_failed, endpoint_ + " refused the handshake: " + err.message);
    };

    auto options = co_await async_request(opcode::options, 0, [](protocol::byte_writer&) {},
                                          asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        // A server that does not know the version may just hang up.
        if (version_ > 4 && ec == client_errc::connection_closed)
            co_return fail(client_errc::protocol_version_rejected,
                           endpoint_ + " closed the connection when offered protocol v" + std::to_string(version_));
        co_return fail(client_errc::handshake_failed, "OPTIONS to " + endpoint_ + " failed: " + close_reason_);
    }
    if (options.header.opcode == opcode::error) co_return *version_error(options);
    if (options.header.opcode != opcode::supported)
        co_return fail(client_errc::handshake_failed, std::string("OPTIONS to ") + endpoint_ + " answered with " +
                                                          protocol::to_string(options.header.opcode));
    {
        protocol::byte_reader r(options.body);
        supported_ = protocol::decode_supported(r);
    }
    const std::string algorithm = to_string(params_.compression);
    if (!algorithm.empty()) {
        if (version_ >= 5 && params_.compression != compression::lz4)
            co_return fail(client_errc::handshake_failed,
                           algorithm + " compression needs protocol v4; v5 compresses segments with lz4 only");
        auto it = supported_.find("COMPRESSION");
        bool has = it != supported_.end() && std::find(it->second.begin(), it->second.end(), algorithm) != it->second.end();
        if (!has) co_return fail(client_errc::handshake_failed, endpoint_ + " does not offer " + algorithm + " compression");
    }

    protocol::string_map startup{{"CQL_VERSION", "3.0.0"},
                                 {"DRIVER_NAME", "async-cassandra"},
                                 {"DRIVER_VERSION", async_cassandra::version_string}};
    if (!algorithm.empty()) startup.emplace_back("COMPRESSION", algorithm);
    auto ready = co_await async_request(
        opcode::startup, 0, [&](protocol::byte_writer& w) { protocol::encode_startup(w, startup); },
        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return fail(client_errc::handshake_failed, "STARTUP to " + endpoint_ + " failed: " + close_reason_);
    switch (ready.header.opcode) {
        case opcode::ready: co_return std::error_code{};
        case opcode::error: co_return *version_error(ready);
        case opcode::authenticate:
            co_return fail(client_errc::authentication_required,
                           endpoint_ + " requires authentication and no credentials were configured");
        default:
            co_return fail(client_errc::handshake_failed, std::string("STARTUP to ") + endpoint_ + " answered with " +
                                                              protocol::to_string(ready.header.opcode));
    }
}

}  // namespace async_cassandra::detail

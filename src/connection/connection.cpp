#include "connection/connection.hpp"

#include "connection/resolve.hpp"
#include "connection/tls_context.hpp"

#include <async_cassandra/metrics.hpp>
#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <async_cassandra/version.hpp>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

namespace async_cassandra::detail {

namespace {
// Ids 0..max_streams-1; v3+ allows 32768.
constexpr std::size_t max_streams = 32768;
// A server asking for more challenges than this is broken or hostile.
constexpr int max_auth_rounds = 64;

bool is_tls_error(const error_code& ec) {
    return ec.category() == asio::error::get_ssl_category() || ec == asio::ssl::error::stream_truncated;
}
}  // namespace

struct connection::tls_stream {
    tls_stream(asio::ip::tcp::socket& s, asio::ssl::context& ctx) : stream(s, ctx) {}
    asio::ssl::stream<asio::ip::tcp::socket&> stream;
};

connection::connection(asio::any_io_executor ex, connection_params params,
                       std::shared_ptr<connection_counters> counters)
    : socket_(std::move(ex)),
      params_(std::move(params)),
      counters_(counters ? std::move(counters) : std::make_shared<connection_counters>()),
      metrics_(params_.metrics.get()),
      endpoint_(params_.host + ":" + std::to_string(params_.port)),
      version_(params_.protocol_version),
      decoder_(params_.max_frame_body),
      max_requests_(std::clamp<std::size_t>(params_.max_requests, 1, max_streams)),
      own_quota_{0, params_.max_queued} {
    using any_strand = asio::strand<asio::any_io_executor>;
    // (Asio 1.22's target<T>() does not check the type itself.)
    auto mine = socket_.get_executor();
    if (params_.own_strand && mine.target_type() == typeid(any_strand)) strand_ = *mine.target<any_strand>();
}

connection::~connection() {
    // Destroyed open (never closed): the gauge must still come down.
    if (counted_open_) metrics_->on_connection_closed();
}

std::int16_t connection::acquire_stream() {
    if (free_count_ == 0) {
        // Grow the id space in chunks so a quiet connection stays small.
        auto old = slots_.size();
        if (old >= max_streams) return -1;
        auto grown = std::min(max_streams, std::max<std::size_t>(128, old * 2));
        slots_.resize(grown);
        free_ids_.resize(grown);  // the ring is empty: any layout will do
        free_head_ = 0;
        for (auto i = old; i < grown; ++i) free_ids_[free_count_++] = static_cast<std::int16_t>(i);
    }
    auto id = free_ids_[free_head_];
    if (++free_head_ == free_ids_.size()) free_head_ = 0;
    --free_count_;
    auto& s = slots_[static_cast<std::size_t>(id)];
    s.reserved = true;
    ++s.generation;
    return id;
}

void connection::release_stream(std::int16_t id) {
    auto& s = slots_[static_cast<std::size_t>(id)];
    s.reserved = false;
    s.op.reset();
    auto tail = free_head_ + free_count_;
    if (tail >= free_ids_.size()) tail -= free_ids_.size();
    free_ids_[tail] = id;
    ++free_count_;
}

void connection::encode(protocol::byte_buffer& out, protocol::opcode op, std::uint8_t flags, std::int16_t stream,
                        body_writer body) {
    auto mark = out.size();
    try {
        protocol::write_envelope(out, static_cast<std::uint8_t>(version_), flags, stream, op, body);
        if (compress_bodies_) protocol::compress_envelope(out, mark, params_.compression);
        if (out.size() - mark - protocol::envelope_header_size > protocol::max_envelope_body)
            throw protocol::protocol_error(protocol::protocol_errc::value_too_large, "request exceeds 256 MB");
    } catch (...) {
        out.resize(mark);  // nothing half-written reaches the wire
        throw;
    }
    // v4 compresses every body after STARTUP, both ways; the answer to
    // STARTUP itself may already come compressed.
    if (op == protocol::opcode::startup && version_ < 5 && params_.compression != compression::none) {
        compress_bodies_ = true;
        decoder_.enable_body_compression(params_.compression);
    }
}

namespace {
// Too long for a length prefix, or not expressible at all (the body function
// may keep e.what() for the caller's diagnostics).
error_code encode_failure(const protocol::protocol_error& e) {
    return e.code() == protocol::protocol_errc::value_too_large ? client_errc::request_too_large
                                                                : client_errc::invalid_request;
}
}  // namespace

void connection::submit_from_outside(protocol::opcode op, std::uint8_t flags, body_writer body, pending_ptr p,
                                     queue_quota* quota) {
    // The requester's slot is assigned here, on the requester's strand,
    // where it is also emitted and cleared; the cancellation then hops over.
    std::shared_ptr<cancel_ticket> ticket;
    if (auto cancel = p->cancellation_slot(); cancel.is_connected()) {
        ticket = std::make_shared<cancel_ticket>();
        cancel.assign([w = weak_from_this(), ticket, ex = get_executor()](asio::cancellation_type t) {
            asio::dispatch(ex, [w, ticket, t] {
                if (auto self = w.lock()) self->cancel_by_ticket(*ticket, t);
            });
        });
    }
    asio::dispatch(get_executor(), [self = shared_from_this(), op, flags, body = std::move(body), p = std::move(p),
                                    quota, ticket = std::move(ticket)]() mutable {
        self->submit(op, flags, body, std::move(p), quota, std::move(ticket));
    });
}

void connection::cancel_by_ticket(const cancel_ticket& t, asio::cancellation_type type) {
    if (auto q = t.queued.lock()) return cancel_queued(q);  // nothing sent: any type takes it out
    if (t.id < 0) return;
    if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial)) ==
        asio::cancellation_type::none)
        return;
    cancel_stream(t.id, t.generation);  // a no-op once answered (generation)
}

void connection::submit(protocol::opcode op, std::uint8_t flags, body_writer body, pending_ptr p, queue_quota* quota,
                        std::shared_ptr<cancel_ticket> ticket) {
    auto fail = [&](error_code ec) { p.release()->complete(ec, {}, get_executor(), true); };
    if (state_ == state::closed || state_ == state::idle)
        return fail(close_code_ ? close_code_ : make_error_code(client_errc::connection_closed));
    if (has_room()) {
        auto id = acquire_stream();
        if (id < 0) return fail(client_errc::too_many_requests);
        try {
            encode(pending_out_, op, flags, id, body);
        } catch (const protocol::protocol_error& e) {
            release_stream(id);
            return fail(encode_failure(e));
        }
        start_on_wire(id, std::move(p), ticket.get());
        flush();
        return;
    }
    // Every id the limit allows is taken: wait, encoded, for one.
    auto* q = quota ? quota : &own_quota_;
    if (q->waiting >= q->limit) return fail(client_errc::too_many_requests);
    auto entry = std::make_shared<queued_request>();
    try {
        encode(entry->envelope, op, flags, 0, body);
    } catch (const protocol::protocol_error& e) {
        return fail(encode_failure(e));
    }
    if (ticket) {
        ticket->queued = entry;
        entry->ticket = std::move(ticket);
    } else if (auto cancel = p->cancellation_slot(); cancel.is_connected()) {
        // Nothing was sent: any cancellation type may take it out.
        cancel.assign([w = weak_from_this(), e = std::weak_ptr<queued_request>(entry)](asio::cancellation_type) {
            auto self = w.lock();
            auto waiting = e.lock();
            if (self && waiting) self->cancel_queued(waiting);
        });
    }
    entry->op = std::move(p);
    entry->quota = q;
    add(q->waiting, true, q->shared);
    bump(queue_live_);
    queue_.push_back(std::move(entry));
}

// The request now owns stream `id`; its cancellation abandons the id.
void connection::start_on_wire(std::int16_t id, pending_ptr p, cancel_ticket* ticket) {
    auto& s = slots_[static_cast<std::size_t>(id)];
    if (ticket) {
        ticket->id = id;
        ticket->generation = s.generation;
        ticket->queued.reset();
    } else if (auto cancel = p->cancellation_slot(); cancel.is_connected()) {
        cancel.assign([w = weak_from_this(), id, gen = s.generation](asio::cancellation_type t) {
            if ((t & (asio::cancellation_type::terminal | asio::cancellation_type::partial)) ==
                asio::cancellation_type::none)
                return;
            if (auto self = w.lock()) self->cancel_stream(id, gen);
        });
    }
    s.op = std::move(p);
    bump(in_flight_);
    counters_->requests_sent.add(1, params_.own_strand);  // a plain store when every connection shares one thread
}

// Gives freed ids to waiting requests, oldest first.
void connection::send_queued() {
    bool sent = false;
    while (queue_live_ > 0 && reserved() < max_requests_ && state_ == state::ready) {
        auto entry = std::move(queue_.front());
        queue_.pop_front();
        if (!entry->op) continue;  // cancelled while waiting
        auto id = acquire_stream();
        if (id < 0) {
            queue_.push_front(std::move(entry));
            break;
        }
        drop(queue_live_);
        add(entry->quota->waiting, false, entry->quota->shared);
        // The stream id is bytes 2-3 of the envelope header.
        auto& env = entry->envelope;
        env[2] = static_cast<std::byte>((static_cast<std::uint16_t>(id) >> 8) & 0xff);
        env[3] = static_cast<std::byte>(static_cast<std::uint16_t>(id) & 0xff);
        pending_out_.insert(pending_out_.end(), env.begin(), env.end());
        start_on_wire(id, std::move(entry->op), entry->ticket.get());
        sent = true;
    }
    if (sent) flush();
}

void connection::cancel_queued(const std::shared_ptr<queued_request>& q) {
    if (!q->op) return;
    auto op = std::move(q->op);
    drop(queue_live_);
    add(q->quota->waiting, false, q->quota->shared);
    while (!queue_.empty() && !queue_.front()->op) queue_.pop_front();
    if (queue_live_ == 0) queue_.clear();
    // Called from inside the canceller's emit: run the handler later.
    op.release()->complete(asio::error::operation_aborted, {}, get_executor(), true);
    after_change();
}

// Starts a write of everything queued when no write is in progress; requests
// queued meanwhile go out together in the next write.
void connection::flush() {
    if (writing_ || pending_out_.empty() || state_ == state::closed || !write_error_.empty()) return;
    wire_out_.clear();
    // A credential in this write: the buffers are wiped once it is written.
    const bool secret = std::exchange(secret_out_, false);
    if (framed_) {
        protocol::encode_segments(wire_out_, pending_out_, params_.compression == compression::lz4);
        if (secret) OPENSSL_cleanse(pending_out_.data(), pending_out_.size());
        pending_out_.clear();
    } else {
        std::swap(wire_out_, pending_out_);
    }
    writing_ = true;
    auto done = [self = shared_from_this(), secret](error_code ec, std::size_t n) {
        self->writing_ = false;
        if (secret) OPENSSL_cleanse(self->wire_out_.data(), self->wire_out_.size());
        if (self->metrics_ && n > 0) self->metrics_->on_bytes_sent(n);
        if (ec) {
            if (self->state_ == state::closed) return;
            // A TLS 1.3 server refuses a missing client certificate after the
            // TLS handshake: with an alert on the first read, or, when our
            // first write meets its closed socket first, with a reset here.
            // The alert is usually still queued for the pending read, which
            // then closes with it (or with this message if it was lost).
            const bool maybe_mtls = self->tls_ && self->state_ == state::handshake && self->params_.tls &&
                                    !self->params_.tls->has_client_certificate();
            std::string why = "write failed: " + ec.message();
            if (!maybe_mtls) return self->close_here(std::move(why));
            self->write_error_ = std::move(why) +
                                 " (if the server requires a client certificate, set "
                                 "cluster_config.tls.cert_file and key_file)";
            return;
        }
        self->flush();
    };
    if (tls_)
        asio::async_write(tls_->stream, asio::buffer(wire_out_), std::move(done));
    else
        asio::async_write(socket_, asio::buffer(wire_out_), std::move(done));
}

void connection::read_some() {
    auto space = decoder_.prepare(64 * 1024);
    auto done = [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); };
    if (tls_)
        tls_->stream.async_read_some(asio::buffer(space.data(), space.size()), std::move(done));
    else
        socket_.async_read_some(asio::buffer(space.data(), space.size()), std::move(done));
}

void connection::on_read(error_code ec, std::size_t n) {
    if (state_ == state::closed) return;
    if (ec) {
        if (tls_ && is_tls_error(ec) && state_ == state::handshake) {
            // E.g. TLS 1.3 servers refuse a missing client certificate only
            // after the TLS handshake, with an alert on the first read.
            close_code_ = make_error_code(client_errc::tls_handshake_failed);
            std::string hint = ec.message().find("certificate required") != std::string::npos
                                   ? " (the server requires a client certificate: set cluster_config.tls.cert_file "
                                     "and key_file)"
                                   : "";
            close_here("TLS error from server: " + ec.message() + hint);
            return;
        }
        if (!write_error_.empty()) return close_here(std::exchange(write_error_, {}));
        close_here(ec == asio::error::eof ? "server closed the connection" : "read failed: " + ec.message());
        return;
    }
    decoder_.commit(n);
    if (metrics_) metrics_->on_bytes_received(n);
    last_read_.store(std::chrono::steady_clock::now(), std::memory_order_relaxed);
    try {
        while (state_ != state::closed) {
            auto env = decoder_.next();
            if (!env) break;
            dispatch(std::move(*env));
        }
    } catch (const protocol::protocol_error& e) {
        close_code_ = make_error_code(client_errc::protocol_violation);
        close_here(std::string("protocol violation from server: ") + e.what());
        return;
    } catch (const std::exception& e) {
        // Anything else (bad_alloc, a listener's exception) ends this
        // connection with an error too: never left open with no read pending.
        close_code_ = make_error_code(client_errc::internal_error);
        close_here(std::string("internal error while reading from the server: ") + e.what());
        return;
    } catch (...) {
        close_code_ = make_error_code(client_errc::internal_error);
        close_here("internal error while reading from the server: unknown exception");
        return;
    }
    if (state_ != state::closed) read_some();
}

void connection::dispatch(protocol::envelope env) {
    using protocol::opcode;
    const auto& h = env.header;
    if (!h.is_response)
        throw protocol::protocol_error(protocol::protocol_errc::malformed, "envelope without the response bit");
    // Once negotiated, every envelope carries our version; during the
    // handshake a server refusing v5 may answer in v4.
    if (state_ == state::ready && h.version != version_)
        throw protocol::protocol_error(protocol::protocol_errc::malformed,
                                       "envelope of protocol v" + std::to_string(h.version) + " on a v" +
                                           std::to_string(version_) + " connection");
    // The STARTUP answer switches v5 to segments from the very next byte.
    if (!framed_ && version_ >= 5 && (h.opcode == opcode::ready || h.opcode == opcode::authenticate)) {
        framed_ = true;
        decoder_.enable_segments(params_.compression == compression::lz4);
    }
    if (h.stream < 0) {
        if (h.opcode == opcode::event && on_event_) on_event_(env);
        return;
    }
    auto idx = static_cast<std::size_t>(h.stream);
    if (idx >= slots_.size() || !slots_[idx].reserved) return;  // no such request: ignore
    auto op = std::move(slots_[idx].op);
    if (op)
        drop(in_flight_);
    else
        drop(orphaned_);  // abandoned: the answer is dropped and the id is free again
    release_stream(h.stream);
    send_queued();
    if (op) op.release()->complete({}, std::move(env), get_executor(), false);
    after_change();
}

void connection::cancel_stream(std::int16_t id, std::uint32_t generation) {
    auto idx = static_cast<std::size_t>(id);
    if (idx >= slots_.size() || !slots_[idx].op || slots_[idx].generation != generation) return;
    auto op = std::move(slots_[idx].op);  // the id stays reserved until the answer
    drop(in_flight_);
    bump(orphaned_);
    if (metrics_) metrics_->on_orphaned_stream();
    // Called from inside the canceller's emit: run the handler later.
    op.release()->complete(asio::error::operation_aborted, {}, get_executor(), true);
    if (!retiring_ && orphaned_ > params_.max_orphaned)
        retire(std::to_string(orphaned()) +
               " orphaned stream ids (max_orphaned_streams = " + std::to_string(params_.max_orphaned) + ")");
    else
        after_change();
}

void connection::retire(std::string reason) {
    if (retiring_ || state_ == state::closed) return;
    retiring_ = true;
    close_reason_ = "retired: " + std::move(reason);
    after_change();
}

// Tells the listener, and closes a retiring connection once nothing it
// carries awaits an answer (orphaned ids need none).
void connection::after_change() {
    if (retiring_ && in_flight_ == 0 && queue_live_ == 0 && state_ != state::closed) {
        close_here(close_reason_);  // notifies
        return;
    }
    if (on_change_ && (retiring_ || state_ == state::closed || (in_flight_ == 0 && queue_live_ == 0))) on_change_();
}

void connection::fail_all(error_code ec) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (auto op = std::move(slots_[i].op)) {
            drop(in_flight_);
            op.release()->complete(ec, {}, get_executor(), false);
        }
    }
    auto queue = std::move(queue_);
    queue_.clear();
    for (auto& entry : queue) {
        if (!entry->op) continue;
        drop(queue_live_);
        add(entry->quota->waiting, false, entry->quota->shared);
        auto op = std::move(entry->op);
        op.release()->complete(ec, {}, get_executor(), true);
    }
}

void connection::close(std::string reason, error_code code) {
    if (params_.own_strand) {
        // Runs at once when already on the strand, else hops onto it.
        asio::dispatch(get_executor(), [self = shared_from_this(), reason = std::move(reason), code]() mutable {
            self->close_here(std::move(reason), code);
        });
        return;
    }
    close_here(std::move(reason), code);
}

void connection::close_here(std::string reason, error_code code) {
    if (state_ == state::closed) return;
    state_ = state::closed;
    close_reason_ = std::move(reason);
    if (code) close_code_ = code;
    if (!close_code_) close_code_ = make_error_code(client_errc::connection_closed);
    if (std::exchange(counted_open_, false)) metrics_->on_connection_closed();
    // A credential never written (its write is over or never started).
    if (std::exchange(secret_out_, false)) OPENSSL_cleanse(pending_out_.data(), pending_out_.size());
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    fail_all(close_code_);
    if (on_change_) on_change_();
}

asio::awaitable<error_code> connection::start(diagnostics& diag) {
    using asio::ip::tcp;
    auto self = shared_from_this();
    error_code ec;

    // One deadline covers resolve, connect and the handshake.
    const auto deadline_at = std::chrono::steady_clock::now() + params_.connect_timeout;
    asio::steady_timer deadline(socket_.get_executor(), deadline_at);
    // Shared, not a frame local: the timer's handler may run after this frame ends.
    auto timed_out_flag = std::make_shared<bool>(false);
    deadline.async_wait([w = weak_from_this(), timed_out_flag](error_code e) {
        if (e) return;
        if (auto s = w.lock()) {
            *timed_out_flag = true;
            error_code ignored;
            s->socket_.close(ignored);
            if (s->state_ != state::idle) s->close_here("timed out");
        }
    });
    auto timed_out = [&] { return *timed_out_flag; };
    auto timeout_error = [&] {
        diag.assign(
            "connect to " + endpoint_ + " timed out after " + std::to_string(params_.connect_timeout.count()) + " ms",
            endpoint_);
        return make_error_code(client_errc::connect_failed);
    };

    endpoint_list endpoints;
    ec = co_await resolve(params_.host, params_.port, deadline_at, endpoints);
    if (ec) {
        deadline.cancel();
        diag.assign(
            "cannot resolve " + endpoint_ + ": " +
                (ec == asio::error::timed_out ? "no answer within " + std::to_string(params_.connect_timeout.count()) +
                                                    " ms (cluster_config.connect_timeout)"
                                              : ec.message()),
            endpoint_);
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
    if (params_.tls) {
        ec = co_await tls_handshake(diag, timed_out);
        if (ec) {
            deadline.cancel();
            error_code ignored;
            socket_.close(ignored);
            co_return ec;
        }
    }
    state_ = state::handshake;
    read_some();
    try {
        ec = co_await handshake(diag);
    } catch (const std::exception& e) {
        // Whatever else fails in the handshake fails this connection only.
        diag.assign("handshake with " + endpoint_ + " failed: " + e.what(), endpoint_);
        ec = make_error_code(client_errc::handshake_failed);
    }
    deadline.cancel();
    if (timed_out()) {
        diag.assign("handshake with " + endpoint_ + " timed out after " +
                        std::to_string(params_.connect_timeout.count()) + " ms",
                    endpoint_);
        co_return make_error_code(client_errc::handshake_failed);
    }
    if (ec) {
        close_here("handshake failed");
        co_return ec;
    }
    state_ = state::ready;
    if (metrics_) {
        counted_open_ = true;
        metrics_->on_connection_opened();
    }
    co_return error_code{};
}

asio::awaitable<error_code> connection::handshake(diagnostics& diag) {
    using protocol::opcode;
    error_code ec;
    auto fail = [&](client_errc code, std::string msg) {
        diag.assign(std::move(msg), endpoint_);
        return make_error_code(code);
    };
    // A malformed answer is the server's fault, never an exception: the
    // caller then tries another host, or again later.
    auto malformed = [&](const char* what, const char* request, const protocol::protocol_error& e) {
        return fail(client_errc::protocol_violation,
                    std::string(what) + " from " + endpoint_ + " answering " + request + " is malformed: " + e.what());
    };
    auto version_error = [&](const protocol::envelope& env, const char* request) -> error_code {
        protocol::error_response err;
        try {
            protocol::byte_reader r(env.body);
            err = protocol::decode_error(r, version_);
        } catch (const protocol::protocol_error& e) {
            return malformed("ERROR", request, e);
        }
        if (err.code == 0x000A && version_ > 4)
            return fail(client_errc::protocol_version_rejected,
                        endpoint_ + " rejected protocol v" + std::to_string(version_) + ": " + err.message);
        return fail(client_errc::handshake_failed, endpoint_ + " refused the handshake: " + err.message);
    };

    auto options = co_await async_request(
        opcode::options, 0, [](protocol::byte_writer&) {}, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        if (ec == client_errc::tls_handshake_failed)
            co_return fail(client_errc::tls_handshake_failed, "OPTIONS to " + endpoint_ + " failed: " + close_reason_);
        // A server that does not know the version may just hang up.
        if (version_ > 4 && ec == client_errc::connection_closed)
            co_return fail(client_errc::protocol_version_rejected,
                           endpoint_ + " closed the connection when offered protocol v" + std::to_string(version_));
        co_return fail(client_errc::handshake_failed,
                       "OPTIONS to " + endpoint_ + " failed: " + close_reason_ +
                           (params_.tls ? "" : " (if the server requires TLS, set cluster_config.tls.enabled)"));
    }
    if (options.header.opcode == opcode::error) co_return version_error(options, "OPTIONS");
    if (options.header.opcode != opcode::supported)
        co_return fail(client_errc::handshake_failed, std::string("OPTIONS to ") + endpoint_ + " answered with " +
                                                          protocol::to_string(options.header.opcode));
    try {
        protocol::byte_reader r(options.body);
        supported_ = protocol::decode_supported(r);
    } catch (const protocol::protocol_error& e) {
        co_return malformed("SUPPORTED", "OPTIONS", e);
    }
    const std::string algorithm = to_string(params_.compression);
    if (!algorithm.empty()) {
        if (version_ >= 5 && params_.compression != compression::lz4)
            co_return fail(client_errc::handshake_failed,
                           algorithm + " compression needs protocol v4; v5 compresses segments with lz4 only");
        auto it = supported_.find("COMPRESSION");
        bool has = it != supported_.end() &&
                   std::find(it->second.begin(), it->second.end(), algorithm) != it->second.end();
        if (!has)
            co_return fail(client_errc::handshake_failed, endpoint_ + " does not offer " + algorithm + " compression");
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
        case opcode::ready: co_return error_code{};
        case opcode::error: co_return version_error(ready, "STARTUP");
        case opcode::authenticate: {
            std::string server_authenticator;
            try {
                protocol::byte_reader r(ready.body);
                server_authenticator = protocol::decode_authenticate(r);
            } catch (const protocol::protocol_error& e) {
                co_return fail(client_errc::protocol_violation,
                               "AUTHENTICATE from " + endpoint_ + " is malformed: " + e.what());
            }
            if (!params_.auth)
                co_return fail(client_errc::authentication_required,
                               endpoint_ + " requires authentication (" + server_authenticator +
                                   ") and no credentials were configured (cluster_config.auth)");
            co_return co_await authenticate(server_authenticator, diag);
        }
        default:
            co_return fail(client_errc::handshake_failed, std::string("STARTUP to ") + endpoint_ + " answered with " +
                                                              protocol::to_string(ready.header.opcode));
    }
}

// TLS over the connected socket: SNI and the name to verify, then the
// handshake. A failure names OpenSSL's reason and, for a certificate, the
// verification error ("unable to get local issuer certificate", ...).
asio::awaitable<error_code> connection::tls_handshake(diagnostics& diag, const std::function<bool()>& timed_out) {
    const auto& ctx = *params_.tls;
    tls_ = std::make_unique<tls_stream>(socket_, ctx.native());
    SSL* ssl = tls_->stream.native_handle();
    const std::string& name = ctx.server_name().empty() ? params_.host : ctx.server_name();
    error_code ec;
    asio::ip::make_address(name, ec);
    const bool is_ip = !ec;
    // RFC 6066: SNI carries host names only, never address literals.
    // (SSL_set_tlsext_host_name without its macro's old-style cast.)
    if (!is_ip) SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
    if (ctx.verify_host()) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1
                  : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size()) != 1) {
            diag.assign("cannot verify TLS name '" + name + "' of " + endpoint_, endpoint_);
            co_return make_error_code(client_errc::tls_handshake_failed);
        }
    }
    ec = {};
    co_await tls_->stream.async_handshake(asio::ssl::stream_base::client,
                                          asio::redirect_error(asio::use_awaitable, ec));
    if (timed_out()) {
        diag.assign("TLS handshake with " + endpoint_ + " timed out after " +
                        std::to_string(params_.connect_timeout.count()) + " ms",
                    endpoint_);
        co_return make_error_code(client_errc::tls_handshake_failed);
    }
    if (!ec) co_return error_code{};
    std::string why = ec.message();
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) why += ": " + std::string(X509_verify_cert_error_string(verify));
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
        why += " (the certificate does not name '" + name + "'; see cluster_config.tls.server_name)";
    else if (why.find("alert") != std::string::npos && !ctx.has_client_certificate())
        // TLS 1.2 servers refuse a missing client certificate during the handshake.
        why += " (if the server requires a client certificate, set cluster_config.tls.cert_file and key_file)";
    else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
             why.find("wrong version number") != std::string::npos || why.find("packet length") != std::string::npos)
        why += " (does the server have TLS enabled?)";
    diag.assign("TLS handshake with " + endpoint_ + " failed: " + why, endpoint_);
    co_return make_error_code(client_errc::tls_handshake_failed);
}

// The SASL exchange after AUTHENTICATE: AUTH_RESPONSE, then any number of
// AUTH_CHALLENGE / AUTH_RESPONSE rounds, until AUTH_SUCCESS or ERROR.
// Tokens are wiped once sent and never appear in a message.
asio::awaitable<error_code> connection::authenticate(const std::string& server_authenticator, diagnostics& diag) {
    using protocol::opcode;
    auto fail = [&](error_code code, std::string msg) {
        diag.assign(std::move(msg), endpoint_);
        return code;
    };
    std::unique_ptr<authenticator> auth;
    auth_token token;
    try {
        auth = params_.auth->new_authenticator(endpoint_, server_authenticator);
        if (!auth)
            co_return fail(client_errc::handshake_failed, "the auth_provider made no authenticator for " + endpoint_);
        token = auth->initial_response();
    } catch (const std::exception& e) {
        co_return fail(client_errc::handshake_failed, "authenticator for " + endpoint_ + " failed: " + e.what());
    }
    if (!params_.tls && params_.warn)
        params_.warn("authentication with " + endpoint_ + " (" + server_authenticator +
                     ") runs without TLS: its credentials can be read on the network (set cluster_config.tls.enabled)");
    for (int round = 0;; ++round) {
        error_code ec;
        // The encoded token is wiped from the write buffers once written.
        secret_out_ = true;
        auto answer = co_await async_request(
            opcode::auth_response, 0,
            [&](protocol::byte_writer& w) { protocol::encode_auth_response(w, protocol::bytes_view(token)); },
            asio::redirect_error(asio::use_awaitable, ec));
        if (!token.empty()) OPENSSL_cleanse(token.data(), token.size());
        if (ec)
            co_return fail(
                ec == client_errc::tls_handshake_failed ? ec : make_error_code(client_errc::handshake_failed),
                "AUTH_RESPONSE to " + endpoint_ + " failed: " + close_reason_);
        protocol::byte_reader r(answer.body);
        try {
            switch (answer.header.opcode) {
                case opcode::auth_success: {
                    auto t = protocol::decode_auth_success(r);
                    auth->on_success(t ? *t : protocol::bytes_view{});
                    co_return error_code{};
                }
                case opcode::auth_challenge: {
                    if (round + 1 >= max_auth_rounds)
                        co_return fail(client_errc::handshake_failed, endpoint_ + " sent more than " +
                                                                          std::to_string(max_auth_rounds) +
                                                                          " authentication challenges");
                    auto t = protocol::decode_auth_challenge(r);
                    token = auth->evaluate_challenge(t ? *t : protocol::bytes_view{});
                    continue;
                }
                case opcode::error: {
                    auto err = protocol::decode_error(r, version_);
                    // The server's message names the user at most, never the password.
                    co_return fail(server_error_code(err.code),
                                   "authentication with " + endpoint_ + " failed: " + err.message);
                }
                default:
                    co_return fail(client_errc::unexpected_response, std::string("AUTH_RESPONSE to ") + endpoint_ +
                                                                         " answered with " +
                                                                         protocol::to_string(answer.header.opcode));
            }
        } catch (const protocol::protocol_error& e) {
            co_return fail(client_errc::protocol_violation,
                           std::string("malformed answer to AUTH_RESPONSE from ") + endpoint_ + ": " + e.what());
        } catch (const std::exception& e) {
            co_return fail(client_errc::handshake_failed, "authenticator for " + endpoint_ + " failed: " + e.what());
        }
    }
}

}  // namespace async_cassandra::detail

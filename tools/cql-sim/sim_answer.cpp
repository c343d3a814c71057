// The statement half of sim_connection: QUERY/PREPARE/EXECUTE/BATCH answered
// by the rules, framing, faults and the write queue.
#include "sim_connection.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <server_protocol/server_protocol.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace cql_sim {
namespace srv = async_cassandra::protocol::server;
using asio::use_awaitable;

void sim_connection::handle_statement(const pr::envelope& req) {
    pr::byte_reader r(req.body);
    const auto stream = req.header.stream;
    std::string_view text;
    std::string id;
    bool skip_metadata = false;
    switch (req.header.opcode) {
        case pr::opcode::query: {
            auto q = srv::decode_query(r, version_);
            record_timestamp(q.parameters.params.default_timestamp);
            text = q.query;
            skip_metadata = q.parameters.params.skip_metadata;
            break;
        }
        case pr::opcode::prepare: {
            // PREPARE only peeks at the rules (no hit, no fault): rules script
            // executions; the matching rule's columns become the result metadata.
            auto p = srv::decode_prepare(r, version_);
            id = prepared_id_of(p.query);
            text = st_->prepared.insert_or_assign(id, std::string(p.query)).first->second;
            srv::rows_header result;
            pr::prepared_metadata variables;
            for (auto& rl : st_->rules)
                if (rl.matches(text, id, node_)) {
                    if (auto* rows = std::get_if<rows_result>(&rl.result)) result.columns = rows->columns;
                    variables.columns = rl.variables;
                    // The first marker stands for the partition key (enough for routing tests).
                    if (!variables.columns.empty()) variables.pk_indexes = {0};
                    break;
                }
            if (result.columns.empty()) {
                auto fallback = default_response(st_->topo, node_, text);
                if (auto* rows = std::get_if<rows_result>(&fallback)) result.columns = rows->columns;
            }
            const auto metadata_id = prepared_id_of("metadata:" + std::string(text));
            send(frame(stream, pr::opcode::result, [&](pr::byte_writer& w) {
                srv::encode_prepared_result(w, pr::as_bytes(id), pr::as_bytes(metadata_id), variables, result,
                                            version_);
            }));
            return;
        }
        case pr::opcode::execute: {
            auto e = srv::decode_execute(r, version_);
            record_timestamp(e.parameters.params.default_timestamp);
            id = std::string(pr::as_chars(e.id));
            skip_metadata = e.parameters.params.skip_metadata;
            auto it = st_->prepared.find(id);
            if (it == st_->prepared.end()) return answer_unprepared(stream, id);
            text = it->second;
            break;
        }
        default: {
            // BATCH: the first statement picks the rule; the answer is Void unless it says otherwise.
            // Like Cassandra, any id it does not know makes the whole batch Unprepared.
            auto b = srv::decode_batch(r, version_);
            record_timestamp(b.default_timestamp);
            for (const auto& s : b.statements) {
                if (!s.prepared) continue;
                const std::string sid(pr::as_chars(s.id));
                if (!st_->prepared.contains(sid)) return answer_unprepared(stream, sid);
            }
            if (!b.statements.empty()) {
                const auto& s = b.statements.front();
                if (s.prepared) {
                    id = std::string(pr::as_chars(s.id));
                    text = st_->prepared.find(id)->second;
                } else {
                    text = s.query;
                }
            }
        }
    }
    if (auto* rl = st_->match(text, id, node_)) {
        answer(stream, *rl, rl->result, skip_metadata);
        return;
    }
    const rule none;
    answer(stream, none,
           req.header.opcode == pr::opcode::batch ? response(void_result{}) : default_response(st_->topo, node_, text),
           skip_metadata);
}

void sim_connection::record_timestamp(std::optional<std::int64_t> ts) {
    if (st_->cfg.record_timestamps) st_->counters.timestamps.push_back(ts);
}

void sim_connection::answer_unprepared(std::int16_t stream, const std::string& id) {
    pr::error_response err;
    err.code = pr::error_codes::unprepared;
    err.message = "Prepared query with ID not found";
    err.unprepared_id = id;
    send(frame(stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, err, version_); }));
}

void sim_connection::write_result(pr::byte_writer& w, const response& r, bool skip_metadata) {
    if (std::holds_alternative<void_result>(r)) {
        srv::encode_void_result(w);
        return;
    }
    const auto& rows = std::get<rows_result>(r);
    srv::rows_header h;
    h.columns = rows.columns;
    h.no_metadata = skip_metadata;
    if (rows.paging_state) h.paging_state = pr::as_bytes(*rows.paging_state);
    srv::begin_rows_result(w, h, static_cast<std::int32_t>(rows.rows.size()));
    for (const auto& row : rows.rows)
        for (const auto& cell : row) {
            if (cell.is_null())
                w.null_bytes();
            else if (cell.is_unset())
                w.unset_value();
            else
                w.bytes(cell.bytes());
        }
}

pr::bytes_view sim_connection::cached_body(const rule& rl, bool skip_metadata) {
    auto& rules = st_->rules;
    const auto index = static_cast<std::size_t>(&rl - rules.data());
    if (st_->bodies.size() != rules.size()) st_->bodies.assign(rules.size(), {});
    auto& body = st_->bodies[index][skip_metadata ? 1 : 0];
    if (body.empty()) {
        pr::byte_writer w(body);
        write_result(w, rl.result, skip_metadata);
    }
    return body;
}

void sim_connection::answer(std::int16_t stream, const rule& rl, const response& r, bool skip_metadata) {
    if (rl.fault.kind == fault_kind::stall) return;  // never answer
    const bool is_error = std::holds_alternative<error_result>(r);
    // A rule's own result (not a default answer): its body can be cached.
    const bool from_rules = &r == &rl.result;
    if (!is_error && rl.delay.count() == 0 && rl.fault.kind == fault_kind::none) {
        // The benchmark path: a body encoded once, an envelope header, and
        // the framing shared with every other answer of this write.
        if (from_rules) {
            send_result(stream, cached_body(rl, skip_metadata));
        } else {
            pr::byte_buffer body;
            pr::byte_writer w(body);
            write_result(w, r, skip_metadata);
            send_result(stream, body);
        }
        return;
    }
    if (rl.fault.kind == fault_kind::body) {  // a well-framed answer with the rule's body
        send(frame(stream, rl.fault.answer, [&](pr::byte_writer& w) { w.raw(rl.fault.raw); }));
        return;
    }
    if (rl.fault.kind == fault_kind::compressed_body) {  // sent as is: not compressed again
        pr::byte_buffer env;
        pr::write_envelope(env, static_cast<std::uint8_t>(version_), pr::frame_flags::compression, stream,
                           rl.fault.answer, [&](pr::byte_writer& w) { w.raw(rl.fault.raw); });
        env[0] |= std::byte{pr::response_bit};
        send(std::move(env));
        return;
    }
    if (rl.fault.kind == fault_kind::wrong_stream) stream = static_cast<std::int16_t>((stream + 16384) % 32768);
    const int version = rl.fault.kind == fault_kind::bad_version ? static_cast<int>(rl.fault.bytes) : 0;
    auto bytes = is_error ? frame(
                                stream, pr::opcode::error,
                                [&](pr::byte_writer& w) { srv::encode_error(w, std::get<error_result>(r), version_); },
                                version)
                          : frame(
                                stream, pr::opcode::result,
                                [&](pr::byte_writer& w) { write_result(w, r, skip_metadata); }, version);
    if (rl.delay.count() > 0 || rl.fault.kind == fault_kind::stall) {
        if (rl.fault.kind == fault_kind::stall) return;  // never answer
        asio::co_spawn(st_->ex, answer_later(shared_from_this(), rl.delay, std::move(bytes), rl.fault), asio::detached);
        return;
    }
    send_faulty(std::move(bytes), rl.fault);
}

asio::awaitable<void> sim_connection::answer_later(std::shared_ptr<sim_connection> self, std::chrono::nanoseconds delay,
                                                   pr::byte_buffer bytes, fault f) {
    asio::steady_timer t(self->st_->ex, delay);
    auto it = self->timers_.insert(self->timers_.end(), &t);
    ac::error_code ec;
    try {
        co_await t.async_wait(use_awaitable);
    } catch (const ac::system_error& e) {
        ec = e.code();
    }
    self->timers_.erase(it);
    if (!ec) self->send_faulty(std::move(bytes), f);
}

void sim_connection::send_faulty(pr::byte_buffer bytes, const fault& f) {
    switch (f.kind) {
        case fault_kind::drop_connection: close(); return;
        case fault_kind::stall: return;
        case fault_kind::close_after:
            bytes.resize(std::min(bytes.size(), f.bytes));
            send(std::move(bytes), true);
            return;
        case fault_kind::mute_after:
            bytes.resize(std::min(bytes.size(), f.bytes));
            send(std::move(bytes));
            muted_ = true;  // a peer mid-frame can only stay silent, or garble the stream
            return;
        case fault_kind::raw: send(f.raw); return;
        case fault_kind::duplicate: {
            auto again = bytes;
            send(std::move(bytes));
            send(std::move(again));
            return;
        }
        case fault_kind::reset: reset(); return;
        case fault_kind::corrupt_crc:
            // v5: the last 4 bytes are the segment's payload CRC32.
            if (!bytes.empty()) bytes.back() ^= std::byte{0x01};
            send(std::move(bytes));
            return;
        default: send(std::move(bytes));
    }
}

pr::byte_buffer sim_connection::frame(std::int16_t stream, pr::opcode op, const body_fn& body, int version) const {
    pr::byte_buffer env;
    pr::write_envelope(env, static_cast<std::uint8_t>(version ? version : version_), 0, stream, op, body);
    env[0] |= std::byte{pr::response_bit};
    if (!segments_) {
        if (body_compression_ != ac::compression::none && env.size() > pr::envelope_header_size)
            pr::compress_envelope(env, 0, body_compression_);
        return env;
    }
    pr::byte_buffer out;
    pr::encode_segments(out, env, lz4_segments_);
    return out;
}

bool sim_connection::push_event(std::string_view type, const pr::event_body& e) {
    if (closed_ || std::find(registered_.begin(), registered_.end(), type) == registered_.end()) return false;
    send(frame(-1, pr::opcode::event, [&](pr::byte_writer& w) { srv::encode_event(w, e); }));
    return true;
}

void sim_connection::send_result(std::int16_t stream, pr::bytes_view body) {
    if (closed_ || muted_) return;
    const auto mark = unframed_.size();
    pr::write_envelope(unframed_, static_cast<std::uint8_t>(version_), 0, stream, pr::opcode::result,
                       [&](pr::byte_writer& w) { w.raw(body); });
    unframed_[mark] |= std::byte{pr::response_bit};
    if (!segments_ && body_compression_ != ac::compression::none)
        pr::compress_envelope(unframed_, mark, body_compression_);
    start_writing();
}

void sim_connection::send_scripted(pr::byte_buffer bytes, std::chrono::nanoseconds delay, const fault& f) {
    if (f.kind == fault_kind::stall) return;
    if (delay.count() > 0) {
        asio::co_spawn(st_->ex, answer_later(shared_from_this(), delay, std::move(bytes), f), asio::detached);
        return;
    }
    send_faulty(std::move(bytes), f);
}

void sim_connection::send(pr::byte_buffer bytes, bool close_after) {
    if (scripted_) {
        auto s = std::move(*scripted_);
        scripted_.reset();
        if (s.f.kind == fault_kind::body) {
            bytes = frame(s.stream, s.f.answer, [&](pr::byte_writer& w) { w.raw(s.f.raw); });
            s.f = {};
        }
        return send_scripted(std::move(bytes), s.delay, s.f);
    }
    if (closed_ || muted_) return;
    frame_unframed();  // answers queued before these bytes go out before them
    outbox_.emplace_back(std::move(bytes), close_after);
    start_writing();
}

void sim_connection::frame_unframed() {
    if (unframed_.empty()) return;
    pr::byte_buffer framed;
    if (segments_) {
        pr::encode_segments(framed, unframed_, lz4_segments_);
        unframed_.clear();
    } else {
        framed.swap(unframed_);
    }
    outbox_.emplace_back(std::move(framed), false);
}

void sim_connection::start_writing() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(st_->ex, write_loop(shared_from_this()), asio::detached);
}

// Everything queued when a write starts goes out in that one write: one
// system call for many answers, as a real server under load does.
asio::awaitable<void> sim_connection::write_loop(std::shared_ptr<sim_connection> self) {
    try {
        pr::byte_buffer wire;
        while (!self->closed_) {
            self->frame_unframed();
            if (self->outbox_.empty()) break;
            wire.clear();
            bool close_after = false;
            while (!self->outbox_.empty() && !close_after) {
                auto& [bytes, close] = self->outbox_.front();
                if (wire.empty())
                    wire.swap(bytes);
                else
                    wire.insert(wire.end(), bytes.begin(), bytes.end());
                close_after = close;
                self->outbox_.pop_front();
            }
            co_await asio::async_write(self->socket_, asio::buffer(wire), use_awaitable);
            if (close_after) self->close();
        }
    } catch (const std::exception&) {
        self->close();
    }
    self->writing_ = false;
}

}  // namespace cql_sim

// The statement half of sim_connection: QUERY/PREPARE/EXECUTE/BATCH answered
// by the rules, framing, faults and the write queue.
#include "sim_connection.hpp"

#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/segment.hpp>
#include <async_cassandra/protocol/server.hpp>

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
    std::string text, id;
    bool skip_metadata = false;
    switch (req.header.opcode) {
        case pr::opcode::query: {
            auto q = srv::decode_query(r, version_);
            text = q.query;
            skip_metadata = q.parameters.params.skip_metadata;
            break;
        }
        case pr::opcode::prepare: {
            // PREPARE only peeks at the rules (no hit, no fault): rules script
            // executions; the matching rule's columns become the result metadata.
            auto p = srv::decode_prepare(r, version_);
            text = p.query;
            id = prepared_id_of(text);
            st_->prepared[id] = text;
            srv::rows_header result;
            for (auto& rl : st_->rules)
                if (rl.matches(text, id, node_)) {
                    if (auto* rows = std::get_if<rows_result>(&rl.result)) result.columns = rows->columns;
                    break;
                }
            if (result.columns.empty()) {
                auto fallback = default_response(st_->topo, node_, text);
                if (auto* rows = std::get_if<rows_result>(&fallback)) result.columns = rows->columns;
            }
            const auto metadata_id = prepared_id_of("metadata:" + text);
            send(frame(stream, pr::opcode::result, [&](pr::byte_writer& w) {
                srv::encode_prepared_result(w, pr::as_bytes(id), pr::as_bytes(metadata_id), pr::prepared_metadata{},
                                            result, version_);
            }));
            return;
        }
        case pr::opcode::execute: {
            auto e = srv::decode_execute(r, version_);
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

void sim_connection::answer_unprepared(std::int16_t stream, const std::string& id) {
    pr::error_response err;
    err.code = pr::error_codes::unprepared;
    err.message = "Prepared query with ID not found";
    err.unprepared_id = id;
    send(frame(stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, err, version_); }));
}

void sim_connection::answer(std::int16_t stream, const rule& rl, const response& r, bool skip_metadata) {
    if (rl.fault.kind == fault_kind::wrong_stream) stream = static_cast<std::int16_t>((stream + 16384) % 32768);
    const int version = rl.fault.kind == fault_kind::bad_version ? static_cast<int>(rl.fault.bytes) : 0;
    auto bytes = std::visit(
        [&](const auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, void_result>) {
                return frame(stream, pr::opcode::result, [](pr::byte_writer& w) { srv::encode_void_result(w); }, version);
            } else if constexpr (std::is_same_v<T, rows_result>) {
                return frame(stream, pr::opcode::result, [&](pr::byte_writer& w) {
                    srv::rows_header h;
                    h.columns = a.columns;
                    h.no_metadata = skip_metadata;
                    if (a.paging_state) h.paging_state = pr::as_bytes(*a.paging_state);
                    srv::begin_rows_result(w, h, static_cast<std::int32_t>(a.rows.size()));
                    for (const auto& row : a.rows)
                        for (const auto& cell : row) {
                            if (cell.is_null()) w.null_bytes();
                            else if (cell.is_unset()) w.unset_value();
                            else w.bytes(cell.bytes());
                        }
                }, version);
            } else {
                return frame(stream, pr::opcode::error, [&](pr::byte_writer& w) { srv::encode_error(w, a, version_); },
                             version);
            }
        },
        r);
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
    std::error_code ec;
    try {
        co_await t.async_wait(use_awaitable);
    } catch (const std::system_error& e) {
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

void sim_connection::send(pr::byte_buffer bytes, bool close_after) {
    if (closed_ || muted_) return;
    outbox_.emplace_back(std::move(bytes), close_after);
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(st_->ex, write_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> sim_connection::write_loop(std::shared_ptr<sim_connection> self) {
    try {
        while (!self->outbox_.empty() && !self->closed_) {
            auto [bytes, close_after] = std::move(self->outbox_.front());
            self->outbox_.pop_front();
            co_await asio::async_write(self->socket_, asio::buffer(bytes), use_awaitable);
            if (close_after) self->close();
        }
    } catch (const std::exception&) {
        self->close();
    }
    self->writing_ = false;
}

}  // namespace cql_sim

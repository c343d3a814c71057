#include "session/execute.hpp"

#include "cluster/murmur3.hpp"
#include "cluster/routing_key.hpp"

#include <async_cassandra/statement.hpp>

#include <array>

namespace async_cassandra::detail {

protocol::value_ref value_ref_of(const encoded_value& v) noexcept {
    switch (v.get_kind()) {
        case encoded_value::kind::bytes: return protocol::value_ref::of(v.bytes());
        case encoded_value::kind::null: return protocol::value_ref::null();
        case encoded_value::kind::unset: break;
    }
    return protocol::value_ref::unset();
}

std::vector<protocol::value_ref> value_refs(const std::vector<encoded_value>& values) {
    std::vector<protocol::value_ref> refs;
    refs.reserve(values.size());
    for (const auto& v : values) refs.push_back(value_ref_of(v));
    return refs;
}

error_code request_keyspace(const request_options& o, const session_impl& s, int version, std::string_view& keyspace,
                            diagnostics& diag) {
    keyspace = o.keyspace.empty() ? s.keyspace() : o.keyspace;
    if (version < 5 && keyspace != s.keyspace()) {
        diag.assign("keyspace '" + o.keyspace + "' differs from the session's ('" + s.keyspace() +
                    "'): protocol v4 cannot name a keyspace per request; open a session in it, or qualify the "
                    "table names");
        return client_errc::invalid_request;
    }
    return {};
}

error_code fill_parameters(const request_options& o, session_impl& s, const attempt_context& ctx, bool with_keyspace,
                           protocol::query_parameters& p, diagnostics& diag) {
    const int version = ctx.conn.protocol_version();
    if (with_keyspace) {
        std::string_view keyspace;
        if (auto ec = request_keyspace(o, s, version, keyspace, diag)) return ec;
        if (version >= 5) p.keyspace = keyspace;
    }
    const auto& cfg = s.cluster().config();
    p.consistency_level = ctx.consistency_level;
    p.serial_consistency = ctx.serial_consistency_level;
    p.page_size = o.page_size.value_or(cfg.default_page_size);
    if (o.paging_state) p.paging_state = protocol::as_bytes(*o.paging_state);
    p.default_timestamp = ctx.timestamp;
    p.now_in_seconds = o.now_in_seconds;
    return {};
}

namespace {
// Protocol v4: USE `keyspace` on `conn`, so that its requests run there.
asio::awaitable<error_code> bind_keyspace(session_impl* session, connection& conn, const std::string& keyspace,
                                          std::chrono::milliseconds timeout, diagnostics& diag) {
    const std::string cql = "USE \"" + keyspace + "\"";
    const int version = conn.protocol_version();
    auto use = [&](protocol::byte_writer& w) {
        protocol::query_parameters p;
        p.consistency_level = consistency::one;
        protocol::encode_query(w, cql, p, version);
    };
    auto r = co_await send_attempt(conn, protocol::opcode::query, use, timeout, 0, session);
    if (r.ec) {
        diag.assign(
            "binding the connection to keyspace '" + keyspace +
                "' (protocol v4 has no per-request keyspace): " + (r.message.empty() ? r.ec.message() : r.message),
            conn.endpoint());
        co_return r.ec;
    }
    if (auto ec = expect_result(conn, r.response, diag)) co_return ec;
    conn.set_bound_keyspace(keyspace);
    co_return error_code{};
}
}  // namespace

asio::awaitable<error_code> send(session_impl* session, connection& conn, protocol::opcode op, const request_options* o,
                                 std::chrono::milliseconds timeout, body_writer write_message,
                                 protocol::envelope& response, diagnostics& diag, std::string_view keyspace) {
    if (conn.protocol_version() < 5) {
        if (keyspace.empty() && session) keyspace = session->keyspace();
        if (!conn.bound_to(keyspace))
            if (auto ec = co_await bind_keyspace(session, conn, std::string(keyspace), timeout, diag)) co_return ec;
    }
    const std::uint8_t flags = request_flags(o);
    // The connection reports only the kind of an encoding failure; keep its words.
    std::string encode_error;
    auto body = [&](protocol::byte_writer& w) {
        try {
            if (flags & protocol::frame_flags::custom_payload) protocol::encode_custom_payload(w, o->payload);
            write_message(w);
        } catch (const protocol::protocol_error& e) {
            encode_error = e.what();
            throw;
        }
    };
    auto r = co_await send_attempt(conn, op, body, timeout, flags, session);
    if (!r.ec) {
        response = std::move(r.response);
        co_return error_code{};
    }
    if (!encode_error.empty())
        diag.assign(std::move(encode_error), conn.endpoint());
    else
        diag.assign(r.message.empty() ? r.ec.message() : std::move(r.message), conn.endpoint());
    co_return r.ec;
}

error_code expect_result(const connection& conn, const protocol::envelope& env, diagnostics& diag) {
    using protocol::opcode;
    if (env.header.opcode == opcode::result) return {};
    if (env.header.opcode != opcode::error) {
        diag.assign(std::string("server answered with ") + protocol::to_string(env.header.opcode) +
                        " where a RESULT was expected",
                    conn.endpoint());
        return client_errc::unexpected_response;
    }
    try {
        protocol::byte_reader r(env.body);
        (void)protocol::decode_response_prefix(r, env.header.flags);
        auto e = protocol::decode_error(r, conn.protocol_version());
        server_error_details d{e.consistency_level,
                               e.received,
                               e.block_for,
                               e.alive,
                               e.required,
                               e.num_failures,
                               e.data_present,
                               std::move(e.write_type),
                               std::move(e.reason_map),
                               std::move(e.keyspace),
                               std::move(e.table),
                               std::move(e.function),
                               std::move(e.arg_types),
                               std::move(e.unprepared_id),
                               e.contentions};
        diag.assign_server(std::move(e.message), conn.endpoint(), std::move(d));
        return server_error_code(e.code);
    } catch (const protocol::protocol_error& e) {
        diag.assign(std::string("malformed ERROR: ") + e.what(), conn.endpoint());
        return client_errc::protocol_violation;
    }
}

asio::awaitable<error_code> exchange(session_impl& s, const attempt_context& ctx, protocol::opcode op,
                                     const request_options& o, body_writer write_message,
                                     std::shared_ptr<const std::vector<column_spec>> prepared_columns, result_set& out,
                                     diagnostics& diag) {
    auto& conn = ctx.conn;
    protocol::envelope env;
    if (auto ec = co_await send(&s, conn, op, &o, ctx.timeout, write_message, env, diag)) co_return ec;
    if (auto ec = expect_result(conn, env, diag)) co_return ec;
    try {
        out = result_set::from_body(std::move(env.body), env.header.flags, conn.protocol_version(),
                                    std::move(prepared_columns));
        // A USE of the user's own moved this v4 connection: the next request knows.
        if (out.kind() == result_kind::set_keyspace && conn.protocol_version() < 5)
            conn.set_bound_keyspace(out.keyspace());
    } catch (const protocol::protocol_error& e) {
        diag.assign(std::string("malformed response: ") + e.what(), conn.endpoint());
        co_return client_errc::protocol_violation;
    }
    co_return error_code{};
}

asio::awaitable<error_code> run_statement(session_impl& s, const statement& st, result_set& out, diagnostics& diag,
                                          request_probe* probe, prior_attempt* prior) {
    const auto values = value_refs(st.values());
    const std::vector<std::string_view> names(st.names().begin(), st.names().end());
    const auto& o = st.options();
    co_return co_await run_request(
        s, o, routing_of(s, st),
        [&](const attempt_context& ctx, result_set& res, diagnostics& d) -> asio::awaitable<error_code> {
            const int version = ctx.conn.protocol_version();
            protocol::query_parameters p;
            if (auto ec = fill_parameters(o, s, ctx, true, p, d)) co_return ec;
            p.values = values;
            p.names = names;
            co_return co_await exchange(
                s, ctx, protocol::opcode::query, o,
                [&](protocol::byte_writer& w) { protocol::encode_query(w, st.query(), p, version); }, nullptr, res, d);
        },
        out, diag, probe, prior);
}

routing_input routing_of(const session_impl& s, const statement& st) {
    const auto& o = st.options();
    routing_input where;
    where.keyspace = o.keyspace.empty() ? std::string_view(s.keyspace()) : std::string_view(o.keyspace);
    if (o.routing_key) where.token = murmur3_token(*o.routing_key);
    return where;
}

routing_input routing_of(const prepared_data& data, const bound_statement& st) {
    const auto& o = st.options();
    routing_input where;
    const auto& markers = data.variables();
    where.keyspace = !markers.empty() ? std::string_view(markers.front().keyspace) : std::string_view(data.keyspace);
    where.token = o.routing_key ? std::optional<std::int64_t>(murmur3_token(*o.routing_key))
                                : bound_token(data, st.values());
    return where;
}

std::optional<std::int64_t> bound_token(const prepared_data& data, const std::vector<encoded_value>& values) {
    const auto& pk = data.pk_indexes();
    if (pk.empty()) return std::nullopt;
    std::array<key_component, 16> parts;
    if (pk.size() > parts.size()) return std::nullopt;
    for (std::size_t i = 0; i < pk.size(); ++i) {
        const auto idx = pk[i];
        if (idx >= values.size() || values[idx].get_kind() != encoded_value::kind::bytes) return std::nullopt;
        parts[i] = values[idx].bytes();
    }
    return routing_token(std::span<const key_component>(parts.data(), pk.size()));
}

}  // namespace async_cassandra::detail

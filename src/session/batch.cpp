// BATCH of simple and bound statements, re-preparing on UNPREPARED.
#include "session/execute.hpp"

#include <async_cassandra/session.hpp>

#include <algorithm>

namespace async_cassandra {

batch& batch::add(statement st) {
    if (!st.names().empty())
        throw value_error("batch::add: named values cannot go in a batch (CASSANDRA-10246); bind by position: " +
                          st.query());
    entries_.emplace_back(std::move(st));
    return *this;
}

namespace detail {

namespace {

// Re-prepares the bound statements the server no longer knows: those with
// the id the UNPREPARED names, or all of them when it names none we sent.
// Each statement is re-prepared at most once per batch execution (in
// `refreshed`), so retrying while this makes progress ends. Sets `progress`
// when it re-prepared anything.
asio::awaitable<error_code> reprepare_for(session_impl& s, connection& conn, const batch& b,
                                          const std::vector<const prepared_state*>& sent,
                                          std::chrono::milliseconds timeout,
                                          std::vector<const prepared_data*>& refreshed, bool& progress,
                                          diagnostics& diag) {
    progress = false;
    // A copy: diag is reused below.
    const std::string unprepared = diag.server_details() ? diag.server_details()->unprepared_id : std::string();
    auto named = [&](std::size_t i) {
        return sent[i] && std::ranges::equal(sent[i]->id, protocol::as_bytes(unprepared));
    };
    bool any = false;
    for (std::size_t i = 0; i < sent.size(); ++i) any = any || named(i);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        if (!sent[i] || (any && !named(i))) continue;
        const auto& data = std::get<bound_statement>(b.entries()[i]).prepared().data();
        if (std::ranges::find(refreshed, data.get()) != refreshed.end()) continue;
        refreshed.push_back(data.get());
        if (auto ec = co_await reprepare_on(s.cluster(), conn, *data, timeout, diag)) co_return ec;
        progress = true;
    }
    co_return error_code{};
}

// Token-aware routing follows the first bound statement whose key is known.
routing_input batch_routing(const batch& b, const session_impl& s) {
    routing_input where;
    where.keyspace = b.options().keyspace.empty() ? std::string_view(s.keyspace())
                                                  : std::string_view(b.options().keyspace);
    for (const auto& e : b.entries()) {
        const auto* bound = std::get_if<bound_statement>(&e);
        if (!bound || !bound->prepared().data()) continue;
        const auto& data = *bound->prepared().data();
        if (auto t = bound_token(data, bound->values())) {
            where.token = t;
            if (!data.variables().empty()) where.keyspace = data.variables().front().keyspace;
            break;
        }
    }
    return where;
}

asio::awaitable<error_code> run_batch(session_impl& s, const batch& b, result_set& out, diagnostics& diag,
                                      request_probe* probe) {
    if (b.empty()) {
        diag.assign("an empty batch");
        co_return make_error_code(client_errc::invalid_request);
    }
    std::vector<std::vector<protocol::value_ref>> values;
    values.reserve(b.size());
    for (const auto& e : b.entries())
        values.push_back(std::visit([](const auto& st) { return value_refs(st.values()); }, e));
    auto where = batch_routing(b, s);
    co_return co_await run_request(
        s, b.options(), where,
        [&](const attempt_context& ctx, result_set& res, diagnostics& d) -> asio::awaitable<error_code> {
            std::vector<const prepared_data*> refreshed;
            const int version = ctx.conn.protocol_version();
            for (;;) {
                protocol::query_parameters q;  // the options a batch shares with a query
                if (auto ec = fill_parameters(b.options(), s, ctx, true, q, d)) co_return ec;
                // The prepared state each bound statement is sent with.
                std::vector<const prepared_state*> sent(b.size());
                std::vector<protocol::batch_statement> statements(b.size());
                for (std::size_t i = 0; i < b.size(); ++i) {
                    auto& out_st = statements[i];
                    out_st.values = values[i];
                    if (const auto* simple = std::get_if<statement>(&b.entries()[i])) {
                        out_st.query = simple->query();
                    } else {
                        sent[i] = &std::get<bound_statement>(b.entries()[i]).prepared().data()->state.get();
                        out_st.prepared = true;
                        out_st.id = sent[i]->id;
                    }
                }
                protocol::batch_parameters p;
                p.type = b.type();
                p.statements = statements;
                p.consistency_level = q.consistency_level;
                p.serial_consistency = q.serial_consistency;
                p.default_timestamp = q.default_timestamp;
                p.now_in_seconds = q.now_in_seconds;
                p.keyspace = q.keyspace;
                auto ec = co_await exchange(
                    s, ctx, protocol::opcode::batch, b.options(),
                    [&](protocol::byte_writer& w) { protocol::encode_batch(w, p, version); }, nullptr, res, d);
                if (ec == server_errc::unprepared) {
                    bool progress = false;
                    if (auto e = co_await reprepare_for(s, ctx.conn, b, sent, ctx.timeout, refreshed, progress, d))
                        co_return e;
                    if (progress) continue;
                }
                co_return ec;
            }
        },
        out, diag, probe);
}

}  // namespace

asio::awaitable<op_result<result_set>> execute_batch_op(std::shared_ptr<session_impl> s, batch b, diagnostics* diag) {
    // A batch has no one query text to show.
    co_return co_await run_operation<result_set>(
        std::move(s), std::string_view{}, diag,
        [&b](session_impl& si, result_set& out, diagnostics& d, request_probe* probe) {
            return run_batch(si, b, out, d, probe);
        });
}

}  // namespace detail

asio::awaitable<result_set> session::execute(batch b) {
    co_return co_await detail::or_throw<result_set>(
        [&](diagnostics& d, auto token) { return async_execute(std::move(b), d, std::move(token)); });
}

}  // namespace async_cassandra

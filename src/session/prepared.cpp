// PREPARE shared through the cluster's cache, and EXECUTE of bound statements
// with skip_metadata, result metadata tracking and re-prepare on UNPREPARED.
#include "session/execute.hpp"

#include "cluster/murmur3.hpp"
#include "cluster/prepare_on_hosts.hpp"
#include "cluster/run_on.hpp"

#include <async_cassandra/session.hpp>

#include <asio/co_spawn.hpp>

namespace async_cassandra {

namespace detail {

// The bind markers are part of the state: bind() and requests on other
// threads read the current one without a lock, so nothing is written in place.
void adopt(prepared_data& to, const prepared_data& from) {
    if (&to == &from) return;
    to.state.adopt(from.state);
}

namespace {

// Reads a RESULT Prepared into fresh data for (query, keyspace).
error_code read_prepared(const connection& conn, const protocol::envelope& env, const prepared_cache::key& k,
                         std::shared_ptr<prepared_data>& out, diagnostics& diag) {
    if (auto ec = expect_result(conn, env, diag)) return ec;
    try {
        protocol::byte_reader r(env.body);
        (void)protocol::decode_response_prefix(r, env.header.flags);
        if (protocol::decode_result_kind(r) != protocol::result_kind::prepared) {
            diag.assign("PREPARE was answered with a RESULT that is not Prepared", conn.endpoint());
            return client_errc::unexpected_response;
        }
        auto p = protocol::decode_prepared(r, conn.protocol_version());
        auto state = std::make_shared<prepared_state>();
        state->id.assign(p.id.begin(), p.id.end());
        if (p.result_metadata_id)
            state->result_metadata_id.assign(p.result_metadata_id->begin(), p.result_metadata_id->end());
        state->result_columns = std::make_shared<const std::vector<column_spec>>(std::move(p.result_metadata.columns));
        out = std::make_shared<prepared_data>(k.first, k.second, std::move(p.variables.columns),
                                              std::move(p.variables.pk_indexes), std::move(state));
        return {};
    } catch (const protocol::protocol_error& e) {
        diag.assign(std::string("malformed PREPARE answer: ") + e.what(), conn.endpoint());
        return client_errc::protocol_violation;
    }
}


// The one PREPARE of a flight. Detached from every caller, so that one
// caller's cancellation does not fail the others.
asio::awaitable<void> run_prepare(std::shared_ptr<cluster_impl> cl, prepared_cache::key k,
                                  std::shared_ptr<prepared_cache::flight> f, std::chrono::milliseconds timeout) {
    auto& cache = cl->prepared();
    try {
        auto conn = co_await cl->routing().acquire(f->ec, f->diag);
        if (conn) {
            const int version = conn->protocol_version();
            count_prepared(*cl, &prepared_cache_stats::prepare_requests);
            protocol::envelope env;
            // v4 prepares in the connection's keyspace: send() binds it with a USE.
            const std::string_view keyspace = version >= 5 ? std::string_view(k.second) : std::string_view();
            f->ec = co_await send(
                nullptr, *conn, protocol::opcode::prepare, nullptr, timeout,
                [&](protocol::byte_writer& w) { protocol::encode_prepare(w, k.first, keyspace, version); }, env,
                f->diag, k.second);
            if (!f->ec) f->ec = read_prepared(*conn, env, k, f->result, f->diag);
            if (!f->ec && cl->config().prepare_on_all_hosts)
                (void)co_await prepare_on_other_hosts(*cl, k, conn.get(), timeout);
        }
        // A statement already cached keeps its identity: its handles see the new answer.
        if (!f->ec) {
            if (auto cached = cache.find(k)) {
                adopt(*cached, *f->result);
                f->result = std::move(cached);
            }
        }
    } catch (const std::exception& e) {
        f->ec = client_errc::internal_error;
        f->diag.assign(std::string("PREPARE failed: ") + e.what());
    }
    auto lock = cl->routing().snapshot_write_lock();  // the cache's size, which prepared_stats() reads
    cache.finish(k, f);
}

}  // namespace

asio::awaitable<error_code> prepare_shared(cluster_impl& cl, const std::string& query, const std::string& keyspace,
                                           std::chrono::milliseconds timeout, std::shared_ptr<prepared_data> refresh,
                                           std::shared_ptr<prepared_data>& out, diagnostics& diag) {
    auto& cache = cl.prepared();
    prepared_cache::key k{query, keyspace};
    if (refresh) {
        count_prepared(cl, &prepared_cache_stats::reprepares);
    } else if (auto hit = cache.find(k)) {
        count_prepared(cl, &prepared_cache_stats::hits);
        out = std::move(hit);
        co_return error_code{};
    }
    auto f = cache.in_flight(k);
    if (f) {
        count_prepared(cl, &prepared_cache_stats::shared_waits);
    } else {
        f = cache.begin(k, cl.runtime().executor());
        asio::co_spawn(cl.runtime().executor(), run_prepare(cl.shared_from_this(), k, f, timeout),
                       cl.guard("a shared PREPARE"));
    }
    if (!f->finished) {
        error_code ignored;
        co_await f->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (!f->finished) {  // this caller was cancelled; the PREPARE goes on for the others
        diag.assign("cancelled");
        co_return make_error_code(asio::error::operation_aborted);
    }
    if (f->ec) {
        diag = f->diag;
        co_return f->ec;
    }
    if (refresh) {
        adopt(*refresh, *f->result);
        out = std::move(refresh);
    } else {
        out = f->result;
    }
    co_return error_code{};
}

asio::awaitable<error_code> reprepare_on(cluster_impl& cl, connection& conn, prepared_data& data,
                                         std::chrono::milliseconds timeout, diagnostics& diag) {
    count_prepared(cl, &prepared_cache_stats::reprepares);
    count_prepared(cl, &prepared_cache_stats::prepare_requests);
    const int version = conn.protocol_version();
    const std::string_view keyspace = version >= 5 ? std::string_view(data.keyspace) : std::string_view();
    protocol::envelope env;
    if (auto ec = co_await send(
            nullptr, conn, protocol::opcode::prepare, nullptr, timeout,
            [&](protocol::byte_writer& w) { protocol::encode_prepare(w, data.query, keyspace, version); }, env, diag,
            data.keyspace))
        co_return ec;
    std::shared_ptr<prepared_data> fresh;
    if (auto ec = read_prepared(conn, env, {data.query, data.keyspace}, fresh, diag)) co_return ec;
    adopt(data, *fresh);
    co_return error_code{};
}

namespace {

// Threaded, the cache lives on the cluster's strand: the shared PREPARE runs there.
asio::awaitable<op_result<std::shared_ptr<prepared_data>>> prepare_there(std::shared_ptr<cluster_impl> cl,
                                                                         std::string query, std::string keyspace,
                                                                         std::chrono::milliseconds timeout,
                                                                         diagnostics* diag) {
    op_result<std::shared_ptr<prepared_data>> r;
    r.first = co_await prepare_shared(*cl, query, keyspace, timeout, nullptr, r.second, *diag);
    co_return r;
}
asio::awaitable<error_code> run_prepare_statement(session_impl& s, const statement& st, prepared_statement& out,
                                                  diagnostics& diag) {
    if (!st.values().empty()) {
        diag.assign("prepare: the statement has values; bind them to the prepared statement instead");
        co_return make_error_code(client_errc::invalid_request);
    }
    auto& cl = s.cluster();
    std::string_view keyspace;
    if (auto ec = request_keyspace(st.options(), s, cl.control().protocol_version(), keyspace, diag)) co_return ec;
    // The statement's timeout, else its profile's, else the cluster's.
    resolved_options r;
    if (auto ec = resolve_options(cl, st.options(), r, diag)) co_return ec;
    const auto timeout = r.timeout;
    // The prepared cache is the cluster's: on its executor.
    auto op = [c = cl.shared_from_this(), q = st.query(), k = std::string(keyspace), timeout, d = &diag] {
        return prepare_there(c, q, k, timeout, d);
    };
    auto [ec, data] = co_await run_on<std::shared_ptr<prepared_data>>(cl.runtime().executor(), op);
    if (!ec) out = prepared_statement(std::move(data), std::make_shared<const request_options>(st.options()));
    co_return ec;
}

}  // namespace

void note_new_metadata(prepared_data& d, const prepared_state& sent, const result_set& rs) {
    if (!rs.new_metadata_id()) return;
    // Requests in flight with the old id each learn the new one: publish it once.
    if (std::ranges::equal(d.state.get().result_metadata_id, *rs.new_metadata_id())) return;
    auto next = std::make_shared<prepared_state>();
    next->variables = sent.variables;
    next->pk_indexes = sent.pk_indexes;
    next->id = sent.id;
    next->result_metadata_id = *rs.new_metadata_id();
    next->result_columns = rs.shared_columns();
    d.state.publish(std::move(next));
}

namespace {
// What is left until `deadline` (0 once past).
std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(0));
}
}  // namespace

asio::awaitable<error_code> run_bound(session_impl& s, const bound_statement& st, result_set& out, diagnostics& diag,
                                      request_probe* probe, prior_attempt* prior) {
    const auto& data = st.prepared().data();
    if (!data) {
        diag.assign("execute of a bound statement from an empty prepared_statement");
        co_return make_error_code(client_errc::invalid_request);
    }
    const auto values = value_refs(st.values());
    const auto& o = st.options();
    co_return co_await run_request(
        s, o, routing_of(*data, st),
        [&](const attempt_context& ctx, result_set& res, diagnostics& d) -> asio::awaitable<error_code> {
            const int version = ctx.conn.protocol_version();
            bool reprepare = ctx.reprepare_first;
            // The re-prepare and the EXECUTE after it share the attempt's one deadline.
            const auto deadline = std::chrono::steady_clock::now() + ctx.timeout;
            attempt_context here = ctx;
            for (int attempt = reprepare ? 1 : 0;; ++attempt) {
                if (std::exchange(reprepare, false)) {
                    // This host does not know the statement (restarted, or never asked): prepare it there.
                    if (auto ec = co_await reprepare_on(s.cluster(), ctx.conn, *data, time_left(deadline), d))
                        co_return ec;
                    here.timeout = time_left(deadline);
                    if (here.timeout.count() <= 0) {
                        d.assign("no time left of the request's " + std::to_string(ctx.timeout.count()) +
                                     " ms to send the EXECUTE again after re-preparing on " + ctx.conn.endpoint(),
                                 ctx.conn.endpoint());
                        co_return make_error_code(client_errc::request_timeout);
                    }
                }
                protocol::query_parameters p;
                if (auto ec = fill_parameters(o, s, ctx, false, p, d)) co_return ec;
                p.values = values;
                // What this EXECUTE names, even if a re-prepare replaces it meanwhile (kept while data lives).
                const auto& state = data->state.get();
                p.skip_metadata = skip_metadata(state, version);
                auto ec = co_await exchange(
                    s, here, protocol::opcode::execute, o,
                    [&](protocol::byte_writer& w) {
                        protocol::encode_execute(w, state.id, state.result_metadata_id, p, version);
                    },
                    state.columns_here(), res, d);
                if (ec == server_errc::unprepared && attempt == 0) {
                    reprepare = true;
                    continue;
                }
                if (!ec) note_new_metadata(*data, state, res);
                co_return ec;
            }
        },
        out, diag, probe, prior);
}

asio::awaitable<op_result<prepared_statement>> prepare_op(std::shared_ptr<session_impl> s, statement st,
                                                          diagnostics* diag) {
    co_return co_await run_operation<prepared_statement>(
        std::move(s), std::string_view(st.query()), diag,
        [&st](session_impl& si, prepared_statement& out, diagnostics& d) {
            return run_prepare_statement(si, st, out, d);
        });
}

asio::awaitable<op_result<result_set>> execute_bound_op(std::shared_ptr<session_impl> s, bound_statement st,
                                                        diagnostics* diag) {
    const auto& data = st.prepared().data();
    const std::string_view query = data ? std::string_view(data->query) : std::string_view{};
    co_return co_await run_operation<result_set>(
        std::move(s), query, diag, [&st](session_impl& si, result_set& out, diagnostics& d, request_probe* probe) {
            return run_bound(si, st, out, d, probe, nullptr);
        });
}

}  // namespace detail

asio::awaitable<prepared_statement> session::prepare(statement st) {
    co_return co_await detail::or_throw<prepared_statement>(
        [&](diagnostics& d, auto token) { return async_prepare(std::move(st), d, std::move(token)); });
}

asio::awaitable<result_set> session::execute(bound_statement st) {
    co_return co_await detail::or_throw<result_set>(
        [&](diagnostics& d, auto token) { return async_execute(std::move(st), d, std::move(token)); });
}

}  // namespace async_cassandra

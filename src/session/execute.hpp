// What every kind of request a session runs shares: counting it for close(),
// resolving its options, sending it and reading the answer.
#pragma once

#include "session/attempts.hpp"
#include "session/diag_target.hpp"
#include "session/request.hpp"
#include "session/session_impl.hpp"
#include "metrics/probe.hpp"

#include <async_cassandra/detail/async_run.hpp>
#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/result_set.hpp>
#include <async_cassandra/statement.hpp>
#include <async_cassandra/statement_options.hpp>

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace async_cassandra::detail {

// Keeps the session's in-flight count right on every path out.
struct request_guard {
    session_impl& s;
    explicit request_guard(session_impl& si) : s(si) { s.begin_request(); }
    ~request_guard() { s.end_request(); }
    request_guard(const request_guard&) = delete;
    request_guard& operator=(const request_guard&) = delete;
};

// Runs `fn(session_impl&, T&, diagnostics&) -> awaitable<error_code>` as one
// request of the session: refused when the session is closed, counted until
// it ends. `diag_out` (may be null) receives the diagnostics.
// `query`: the CQL text the metrics and the request listener see (must
// outlive the request; empty when there is none, e.g. a batch); nullopt
// when the operation is not a user request of its own (a stream, whose
// pages are counted as they are fetched). An `fn` that also takes a
// request_probe* (null when nothing is recorded) passes it on to
// run_request, which reports the attempt that answered and reuses its clock
// readings; otherwise the request ends here.
template <class T, class Fn>
asio::awaitable<op_result<T>> run_operation(std::shared_ptr<session_impl> s, std::optional<std::string_view> query,
                                            diagnostics* diag_out, Fn fn) {
    diag_target target(diag_out);
    diagnostics& diag = target.get();
    op_result<T> out;
    if (!s) {
        diag.assign("the session is closed");
        out.first = client_errc::session_closed;
        co_return out;
    }
    request_probe probe(query ? s->cluster().metrics() : nullptr, query.value_or(std::string_view{}));
    if (s->closed()) {
        diag.assign("the session is closed");
        out.first = client_errc::session_closed;
        probe.finish(out.first);
        co_return out;
    }
    request_guard guard(*s);
    if constexpr (std::is_invocable_v<Fn&, session_impl&, T&, diagnostics&, request_probe*>)
        out.first = co_await fn(*s, out.second, diag, probe.active() ? &probe : nullptr);
    else
        out.first = co_await fn(*s, out.second, diag);
    probe.finish(out.first);  // nothing when run_request has finished it
    co_return out;
}

// The coroutine form of a session operation: `start(diag, token)` starts its
// async_ form; an error is thrown as the most specific exception class.
template <class T, class Start>
asio::awaitable<T> or_throw(Start start) {
    diagnostics diag;
    error_code ec;
    T out = co_await start(diag, asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return out;
}

// The envelope flags a request's options ask for (tracing, custom payload).
inline std::uint8_t request_flags(const request_options* o) noexcept {
    std::uint8_t flags = 0;
    if (o && o->tracing) flags |= protocol::frame_flags::tracing;
    if (o && !o->payload.empty()) flags |= protocol::frame_flags::custom_payload;
    return flags;
}

// An EXECUTE may skip the result metadata when the statement's columns are
// known: v5 only, since v4 has no result metadata id to tell us they changed
// (CASSANDRA-10786), so there the server sends them every time.
inline bool skip_metadata(const prepared_state& st, int version) noexcept {
    return version >= 5 && st.result_columns && !st.result_columns->empty();
}

// The encoder's view of encoded values; valid while `values` lives.
protocol::value_ref value_ref_of(const encoded_value& v) noexcept;
std::vector<protocol::value_ref> value_refs(const std::vector<encoded_value>& values);

// The keyspace a request runs in: its own, else the session's (a view of
// either). v4 cannot name one per request, so there a keyspace other than
// the session's is refused with invalid_request.
error_code request_keyspace(const request_options& o, const session_impl& s, int version, std::string_view& keyspace,
                            diagnostics& diag);

// Fills the fields of `p` the options decide (consistency, paging,
// timestamp, ...), with the cluster's defaults for those not set, and with
// `with_keyspace` the keyspace (request_keyspace; sent on v5 only). An
// EXECUTE has none: it runs where it was prepared.
// `ctx` brings the consistency levels the attempt runs at.
error_code fill_parameters(const request_options& o, session_impl& s, const attempt_context& ctx, bool with_keyspace,
                           protocol::query_parameters& p, diagnostics& diag);

// Sends one request of `session` (null for the cluster's own, such as a
// shared PREPARE) whose message `write_message` writes, with the tracing flag
// and custom payload of `o` (may be null). On success `response` is the
// answer (possibly an ERROR); otherwise the error says why nothing came back
// (request_timeout, connection_closed, operation_aborted, invalid_request
// or request_too_large when the request could not be encoded, ...).
// On protocol v4 a connection not yet bound to the keyspace the request
// runs in (`keyspace`, else the session's) is first bound with a USE.
asio::awaitable<error_code> send(session_impl* session, connection& conn, protocol::opcode op, const request_options* o,
                                 std::chrono::milliseconds timeout, body_writer write_message,
                                 protocol::envelope& response, diagnostics& diag, std::string_view keyspace = {});

// Checks that `env` is a RESULT; an ERROR becomes its server_errc with the
// details in diag, anything else unexpected_response.
error_code expect_result(const connection& conn, const protocol::envelope& env, diagnostics& diag);

// send() on ctx.conn within ctx.timeout, then the RESULT read into `out`
// (Rows without metadata with `prepared_columns`).
asio::awaitable<error_code> exchange(session_impl& s, const attempt_context& ctx, protocol::opcode op,
                                     const request_options& o, body_writer write_message,
                                     std::shared_ptr<const std::vector<column_spec>> prepared_columns, result_set& out,
                                     diagnostics& diag);

// Prepares (query, keyspace) with one PREPARE for all concurrent callers:
// answers from the cluster's cache, joins a PREPARE in flight, or starts one.
// With `refresh` (the server answered UNPREPARED for it) the cache is
// bypassed and refresh's state is updated with the new answer.
asio::awaitable<error_code> prepare_shared(cluster_impl& cl, const std::string& query, const std::string& keyspace,
                                           std::chrono::milliseconds timeout, std::shared_ptr<prepared_data> refresh,
                                           std::shared_ptr<prepared_data>& out, diagnostics& diag);

// Sends PREPARE for `data`'s statement on `conn` (which answered
// UNPREPARED for it) and updates `data` with the answer.
asio::awaitable<error_code> reprepare_on(cluster_impl& cl, connection& conn, prepared_data& data,
                                         std::chrono::milliseconds timeout, diagnostics& diag);

// The token of a bound statement's partition key, when every component is bound.
std::optional<std::int64_t> bound_token(const prepared_data& data, const std::vector<encoded_value>& values);

// Where a statement's data lives, for token-aware routing (views into the
// statement, its prepared data and the session).
routing_input routing_of(const session_impl& s, const statement& st);
routing_input routing_of(const prepared_data& data, const bound_statement& st);

// Runs a simple statement (QUERY); `probe` and `prior` as in run_request.
asio::awaitable<error_code> run_statement(session_impl& s, const statement& st, result_set& out, diagnostics& diag,
                                          request_probe* probe = nullptr, prior_attempt* prior = nullptr);

// Runs a bound prepared statement (EXECUTE), re-preparing on UNPREPARED.
asio::awaitable<error_code> run_bound(session_impl& s, const bound_statement& st, result_set& out, diagnostics& diag,
                                      request_probe* probe, prior_attempt* prior);

// The server changed the statement's result metadata (v5 metadata_changed):
// later executions send the new id and read rows with the new columns.
void note_new_metadata(prepared_data& d, const prepared_state& sent, const result_set& rs);

// What a newer PREPARE of the same statement found, into `to` (a re-prepare
// after a node restart or a schema change): its whole state, any thread.
void adopt(prepared_data& to, const prepared_data& from);

}  // namespace async_cassandra::detail

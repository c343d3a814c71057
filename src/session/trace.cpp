// Reading a request's trace from system_traces.
#include "session/execute.hpp"

#include <async_cassandra/session.hpp>

#include <asio/steady_timer.hpp>

#include <algorithm>

namespace async_cassandra {

namespace detail {

namespace {

// Traces are written with a replication factor of 2 and read where they are.
statement trace_query(const char* cql, const uuid& id) {
    statement st(cql);
    st.bind(id).set_consistency(consistency::one);
    return st;
}

void read_session_row(const row_view& row, query_trace& t) {
    t.request = row.get<std::optional<std::string>>("request").value_or("");
    t.command = row.get<std::optional<std::string>>("command").value_or("");
    t.coordinator = row.get<std::optional<inet_address>>("coordinator").value_or(inet_address{});
    t.client = row.get<std::optional<inet_address>>("client").value_or(inet_address{});
    t.duration = std::chrono::microseconds(row.get<std::int32_t>("duration"));
    t.started_at = row.get<std::optional<std::chrono::sys_time<std::chrono::milliseconds>>>("started_at")
                       .value_or(std::chrono::sys_time<std::chrono::milliseconds>{});
    t.parameters = row.get<std::map<std::string, std::string>>("parameters");
}

trace_event read_event(const row_view& row) {
    trace_event e;
    e.event_id = row.get<uuid>("event_id");
    e.activity = row.get<std::optional<std::string>>("activity").value_or("");
    e.source = row.get<std::optional<inet_address>>("source").value_or(inet_address{});
    e.source_elapsed_us = row.get<std::optional<std::int32_t>>("source_elapsed");
    e.thread = row.get<std::optional<std::string>>("thread").value_or("");
    return e;
}

asio::awaitable<error_code> run_get_trace(session_impl& s, uuid id, std::chrono::milliseconds max_wait,
                                          query_trace& out, diagnostics& diag) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + max_wait;
    std::chrono::milliseconds delay{2};
    asio::steady_timer timer(co_await asio::this_coro::executor);
    out.id = id;
    // The coordinator writes the session row when the request ends; duration
    // is set last, so a row with a duration is complete.
    for (;;) {
        result_set rs;
        const auto q = trace_query(
            "SELECT request, command, coordinator, client, duration, started_at, parameters "
            "FROM system_traces.sessions WHERE session_id = ?",
            id);
        if (auto ec = co_await run_statement(s, q, rs, diag)) co_return ec;
        if (!rs.empty() && !rs.first_row().is_null(rs.column_index("duration"))) {
            try {
                read_session_row(rs.first_row(), out);
            } catch (const value_error& e) {
                diag.assign(std::string("system_traces.sessions: ") + e.what());
                co_return make_error_code(client_errc::unexpected_response);
            }
            break;
        }
        if (clock::now() + delay > deadline) {
            diag.assign("the trace " + id.to_string() + " was not complete within " + std::to_string(max_wait.count()) +
                        " ms");
            co_return make_error_code(client_errc::request_timeout);
        }
        timer.expires_after(delay);
        error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            diag.assign("cancelled");
            co_return ec;
        }
        delay = std::min(delay * 2, std::chrono::milliseconds(100));
    }

    auto events = trace_query(
        "SELECT event_id, activity, source, source_elapsed, thread FROM system_traces.events WHERE session_id = ?", id);
    for (;;) {
        result_set rs;
        if (auto ec = co_await run_statement(s, events, rs, diag)) co_return ec;
        try {
            for (std::size_t i = 0; i < rs.size(); ++i) out.events.push_back(read_event(rs.row(i)));
        } catch (const value_error& e) {
            diag.assign(std::string("system_traces.events: ") + e.what());
            co_return make_error_code(client_errc::unexpected_response);
        }
        if (!rs.has_more_pages()) break;
        events.set_paging_state(*rs.paging_state());
    }
    co_return error_code{};
}

}  // namespace

asio::awaitable<op_result<query_trace>> get_trace_op(std::shared_ptr<session_impl> s, uuid id,
                                                     std::chrono::milliseconds max_wait, diagnostics* diag) {
    co_return co_await run_operation<query_trace>(std::move(s), std::string_view{}, diag,
                                                  [id, max_wait](session_impl& si, query_trace& out, diagnostics& d) {
                                                      return run_get_trace(si, id, max_wait, out, d);
                                                  });
}

}  // namespace detail

asio::awaitable<query_trace> session::get_trace(uuid tracing_id, std::chrono::milliseconds max_wait) {
    co_return co_await detail::or_throw<query_trace>(
        [&](diagnostics& d, auto token) { return async_get_trace(tracing_id, max_wait, d, std::move(token)); });
}

}  // namespace async_cassandra

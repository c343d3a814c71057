#include "session/request.hpp"
#include "session/session_impl.hpp"

#include <async_cassandra/session.hpp>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

namespace async_cassandra {

namespace detail {

asio::awaitable<void> session_impl::close() {
    closed_ = true;
    if (in_flight_ == 0) co_return;
    drained_.expires_at(asio::steady_timer::time_point::max());
    std::error_code ignored;
    co_await drained_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

namespace {
// Turns a response envelope into a result, or an error with its details.
std::error_code read_response(const connection& conn, protocol::envelope env, result_set& out, diagnostics& diag) {
    using protocol::opcode;
    try {
        switch (env.header.opcode) {
            case opcode::result:
                out = result_set::from_body(std::move(env.body), env.header.flags, conn.protocol_version());
                return {};
            case opcode::error: {
                protocol::byte_reader r(env.body);
                (void)protocol::decode_response_prefix(r, env.header.flags);
                auto e = protocol::decode_error(r, conn.protocol_version());
                server_error_details d{e.cl,         e.received,     e.block_for,  e.alive,
                                       e.required,   e.num_failures, e.data_present, std::move(e.write_type),
                                       std::move(e.reason_map), std::move(e.keyspace), std::move(e.table),
                                       std::move(e.function), std::move(e.arg_types), std::move(e.unprepared_id),
                                       e.contentions};
                diag.assign_server(std::move(e.message), conn.endpoint(), std::move(d));
                return server_error_code(e.code);
            }
            default:
                diag.assign(std::string("server answered with ") + protocol::to_string(env.header.opcode) +
                                " where a RESULT was expected",
                            conn.endpoint());
                return client_errc::unexpected_response;
        }
    } catch (const protocol::protocol_error& e) {
        diag.assign(std::string("malformed response: ") + e.what(), conn.endpoint());
        return client_errc::protocol_violation;
    }
}

// Keeps the session's in-flight count right on every path out.
struct request_guard {
    session_impl& s;
    explicit request_guard(session_impl& si) : s(si) { s.begin_request(); }
    ~request_guard() { s.end_request(); }
    request_guard(const request_guard&) = delete;
    request_guard& operator=(const request_guard&) = delete;
};
}  // namespace

asio::awaitable<op_result<result_set>> execute_op(std::shared_ptr<session_impl> s, statement st, diagnostics* diag_out) {
    diagnostics local;
    diagnostics& diag = diag_out ? *diag_out : local;
    diag.clear();
    op_result<result_set> out;
    if (!s || s->closed()) {
        diag.assign("the session is closed");
        out.first = client_errc::session_closed;
        co_return out;
    }
    request_guard guard(*s);
    auto& cl = s->cluster();
    auto conn = co_await cl.acquire(out.first, diag);
    if (!conn) co_return out;

    const auto& cfg = cl.config();
    std::vector<protocol::value_ref> values;
    values.reserve(st.values().size());
    for (const auto& v : st.values()) {
        switch (v.get_kind()) {
            case encoded_value::kind::bytes: values.push_back(protocol::value_ref::of(v.bytes())); break;
            case encoded_value::kind::null: values.push_back(protocol::value_ref::null()); break;
            case encoded_value::kind::unset: values.push_back(protocol::value_ref::unset()); break;
        }
    }
    protocol::query_parameters p;
    p.cl = st.get_consistency().value_or(cfg.default_consistency);
    p.values = values;
    p.page_size = st.page_size().value_or(cfg.default_page_size);
    if (st.paging_state()) p.paging_state = protocol::as_bytes(*st.paging_state());
    if (conn->protocol_version() >= 5) p.keyspace = s->keyspace();
    const int version = conn->protocol_version();

    auto timeout = st.timeout().value_or(cfg.request_timeout);
    auto r = co_await send_request(
        *conn, protocol::opcode::query,
        [&](protocol::byte_writer& w) { protocol::encode_query(w, st.query(), p, version); }, timeout);
    if (r.ec == client_errc::request_timeout) {
        diag.assign("no response from " + conn->endpoint() + " within " + std::to_string(timeout.count()) + " ms",
                    conn->endpoint());
        out.first = r.ec;
    } else if (r.ec == client_errc::request_too_large) {
        diag.assign("statement exceeds the protocol's size limits", conn->endpoint());
        out.first = r.ec;
    } else if (r.ec) {
        diag.assign(r.ec == asio::error::operation_aborted ? "cancelled"
                                                            : "connection to " + conn->endpoint() + " lost: " +
                                                                  conn->close_reason(),
                    conn->endpoint());
        out.first = r.ec;
    } else {
        out.first = read_response(*conn, std::move(r.response), out.second, diag);
    }
    co_return out;
}

}  // namespace detail

session::session(std::shared_ptr<detail::session_impl> impl) : impl_(std::move(impl)) {}
session::~session() = default;

session::executor_type session::get_executor() const {
    if (!impl_) throw error(client_errc::session_closed, [] {
        diagnostics d;
        d.assign("use of an empty (moved-from or default) session");
        return d;
    }());
    return impl_->cluster().executor();
}

asio::awaitable<result_set> session::execute(statement st) {
    diagnostics diag;
    std::error_code ec;
    auto rs = co_await async_execute(std::move(st), diag, asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return rs;
}

asio::awaitable<void> session::close() {
    if (impl_) co_await impl_->close();
}

}  // namespace async_cassandra

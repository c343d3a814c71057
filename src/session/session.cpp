#include "session/execute.hpp"
#include "session/session_impl.hpp"
#include "cluster/run_on.hpp"

#include <async_cassandra/session.hpp>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

namespace async_cassandra {

namespace detail {

asio::awaitable<op_result<result_set>> execute_op(std::shared_ptr<session_impl> s, statement st,
                                                  diagnostics* diag_out) {
    co_return co_await run_operation<result_set>(
        std::move(s), std::string_view(st.query()), diag_out,
        [&st](session_impl& si, result_set& out, diagnostics& diag, request_probe* probe) {
            return run_statement(si, st, out, diag, probe);
        });
}

void throw_empty_handle(std::string_view what) {
    diagnostics d;
    d.assign("use of an empty (moved-from or default) " + std::string(what));
    throw error(client_errc::session_closed, d);
}

}  // namespace detail

session::session(std::shared_ptr<detail::session_impl> impl) : impl_(std::move(impl)) {}
session::~session() = default;

const std::shared_ptr<detail::session_impl>& session::checked_impl() const {
    if (!impl_) detail::throw_empty_handle("session");
    return impl_;
}

session::executor_type session::get_executor() const {
    if (!impl_) detail::throw_empty_handle("session");
    // Threaded: the caller's shard, or the next one (spreads the requests).
    return impl_->cluster().runtime().request_executor();
}

asio::awaitable<result_set> session::execute(statement st) {
    diagnostics diag;
    error_code ec;
    auto rs = co_await async_execute(std::move(st), diag, asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return rs;
}

namespace detail {
asio::awaitable<op_result<void>> close_session_op(std::shared_ptr<session_impl> s) {
    co_await s->close();
    co_return op_result<void>{};
}
}  // namespace detail

session::executor_type session::owner_executor() const {
    if (!impl_) detail::throw_empty_handle("session");
    return impl_->cluster().runtime().executor();
}

asio::awaitable<void> session::close() {
    if (!impl_) co_return;
    // The session's state is the cluster's executor's: go there (run_on.hpp).
    auto op = [s = impl_] { return detail::close_session_op(s); };
    co_await detail::run_on<void>(impl_->cluster().runtime().executor(), op);
}

}  // namespace async_cassandra

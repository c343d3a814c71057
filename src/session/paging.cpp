// Results across pages: the page after a given one, and all pages at once
// (capped); the session's coroutine forms of those and of execute_stream.
#include "session/session_impl.hpp"

#include <async_cassandra/result_pages.hpp>
#include <async_cassandra/session.hpp>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace async_cassandra {

result_pages::result_pages(std::vector<result_set> pages, std::size_t max_rows) : pages_(std::move(pages)) {
    std::size_t total = 0;
    for (const auto& p : pages_) total += p.size();
    size_ = std::min(total, max_rows);
    truncated_ = total > max_rows || (total == max_rows && !pages_.empty() && pages_.back().has_more_pages());
}

row_view result_pages::row(std::size_t i) const {
    if (i >= size_)
        throw value_error("row " + std::to_string(i) + " out of range: the result has " + std::to_string(size_) +
                          " rows");
    for (const auto& p : pages_) {
        if (i < p.size()) return p.row(i);
        i -= p.size();
    }
    throw value_error("row out of range");  // not reached: size_ counts the pages' rows
}

const std::optional<std::string>& result_pages::paging_state() const noexcept {
    static const std::optional<std::string> none;
    return pages_.empty() ? none : pages_.back().paging_state();
}

namespace detail {

namespace {
void set_paging_state(paged_statement& st, std::string state) {
    std::visit([&](auto& x) { x.set_paging_state(std::move(state)); }, st);
}
}  // namespace

asio::awaitable<op_result<result_set>> execute_paged_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                        diagnostics* diag) {
    if (auto* simple = std::get_if<statement>(&st))
        co_return co_await execute_op(std::move(s), std::move(*simple), diag);
    co_return co_await execute_bound_op(std::move(s), std::move(std::get<bound_statement>(st)), diag);
}

asio::awaitable<op_result<result_set>> next_page_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                    std::optional<std::string> paging_state, diagnostics* diag) {
    if (!paging_state) {
        if (diag) diag->clear();
        co_return op_result<result_set>{};  // rs was the last page: an empty result, nothing sent
    }
    set_paging_state(st, std::move(*paging_state));
    co_return co_await execute_paged_op(std::move(s), std::move(st), diag);
}

asio::awaitable<op_result<result_pages>> all_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                std::size_t max_rows, diagnostics* diag) {
    op_result<result_pages> out;
    std::vector<result_set> pages;
    std::size_t rows = 0;
    for (;;) {
        // Each page's request inherits this coroutine's cancellation: once
        // cancelled, no further page is asked for.
        auto r = co_await execute_paged_op(s, st, diag);
        if (r.first) {
            out.first = r.first;
            co_return out;
        }
        rows += r.second.size();
        auto next = r.second.paging_state();
        pages.push_back(std::move(r.second));
        if (rows >= max_rows || !next) break;
        set_paging_state(st, std::move(*next));
    }
    out.second = result_pages(std::move(pages), max_rows);
    co_return out;
}

}  // namespace detail

namespace {
// The coroutine forms, for both kinds of statement: they throw.
template <class S>
asio::awaitable<result_set> next_page_of(session& self, S st, const result_set& rs) {
    diagnostics diag;
    error_code ec;
    auto page = co_await self.async_next_page(std::move(st), rs, diag, asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return page;
}
template <class S>
asio::awaitable<result_pages> all_of(session& self, S st, std::size_t max_rows) {
    diagnostics diag;
    error_code ec;
    auto pages = co_await self.async_all(std::move(st), max_rows, diag, asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return pages;
}
template <class S>
asio::awaitable<row_stream> stream_of(session& self, S st, stream_config cfg) {
    diagnostics diag;
    error_code ec;
    auto stream = co_await self.async_execute_stream(std::move(st), std::move(cfg), diag,
                                                     asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return stream;
}
}  // namespace

asio::awaitable<result_set> session::next_page(statement st, const result_set& rs) {
    return next_page_of(*this, std::move(st), rs);
}
asio::awaitable<result_set> session::next_page(bound_statement st, const result_set& rs) {
    return next_page_of(*this, std::move(st), rs);
}
asio::awaitable<result_pages> session::all(statement st, std::size_t max_rows) {
    return all_of(*this, std::move(st), max_rows);
}
asio::awaitable<result_pages> session::all(bound_statement st, std::size_t max_rows) {
    return all_of(*this, std::move(st), max_rows);
}
asio::awaitable<row_stream> session::execute_stream(statement st, stream_config cfg) {
    return stream_of(*this, std::move(st), std::move(cfg));
}
asio::awaitable<row_stream> session::execute_stream(bound_statement st, stream_config cfg) {
    return stream_of(*this, std::move(st), std::move(cfg));
}
asio::awaitable<row_stream> session::execute_stream(statement st) {
    stream_config cfg;
    return stream_of(*this, std::move(st), std::move(cfg));
}
asio::awaitable<row_stream> session::execute_stream(bound_statement st) {
    stream_config cfg;
    return stream_of(*this, std::move(st), std::move(cfg));
}

session_stats session::stats() const { return impl_ ? impl_->stats() : session_stats{}; }

std::shared_ptr<metrics_registry> session::metrics() const {
    return impl_ ? impl_->cluster().metrics_shared() : nullptr;
}

}  // namespace async_cassandra

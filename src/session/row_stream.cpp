// row_stream: pages fetched one request at a time (each needs the previous
// page's paging state), at most `prefetch` ahead of the consumer.
#include "session/diag_target.hpp"
#include "session/execute.hpp"
#include "session/session_impl.hpp"
#include "cluster/run_on.hpp"

#include <async_cassandra/row_stream.hpp>
#include <async_cassandra/session.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <utility>

namespace async_cassandra {

namespace detail {

namespace {
// Row data of a page as the progress callback counts it: the cells with
// their 4-byte lengths. They lie back to back in the page's buffer, so the
// span from the first cell to the end of the last one is the answer; only
// null cells at either end (no pointer to start from) are counted one by one.
std::size_t page_bytes(const result_set& page) {
    const auto columns = page.columns().size();
    const auto cells = page.size() * columns;
    auto cell = [&](std::size_t i) { return page.row(i / columns).raw(i % columns); };
    const std::byte* first = nullptr;
    std::size_t nulls = 0;
    for (std::size_t i = 0; i < cells && !first; ++i) {
        if (auto c = cell(i))
            first = c->data() - 4;
        else
            ++nulls;
    }
    if (!first) return 4 * cells;
    const std::byte* end = nullptr;
    for (std::size_t i = cells; i-- > 0 && !end;) {
        if (auto c = cell(i))
            end = c->data() + c->size();
        else
            ++nulls;
    }
    return static_cast<std::size_t>(end - first) + 4 * nulls;
}

bool cancelled(asio::cancellation_type t, asio::cancellation_type which) {
    return (t & which) != asio::cancellation_type::none;
}

std::optional<std::string> paging_state_of(const paged_statement& st) {
    return std::visit([](const auto& x) { return x.paging_state(); }, st);
}
}  // namespace

// Lives as long as the row_stream or a fetch in flight, whichever is longer.
// Everything runs on the session's executor, except row_now() and
// should_yield(), which touch only the consumer's page, and the progress
// callbacks (after_advance, report_progress), which run on the consumer's:
// the consumer's calls go to the stream's executor for the rest
// (advance_here below), a hop when that is a shard (io_threads > 1).
class row_stream_impl : public std::enable_shared_from_this<row_stream_impl> {
public:
    row_stream_impl(std::shared_ptr<session_impl> s, paged_statement st, stream_config cfg)
        : session_(std::move(s)),
          st_(std::move(st)),
          cfg_(std::move(cfg)),
          next_state_(paging_state_of(st_)),
          delivered_state_(next_state_),
          ex_(session_->cluster().runtime().request_executor()),
          wake_(ex_, asio::steady_timer::time_point::max()),
          fetch_done_(ex_, asio::steady_timer::time_point::max()),
          deadline_(ex_) {}

    // The shard the stream was opened on (the cluster's executor when single-threaded).
    const asio::any_io_executor& executor() const { return ex_; }
    // The stream runs on a shard's loop, not on its consumer's (io_threads > 1).
    bool on_shard() const noexcept { return session_->cluster().runtime().threaded(); }

    // The fast path: the next row of the current page.
    std::optional<row_view> row_now() noexcept {
        if (error_ || cursor_ >= current_.size()) return std::nullopt;
        return row_view(current_, cursor_++);
    }

    // A consumer that never has to wait (its pages all arrive in time)
    // would keep the event loop to itself: every 64 rows it checks whether
    // it has run for a slice, and then lets other handlers run.
    bool should_yield() noexcept {
        if (++rows_since_check_ < 64) return false;
        rows_since_check_ = 0;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_suspend_.load(std::memory_order_relaxed) < slice) return false;
        last_suspend_.store(now, std::memory_order_relaxed);
        return true;
    }
    void note_suspend() noexcept { last_suspend_.store(std::chrono::steady_clock::now(), std::memory_order_relaxed); }

    // Waits for the first page (execute_stream).
    asio::awaitable<error_code> start(diagnostics& diag) {
        if (cfg_.timeout.count() > 0) {
            deadline_.expires_after(cfg_.timeout);
            deadline_.async_wait([w = weak_from_this()](error_code ec) {
                if (auto self = w.lock(); self && !ec) self->on_deadline();
            });
        }
        bool ended = false;
        co_return co_await wait_for_page(ended, diag);
    }

    // Drops the current page and makes the next one current, waiting for it
    // if need be; `ended` at the end of the stream. The caller then calls
    // after_advance on the consumer's executor.
    asio::awaitable<error_code> advance(bool& ended, diagnostics& diag) {
        current_ = result_set{};  // released before waiting: the memory bound counts on it
        cursor_ = 0;
        auto ec = co_await wait_for_page(ended, diag);
        if (ec || ended) co_return ec;
        deliver();
        co_return error_code{};
    }

    // On the consumer's executor, after advance() (which ran on the
    // stream's): the callback for the page just delivered is posted, with
    // its totals, to a strand of `consumer` (the first consumer's), so that
    // the callbacks run one at a time and in order even when that executor
    // has many threads. At the end it waits until every callback posted has
    // run: the consumer may drop the stream next.
    asio::awaitable<void> after_advance(error_code ec, bool ended, asio::any_io_executor consumer) {
        if (ec || !cfg_.on_progress) co_return;
        if (!progress_strand_) progress_strand_.emplace(std::move(consumer));
        if (ended) co_return co_await report_progress();
        // advance() is over: the stream does not change progress_ until the next one.
        asio::post(*progress_strand_, [w = weak_from_this(), p = progress_] {
            if (auto self = w.lock(); self && !self->released_.load(std::memory_order_relaxed))
                self->cfg_.on_progress(p);
        });
    }

    // Completes once every progress callback posted so far has run.
    asio::awaitable<void> report_progress() {
        if (progress_strand_) co_await asio::post(*progress_strand_, asio::use_awaitable);
    }

    // The row_stream is going: no progress callback starts from now on.
    void mark_released() noexcept { released_ = true; }

    result_set take_current() {
        cursor_ = 0;
        return std::exchange(current_, result_set{});
    }

    // The row_stream is gone: stop (mark_released() already ran).
    void release() {
        released_ = true;
        stop();
    }

    // close(), destruction, or terminal cancellation of the consumer: no
    // further page, the one in flight abandoned.
    void stop() {
        if (stopped_) return;
        stopped_ = true;
        ready_.clear();
        current_ = result_set{};
        cursor_ = 0;
        halt_fetching();
    }

    // The caller then reports the progress still due, on the consumer's executor.
    asio::awaitable<void> close() {
        stop();
        while (fetching_) {
            error_code ignored;
            co_await fetch_done_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) break;
        }
    }

    stream_progress progress() const noexcept { return progress_; }
    std::size_t pages_requested() const noexcept { return requested_; }
    const std::optional<std::string>& paging_state() const noexcept { return delivered_state_; }

private:
    bool fetch_allowed() const {
        return !fetching_ && !exhausted_ && !stopped_ && !error_ &&
               (cfg_.max_pages == 0 || requested_ < cfg_.max_pages);
    }

    // Starts the next page's request when the prefetch bound (or a waiting
    // consumer) allows it.
    void maybe_fetch() {
        if (!fetch_allowed()) return;
        if (ready_.size() < cfg_.prefetch || (consumer_waiting_ && ready_.empty())) start_fetch();
    }

    void start_fetch() {
        ++requested_;
        fetching_ = true;
        paged_statement st = st_;
        std::visit(
            [&](auto& x) {
                if (next_state_) x.set_paging_state(*next_state_);
                if (cfg_.page_size > 0) x.set_page_size(cfg_.page_size);
                if (cfg_.page_timeout.count() > 0) x.set_timeout(cfg_.page_timeout);
            },
            st);
        fetch_diag_.clear();
        asio::co_spawn(
            executor(), execute_paged_op(session_, std::move(st), &fetch_diag_),
            asio::bind_cancellation_slot(fetch_cancel_.slot(),
                                         [self = shared_from_this()](std::exception_ptr e, op_result<result_set> r) {
                                             if (e) r.first = client_errc::internal_error;
                                             self->on_fetched(r.first, std::move(r.second));
                                         }));
    }

    void on_fetched(error_code ec, result_set page) {
        fetching_ = false;
        fetch_done_.cancel();
        if (stopped_ || error_) return;  // abandoned
        if (ec) return fail(ec, fetch_diag_);
        next_state_ = page.paging_state();
        if (!next_state_ || (cfg_.max_pages != 0 && requested_ >= cfg_.max_pages)) {
            exhausted_ = true;
            deadline_.cancel();  // the last page has arrived in time
        }
        ready_.push_back(std::move(page));
        wake_consumer();
        maybe_fetch();
    }

    void on_deadline() {
        if (stopped_ || error_ || (exhausted_ && !fetching_)) return;
        diagnostics d;
        d.assign("the stream did not finish within " + std::to_string(cfg_.timeout.count()) +
                 " ms (stream_config::timeout)");
        fail(client_errc::request_timeout, d);
    }

    // The stream fails at the consumer's next call. The current page stays:
    // the consumer may still hold views into it.
    void fail(error_code ec, const diagnostics& d) {
        error_ = ec;
        error_diag_ = d;
        ready_.clear();
        halt_fetching();
    }

    void halt_fetching() {
        deadline_.cancel();
        if (fetching_) fetch_cancel_.emit(asio::cancellation_type::terminal);
        wake_consumer();
    }

    void wake_consumer() {
        woken_ = true;
        wake_.cancel();
    }

    // Waits until a page is ready, the stream failed, or it ended.
    asio::awaitable<error_code> wait_for_page(bool& ended, diagnostics& diag) {
        for (;;) {
            if (error_) {
                diag = error_diag_;
                co_return error_;
            }
            if (stopped_) {
                ended = true;
                co_return error_code{};
            }
            if (!ready_.empty()) co_return error_code{};
            consumer_waiting_ = true;
            maybe_fetch();
            if (!fetching_) {  // nothing left to fetch
                consumer_waiting_ = false;
                deadline_.cancel();
                ended = true;  // after_advance reports what is still due
                co_return error_code{};
            }
            woken_ = false;
            error_code ignored;
            co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            note_suspend();
            consumer_waiting_ = false;
            if (woken_) continue;
            // Not woken by the stream: the consumer's own cancellation.
            auto cs = co_await asio::this_coro::cancellation_state;
            const auto how = cs.cancelled();
            if (how == asio::cancellation_type::none) continue;
            diag.assign("cancelled");
            if (cancelled(how, asio::cancellation_type::terminal)) {
                diagnostics d;
                d.assign("cancelled: the stream was stopped by a terminal cancellation of next()");
                fail(asio::error::operation_aborted, d);
            }
            co_return asio::error::operation_aborted;
        }
    }

    // Hands the oldest ready page to the consumer and counts it.
    void deliver() {
        current_ = std::move(ready_.front());
        ready_.pop_front();
        cursor_ = 0;
        ++progress_.pages;
        progress_.rows += current_.size();
        progress_.bytes += page_bytes(current_);
        delivered_state_ = current_.paging_state();
        maybe_fetch();  // before the callback runs: its request goes out first
    }

    static constexpr std::chrono::microseconds slice{2000};

    std::shared_ptr<session_impl> session_;
    paged_statement st_;
    stream_config cfg_;
    result_set current_;  // the consumer's page
    std::size_t cursor_ = 0;
    unsigned rows_since_check_ = 0;
    // Atomic: note_suspend() runs on the session's strand, should_yield() on the consumer's.
    std::atomic<std::chrono::steady_clock::time_point> last_suspend_{std::chrono::steady_clock::now()};
    std::deque<result_set> ready_;                // received, not yet delivered
    std::optional<std::string> next_state_;       // for the next request
    std::optional<std::string> delivered_state_;  // resumes after the last delivered page
    bool fetching_ = false, exhausted_ = false, stopped_ = false;
    std::atomic<bool> released_{false};  // read by progress callbacks on the consumer's executor
    // Where the progress callbacks run: a strand of the first consumer's executor.
    std::optional<asio::strand<asio::any_io_executor>> progress_strand_;
    bool consumer_waiting_ = false, woken_ = false;
    std::size_t requested_ = 0;
    error_code error_;
    diagnostics error_diag_, fetch_diag_;
    stream_progress progress_;
    asio::any_io_executor ex_;
    asio::steady_timer wake_;        // the consumer waits here; cancelled to wake it
    asio::steady_timer fetch_done_;  // close() waits here for the abandoned fetch
    asio::steady_timer deadline_;    // stream_config::timeout
    asio::cancellation_signal fetch_cancel_;
};

asio::awaitable<op_result<row_stream>> execute_stream_op(std::shared_ptr<session_impl> s, paged_statement st,
                                                         stream_config cfg, diagnostics* diag_out) {
    auto session = s;  // the stream keeps its session
    // Not counted itself: each page it fetches is a request (execute_op).
    co_return co_await run_operation<row_stream>(
        std::move(s), std::nullopt, diag_out,
        [&](session_impl&, row_stream& out, diagnostics& diag) -> asio::awaitable<error_code> {
            auto impl = std::make_shared<row_stream_impl>(std::move(session), std::move(st), std::move(cfg));
            auto ec = co_await impl->start(diag);
            if (ec)
                impl->release();
            else
                out = row_stream(std::move(impl));
            co_return ec;
        });
}

namespace {

asio::awaitable<op_result<bool>> advance_op(std::shared_ptr<row_stream_impl> s, diagnostics* diag) {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    op_result<bool> out;  // second: ended
    out.first = co_await s->advance(out.second, *diag);
    co_return out;
}

// advance() for the consumer, on the stream's executor (run_on.hpp);
// the progress callbacks run on the consumer's.
asio::awaitable<error_code> advance_here(const std::shared_ptr<row_stream_impl>& impl, bool& ended, diagnostics& diag) {
    auto consumer = co_await asio::this_coro::executor;
    auto op = [impl, d = &diag] { return advance_op(impl, d); };
    auto r = co_await run_on<bool>(impl->executor(), op);
    ended = r.second;
    co_await impl->after_advance(r.first, ended, consumer);
    co_return r.first;
}

asio::awaitable<op_result<void>> stop_op(std::shared_ptr<row_stream_impl> s) {
    co_await s->close();
    co_return op_result<void>{};
}

asio::awaitable<void> close_here(const std::shared_ptr<row_stream_impl>& impl) {
    auto op = [impl] { return stop_op(impl); };
    co_await run_on<void>(impl->executor(), op);
    co_await impl->report_progress();
}

// The completion-token forms run on the stream's executor, which is then
// also where their progress callbacks run.
asio::awaitable<error_code> advance_on_stream(row_stream_impl& s, bool& ended, diagnostics& diag) {
    auto ec = co_await s.advance(ended, diag);
    co_await s.after_advance(ec, ended, co_await asio::this_coro::executor);
    co_return ec;
}

// Releases the stream on its executor. On the consumer's own loop
// (io_threads = 1) at once: that loop may have stopped by now.
void release_stream(std::shared_ptr<row_stream_impl> impl) {
    impl->mark_released();  // here, before the row_stream is gone: no callback starts after
    if (!impl->on_shard()) return impl->release();
    auto ex = impl->executor();
    asio::dispatch(ex, [impl = std::move(impl)] { impl->release(); });
}

}  // namespace

asio::awaitable<op_result<std::optional<row_view>>> stream_next_op(std::shared_ptr<row_stream_impl> s,
                                                                   diagnostics* diag_out) {
    diag_target target(diag_out);
    diagnostics& diag = target.get();
    op_result<std::optional<row_view>> out;
    if (!s) co_return out;
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    for (;;) {
        if ((out.second = s->row_now())) co_return out;
        bool ended = false;
        out.first = co_await advance_on_stream(*s, ended, diag);
        if (out.first || ended) co_return out;  // else a page: its first row, or on past an empty one
    }
}

asio::awaitable<op_result<std::optional<result_set>>> stream_next_page_op(std::shared_ptr<row_stream_impl> s,
                                                                          diagnostics* diag_out) {
    diag_target target(diag_out);
    diagnostics& diag = target.get();
    op_result<std::optional<result_set>> out;
    if (!s) co_return out;
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    bool ended = false;
    out.first = co_await advance_on_stream(*s, ended, diag);
    if (!out.first && !ended) out.second = s->take_current();
    co_return out;
}

asio::awaitable<op_result<void>> stream_close_op(std::shared_ptr<row_stream_impl> s) {
    if (!s) co_return op_result<void>{};
    co_await s->close();
    co_await s->report_progress();
    co_return op_result<void>{};
}

}  // namespace detail

row_stream::row_stream(std::shared_ptr<detail::row_stream_impl> impl) noexcept : impl_(std::move(impl)) {}

row_stream& row_stream::operator=(row_stream&& other) noexcept {
    if (this != &other) {
        if (impl_) detail::release_stream(std::move(impl_));
        impl_ = std::move(other.impl_);
    }
    return *this;
}

row_stream::~row_stream() {
    if (impl_) detail::release_stream(std::move(impl_));
}

asio::awaitable<std::optional<row_view>> row_stream::next() {
    if (!impl_) co_return std::nullopt;
    if (impl_->should_yield()) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    if (auto row = impl_->row_now()) co_return row;
    for (;;) {
        diagnostics diag;
        bool ended = false;
        auto ec = co_await detail::advance_here(impl_, ended, diag);
        throw_on_error(ec, diag);
        if (ended) co_return std::nullopt;
        if (auto row = impl_->row_now()) co_return row;  // else an empty page: on to the next
    }
}

asio::awaitable<std::optional<result_set>> row_stream::next_page() {
    if (!impl_) co_return std::nullopt;
    diagnostics diag;
    bool ended = false;
    auto ec = co_await detail::advance_here(impl_, ended, diag);
    throw_on_error(ec, diag);
    if (ended) co_return std::nullopt;
    co_return impl_->take_current();
}

asio::awaitable<void> row_stream::close() {
    if (impl_) co_await detail::close_here(impl_);
}

stream_progress row_stream::progress() const noexcept { return impl_ ? impl_->progress() : stream_progress{}; }
std::size_t row_stream::pages_requested() const noexcept { return impl_ ? impl_->pages_requested() : 0; }
std::optional<std::string> row_stream::paging_state() const {
    return impl_ ? impl_->paging_state() : std::optional<std::string>{};
}

asio::any_io_executor row_stream::get_executor() const {
    if (!impl_) detail::throw_empty_handle("row_stream");
    return impl_->executor();
}

}  // namespace async_cassandra

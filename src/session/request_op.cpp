// The direct path of session::async_execute: one request, one attempt, no
// coroutine. The state lives in the operation's block (request_op.hpp);
// it picks the host, encodes the message straight into the connection's
// write buffer, waits in the executor's timeout queue and the session's
// request list (intrusive: no allocation), and is completed by the
// connection's read loop. What is rare goes on as coroutines (attempts.cpp):
// a request the direct path cannot start (another thread's call,
// speculative executions, pools still opening) runs there from the start;
// after its one attempt, retries, UNPREPARED and schema agreement do.
//
// Lifetimes, borrowed for the request: the session (its handle is alive when
// the request starts; from send() on the shard's hold keeps it: one count per
// shard, not per request), the host and the connection (held from the plan: an attempt on a
// host removed meanwhile still ends). The prepared state is borrowed: a
// replaced one is kept while the statement's data lives, and the request
// holds the bound statement. The statement is the request's own (moved in).
#include "session/execute.hpp"

#include <async_cassandra/detail/request_op.hpp>
#include <async_cassandra/session.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>

#include <array>

namespace async_cassandra::detail {

namespace {

using clock = std::chrono::steady_clock;
using any_statement = std::variant<statement, bound_statement>;

// Values and names for the encoder, inline for up to 16 (no allocation).
class encoder_inputs {
public:
    explicit encoder_inputs(const std::vector<encoded_value>& values) {
        if (values.size() <= inline_.size()) {
            for (std::size_t i = 0; i < values.size(); ++i) inline_[i] = value_ref_of(values[i]);
            refs_ = {inline_.data(), values.size()};
        } else {
            heap_ = value_refs(values);
            refs_ = heap_;
        }
    }
    std::span<const protocol::value_ref> refs() const noexcept { return refs_; }

private:
    std::array<protocol::value_ref, 16> inline_{};
    std::vector<protocol::value_ref> heap_;
    std::span<const protocol::value_ref> refs_;
};

class request_state final : public connection::pending_base, public timeout_entry, public enlisted_request {
public:
    template <class Statement>
    request_state(request_op_base& op, session_impl& s, asio::any_io_executor ex, Statement&& st, diagnostics* diag)
        : op_(op),
          session_(&s),
          ex_(std::move(ex)),
          st_(std::in_place_type<Statement>, std::move(st)),
          user_diag_(diag) {}

    void start();

private:
    bool bound() const noexcept { return st_.index() == 1; }
    const request_options& options() const noexcept {
        return bound() ? std::get<1>(st_).options() : std::get<0>(st_).options();
    }
    const prepared_data* data() const noexcept { return bound() ? std::get<1>(st_).prepared().data().get() : nullptr; }

    // --- connection::pending_base ---
    void complete(error_code ec, protocol::envelope env, const asio::any_io_executor& where, bool deferred) override {
        if (!deferred) return on_answer(ec, std::move(env));
        // From inside a cancellation's emit, or from submit: later, here.
        asio::post(where, deferred_answer(this, ec));
    }
    // A posted answer; destroyed unrun (its executor shut down), it frees
    // the request as the connection would, rather than leaking it.
    class deferred_answer {
    public:
        deferred_answer(request_state* s, error_code ec) noexcept : s_(s), ec_(ec) {}
        deferred_answer(deferred_answer&& o) noexcept : s_(std::exchange(o.s_, nullptr)), ec_(o.ec_) {}
        deferred_answer& operator=(deferred_answer&&) = delete;
        ~deferred_answer() {
            if (s_) s_->destroy();
        }
        void operator()() { std::exchange(s_, nullptr)->on_answer(ec_, {}); }

    private:
        request_state* s_;
        error_code ec_;
    };
    asio::cancellation_slot cancellation_slot() const override { return signal_.slot(); }
    void destroy() noexcept override {
        leave();
        session_->end_request();
        auto& op = op_;
        auto* s = session_;
        const auto hold = hold_;
        this->~request_state();
        s->release(hold);  // may end the session: nothing of it is touched after
        op.destroy();
    }
    // --- timeout_entry ---
    void expire() override {
        timed_out_ = true;
        signal_.emit(asio::cancellation_type::terminal);
    }
    // --- enlisted_request ---
    void stop_by_session() override {
        closed_by_session_ = true;
        signal_.emit(asio::cancellation_type::terminal);
    }

    void send(clock::time_point now, const resolved_options& r);
    void on_answer(error_code ec, protocol::envelope env);
    // The first attempt's latency, for a policy that tracks it.
    void measured(error_code ec) const {
        session_->cluster().routing().report_latency(profile_, *host_, attempt_->start_time(), ec);
    }
    // Out of the timeout queue, the session's list and the caller's slot.
    void leave() noexcept;
    // Ends the request here; the state is gone afterwards.
    void finish(error_code ec, result_set rs, clock::time_point ended, bool deferred);
    // The direct path cannot take it: the coroutine path runs it whole.
    void run_elsewhere();
    // After the first attempt: retries, re-prepare, schema agreement.
    void go_on(error_code ec, result_set rs, clock::time_point ended);
    asio::awaitable<op_result<result_set>> continuation(prior_attempt prior, result_set first);

    request_op_base& op_;
    session_impl* session_;     // held by the shard's hold once sent (send()), else alive for the call
    std::size_t hold_ = 0;      // which shard's hold
    asio::any_io_executor ex_;  // the session's request executor, for the coroutine path
    any_statement st_;
    // Where the diagnostics go: the caller's, else one made on the first
    // error (a request that succeeds without the caller's needs none).
    diagnostics& diag() {
        if (user_diag_) return *user_diag_;
        if (!own_diag_) own_diag_ = std::make_unique<diagnostics>();
        return *own_diag_;
    }
    diagnostics* user_diag_;
    std::unique_ptr<diagnostics> own_diag_;
    std::optional<request_probe> probe_;
    std::optional<attempt_probe> attempt_;
    host_ptr host_;
    std::shared_ptr<connection> conn_;
    const prepared_state* prepared_ = nullptr;  // what the EXECUTE named (kept while the statement's data lives)
    mutable asio::cancellation_signal signal_;  // timeout, close() and the caller's cancellation
    timeout_queue* timeouts_ = nullptr;
    std::chrono::milliseconds timeout_{};
    const execution_profile* profile_ = nullptr;  // the request's, for its policies
    std::optional<std::int64_t> timestamp_;       // the request's write time, for its retries
    bool timed_out_ = false;
    bool closed_by_session_ = false;
    bool in_lists_ = false;
    std::string encode_error_;
};

static_assert(sizeof(request_state) <= request_state_size, "raise request_state_size in detail/request_op.hpp");
static_assert(alignof(request_state) <= alignof(std::max_align_t));

void request_state::start() {
    auto& s = *session_;
    auto& cl = s.cluster();
    // The direct path runs on the request's executor, where the
    // connection (here()) and the executor's timeout queue are.
    if (!cl.runtime().on_request_executor() || s.closed()) return run_elsewhere();
    const auto* d = data();
    if (bound() && !d) return run_elsewhere();  // its error is reported there
    const auto& o = options();
    resolved_options r;
    {
        diagnostics ignored;
        if (resolve_options(cl, o, r, ignored) || r.speculation) return run_elsewhere();
    }
    // The first host of the plan, when it has a connection here.
    const routing_input where = d ? routing_of(*d, std::get<1>(st_)) : routing_of(s, std::get<0>(st_));
    request_routing routing;
    routing.keyspace = where.keyspace;
    routing.token = where.token;
    routing.consistency_level = r.consistency_level;
    thread_local std::vector<host_ptr> plan;  // reused: no allocation per request
    plan.clear();                             // (a policy that threw may have left hosts in it)
    {
        // One hold of the routing lock for the plan and the connection.
        auto lock = cl.routing().snapshot_lock();
        if (where.token && !where.keyspace.empty())
            routing.replicas = cl.routing().replicas(where.keyspace, *where.token);
        cl.routing().plan(routing, r.profile, plan);
        if (!plan.empty()) {
            host_ = std::move(plan.front());
            plan.clear();
            conn_ = cl.routing().connection_to(*host_);
        }
    }
    if (!conn_ || !conn_->here()) return run_elsewhere();
    // v4: a connection not yet bound to the session's keyspace gets a USE first, there.
    if (conn_->protocol_version() < 5 && !conn_->bound_to(s.keyspace())) return run_elsewhere();
    send(clock::now(), r);
}

void request_state::send(clock::time_point now, const resolved_options& r) {
    auto& s = *session_;
    auto& cl = s.cluster();
    if (user_diag_) user_diag_->clear();
    const auto* d = data();
    probe_.emplace(cl.metrics(), d ? std::string_view(d->query) : std::string_view(std::get<0>(st_).query()), now);
    s.begin_request();
    hold_ = s.hold_here();  // released by finish() or destroy()
    timeout_ = r.timeout;
    profile_ = r.profile;

    const auto& o = options();
    attempt_context ctx{*conn_, r.timeout, r.consistency_level, r.serial_consistency_level, r.timestamp};
    timestamp_ = r.timestamp;
    protocol::query_parameters p;
    {
        diagnostics why;  // on the stack: written only on an error
        if (auto ec = fill_parameters(o, s, ctx, !d, p, why)) {
            diag() = std::move(why);
            return finish(ec, {}, now, true);
        }
    }
    const int version = conn_->protocol_version();
    const encoder_inputs values(bound() ? std::get<1>(st_).values() : std::get<0>(st_).values());
    p.values = values.refs();
    std::array<std::string_view, 16> names_inline;
    std::vector<std::string_view> names_heap;
    if (!d) {
        const auto& names = std::get<0>(st_).names();
        if (names.size() <= names_inline.size()) {
            std::copy(names.begin(), names.end(), names_inline.begin());
            p.names = {names_inline.data(), names.size()};
        } else {
            names_heap.assign(names.begin(), names.end());
            p.names = names_heap;
        }
    } else {
        // What this EXECUTE names, even if a re-prepare replaces it. Other
        // shards may replace it at once only when threaded.
        prepared_ = &d->state.get();
        p.skip_metadata = skip_metadata(*prepared_, version);
    }
    const std::uint8_t flags = request_flags(&o);
    auto body = [&](protocol::byte_writer& w) {
        try {
            if (flags & protocol::frame_flags::custom_payload) protocol::encode_custom_payload(w, o.payload);
            if (d)
                protocol::encode_execute(w, prepared_->id, prepared_->result_metadata_id, p, version);
            else
                protocol::encode_query(w, std::get<0>(st_).query(), p, version);
        } catch (const protocol::protocol_error& e) {
            encode_error_ = e.what();  // the connection reports only the kind of failure
            throw;
        }
    };

    s.enlist(*this);
    timeouts_ = cl.runtime().timeouts_here();
    timeouts_->add(*this, now, r.timeout);
    if (auto slot = op_.caller_slot(); slot.is_connected())
        slot.assign([this](asio::cancellation_type t) { signal_.emit(t); });
    in_lists_ = true;
    attempt_.emplace(conn_->metrics(), now);
    host_->count_request();
    if (probe_->active()) probe_->set_attempt(host_->endpoint(), 1, false);
    conn_->submit(d ? protocol::opcode::execute : protocol::opcode::query, flags, body, connection::pending_ptr(this),
                  &s.quota());
}

void request_state::leave() noexcept {
    if (!std::exchange(in_lists_, false)) return;
    timeouts_->remove(*this);
    session_->delist(*this);
    if (auto slot = op_.caller_slot(); slot.is_connected()) slot.clear();
}

void request_state::on_answer(error_code ec, protocol::envelope env) {
    leave();
    // An answer: when its bytes were read (one clock read per read, not per request).
    const auto ended = ec ? clock::now() : conn_->last_read();
    if (ec) {
        auto why = describe_failure(*conn_, session_, timeout_, timed_out_, closed_by_session_, ec);
        diag().assign(encode_error_.empty() ? std::move(why) : std::move(encode_error_), conn_->endpoint());
        attempt_->finish_at(ended, ec);
        measured(ec);
        // The attempt had the whole request's time: a timeout is the request's.
        if (ec == client_errc::request_timeout || ec == asio::error::operation_aborted ||
            ec == client_errc::session_closed)
            return finish(ec, {}, ended, false);
        return go_on(ec, {}, ended);
    }
    if (env.header.opcode != protocol::opcode::result) {
        const auto e = expect_result(*conn_, env, diag());
        // UNPREPARED: the attempt goes on (re-prepare there, send again) in go_on.
        if (e == server_errc::unprepared && bound()) {
            attempt_->forget();
        } else {
            attempt_->finish_at(ended, e);
            measured(e);
        }
        return go_on(e, {}, ended);
    }
    result_set rs;
    try {
        rs = result_set::from_body(std::move(env.body), env.header.flags, conn_->protocol_version(),
                                   prepared_ ? prepared_->columns_here() : nullptr);
        // A USE of the user's own moved this v4 connection (as in exchange()).
        if (rs.kind() == result_kind::set_keyspace && conn_->protocol_version() < 5)
            conn_->set_bound_keyspace(rs.keyspace());
    } catch (const protocol::protocol_error& x) {
        diag().assign(std::string("malformed response: ") + x.what(), conn_->endpoint());
        ec = client_errc::protocol_violation;
        attempt_->finish_at(ended, ec);
        measured(ec);
        return go_on(ec, {}, ended);
    }
    attempt_->finish_at(ended, {});
    measured({});
    if (prepared_) note_new_metadata(*std::get<1>(st_).prepared().data(), *prepared_, rs);
    // DDL: the request completes once the hosts agree on the new schema.
    if (rs.kind() == result_kind::schema_change) return go_on({}, std::move(rs), ended);
    finish({}, std::move(rs), ended, false);
}

void request_state::finish(error_code ec, result_set rs, clock::time_point ended, bool deferred) {
    leave();
    probe_->finish_at(ended, ec);  // nothing when run_request finished it
    session_->end_request();
    auto& op = op_;
    auto* s = session_;
    const auto hold = hold_;
    this->~request_state();
    s->release(hold);  // may end the session: nothing of it is touched after
    op.complete(ec, std::move(rs), deferred);
}

void request_state::run_elsewhere() {
    auto s = session_->shared_from_this();  // the coroutine path holds a reference (the rare path)
    auto ex = std::move(ex_);
    auto st = std::move(st_);
    auto* diag = user_diag_;
    auto& op = op_;
    this->~request_state();
    // Completed on the caller's executor, where its slot is emitted and
    // cleared (async_run hops a cancellation over to a shard itself).
    async_run<result_set>(ex,
                          asio::bind_executor(op.caller_executor(),
                                              asio::bind_cancellation_slot(op.caller_slot(),
                                                                           [&op](error_code ec, result_set rs) {
                                                                               op.complete(ec, std::move(rs), false);
                                                                           })),
                          [s = std::move(s), st = std::move(st), diag]() mutable {
                              return execute_paged_op(std::move(s), std::move(st), diag);
                          });
}

void request_state::go_on(error_code ec, result_set rs, clock::time_point ended) {
    prior_attempt prior;
    prior.host = host_;
    prior.conn = conn_;
    prior.ec = ec;
    prior.ended = ended;
    prior.attempt_start = attempt_->start_time();
    prior.timestamp = timestamp_;
    asio::co_spawn(
        conn_->get_executor(), continuation(std::move(prior), std::move(rs)),
        asio::bind_cancellation_slot(op_.caller_slot(), [this](std::exception_ptr e, op_result<result_set> r) {
            if (e) {
                r.first = client_errc::internal_error;
                diag().assign("internal error after the first attempt");
            }
            finish(r.first, std::move(r.second), clock::now(), false);
        }));
}

// The first attempt's result and what it needs live in this frame: the
// direct path's block does not carry them.
asio::awaitable<op_result<result_set>> request_state::continuation(prior_attempt prior, result_set first) {
    op_result<result_set> r;
    r.second = std::move(first);
    prior.out = &r.second;
    auto* probe = probe_->active() ? &*probe_ : nullptr;
    if (bound())
        r.first = co_await run_bound(*session_, std::get<1>(st_), r.second, diag(), probe, &prior);
    else
        r.first = co_await run_statement(*session_, std::get<0>(st_), r.second, diag(), probe, &prior);
    co_return r;
}

}  // namespace

asio::any_io_executor request_executor(const session_impl& s) { return s.cluster().runtime().request_executor(); }

namespace {
// A thread's free request blocks, freed with the thread.
struct block_cache {
    static constexpr std::size_t max_blocks = 64;  // bounded: a burst's blocks go back to the heap
    void* head = nullptr;
    std::size_t count = 0;
    ~block_cache() {
        while (head) {
            void* next = *static_cast<void**>(head);
            ::operator delete(head);
            head = next;
        }
    }
};
thread_local block_cache blocks;
}  // namespace

void* allocate_request_block(std::size_t n) {
    if (n > request_block_size) return ::operator new(n);
    if (void* p = blocks.head) {
        blocks.head = *static_cast<void**>(p);
        --blocks.count;
        return p;
    }
    return ::operator new(request_block_size);
}

void deallocate_request_block(void* p, std::size_t n) noexcept {
    if (n > request_block_size || blocks.count >= block_cache::max_blocks) return ::operator delete(p);
    *static_cast<void**>(p) = blocks.head;
    blocks.head = p;
    ++blocks.count;
}

void start_operation(request_op_base& op, session_impl& s, asio::any_io_executor ex, statement&& st,
                     diagnostics* diag) {
    (::new (op.state()) request_state(op, s, std::move(ex), std::move(st), diag))->start();
}

void start_operation(request_op_base& op, session_impl& s, asio::any_io_executor ex, bound_statement&& st,
                     diagnostics* diag) {
    (::new (op.state()) request_state(op, s, std::move(ex), std::move(st), diag))->start();
}

}  // namespace async_cassandra::detail

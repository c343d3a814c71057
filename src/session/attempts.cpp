#include "session/attempts.hpp"

#include "session/session_impl.hpp"

#include <async_cassandra/detail/async_run.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <deque>

namespace async_cassandra::detail {

// cluster::async_wait_for_schema_agreement's operation.
asio::awaitable<op_result<bool>> agreement_op(std::shared_ptr<cluster_impl> cl) {
    co_return op_result<bool>{{}, co_await cl->control().wait_schema_agreement()};
}

namespace {

using clock = std::chrono::steady_clock;

// Errors no other attempt can fix: the caller's own doing, or the session's.
bool is_final(const error_code& ec) {
    return ec == asio::error::operation_aborted || ec == client_errc::session_closed ||
           ec == client_errc::invalid_request || ec == client_errc::request_too_large ||
           ec == client_errc::bad_config || ec == client_errc::internal_error || ec == client_errc::too_many_requests;
}

// The server may have carried the request out before the failure.
bool maybe_applied(const error_code& ec) {
    if (ec == server_errc::unavailable || ec == server_errc::overloaded || ec == server_errc::is_bootstrapping ||
        ec == server_errc::read_timeout || ec == server_errc::read_failure)
        return false;
    if (ec.category() == server_category()) return true;  // it reached the coordinator
    return ec == client_errc::request_timeout || ec == client_errc::connection_closed ||
           ec == client_errc::protocol_violation || ec == client_errc::unexpected_response;
}

struct plan_state {
    std::vector<host_ptr> hosts;
    std::size_t next = 0;
    std::string tried;  // "host: why; ..." for no_host_available
    // Metrics: the user request (null: none), the attempts sent so far, and
    // when the last one ended (the request's end unless more work followed;
    // unset: read the clock).
    request_probe* probe = nullptr;
    int attempts = 0;
    clock::time_point ended{};

    // The next host of the plan with a connection open, and that connection.
    std::shared_ptr<connection> advance(cluster_impl& cl, host_ptr& h) {
        while (next < hosts.size()) {
            h = hosts[next++];
            if (auto c = cl.routing().connection_to(*h)) return c;
            note(*h, "no connection open");
        }
        return nullptr;
    }
    void note(const host& h, const std::string& why) {
        tried += (tried.empty() ? "" : "; ") + h.endpoint() + ": " + why;
    }
};

struct resolved : resolved_options {
    clock::time_point deadline;
};

// Rounded up: a request never times out before its deadline.
std::chrono::milliseconds left(clock::time_point deadline) {
    return std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
}

error_code timed_out(const resolved& r, diagnostics& diag, const std::string& tried) {
    diag.assign("no answer within " + std::to_string(r.timeout.count()) + " ms (the request timeout)" +
                (tried.empty() ? std::string() : "; tried " + tried));
    return client_errc::request_timeout;
}

// What the retry policy says about a failed attempt, with the idempotence
// rule on top: a request that may have run is never sent again unless it is
// idempotent (a read timeout says it was a read).
// `current`: the consistency the failed attempt ran at (a retry may have
// lowered it); the request's when unset.
retry_decision decide(cluster_impl& cl, const resolved& r, const request_options& o, const error_code& ec,
                      const diagnostics& d, int retries, std::optional<consistency> current = std::nullopt) {
    if (is_final(ec)) return retry_decision::rethrow();
    retry_context rc;
    rc.error = ec;
    rc.details = d.server_details() ? &*d.server_details() : nullptr;
    rc.retries = retries;
    rc.idempotent = o.idempotent;
    rc.consistency_level = current.value_or(r.consistency_level);
    rc.maybe_applied = maybe_applied(ec);
    auto dec = cl.routing().retry(r.profile).decide(rc);
    if (rc.maybe_applied && !o.idempotent && dec.what != retry_decision::kind::rethrow &&
        dec.what != retry_decision::kind::ignore)
        return retry_decision::rethrow();
    return dec;
}

// Waits (within `timeout`) for a connection while pools are still opening.
asio::awaitable<bool> await_pools(cluster_impl& cl, error_code& ec, diagnostics& diag,
                                  std::chrono::milliseconds timeout) {
    co_return co_await cl.routing().acquire(ec, diag, timeout) != nullptr;
}

asio::awaitable<error_code> finish(session_impl& s, result_set& out, error_code ec, plan_state& plan) {
    // DDL: the request completes once the hosts agree on the new schema.
    if (!ec && out.kind() == result_kind::schema_change) {
        (void)co_await s.cluster().control().wait_schema_agreement();
        plan.ended = {};
    }
    co_return ec;
}

// A retry (on_retry in the registry and in the block of the host it goes to).
void count_retry(cluster_impl& cl, request_metrics* to, const host& h, const error_code& ec, const diagnostics& d) {
    cl.counters().count(cl.counters().retries);
    if (auto* reg = cl.metrics(); reg && reg->counting()) {
        reg->requests().on_retry();
        if (to) to->on_retry();
    }
    cl.log().debug([&] {
        return "retrying on " + h.endpoint() + " after: " + (d.message().empty() ? ec.message() : d.message());
    });
}

asio::awaitable<error_code> run_sequential(session_impl& s, const request_options& o, const resolved& r,
                                           plan_state& plan, const attempt_fn& attempt, result_set& out,
                                           diagnostics& diag, prior_attempt* prior) {
    auto& cl = s.cluster();
    host_ptr h;
    std::shared_ptr<connection> conn;
    error_code given;              // the prior attempt's failure, decided on first
    bool reprepare_first = false;  // the prior attempt goes on after UNPREPARED
    if (prior) {
        h = prior->host;
        conn = prior->conn;
        plan.attempts = 1;
        plan.ended = prior->ended;
        if (!prior->ec) {
            if (prior->out != &out) out = std::move(*prior->out);
            co_return co_await finish(s, out, {}, plan);
        }
        if (prior->ec == server_errc::unprepared)
            reprepare_first = true;
        else
            given = prior->ec;
    } else {
        conn = plan.advance(cl, h);
    }
    auto cl_now = r.consistency_level;
    for (int retries = 0;;) {
        error_code ec = std::exchange(given, {});
        if (!ec) {
            if (!conn) {
                if (plan.tried.empty()) plan.tried = "no host is up";
                diag.assign("no host could take the request: " + plan.tried);
                co_return make_error_code(client_errc::no_host_available);
            }
            const auto now = clock::now();
            // Rounded up (left()): the attempt never times out before the request's deadline.
            const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(r.deadline - now);
            if (remaining.count() <= 0) co_return timed_out(r, diag, plan.tried);
            attempt_context ctx{*conn, remaining, cl_now, r.serial_consistency_level, r.timestamp};
            // After UNPREPARED on the direct path, the same attempt goes on.
            const bool going_on = std::exchange(reprepare_first, false);
            ctx.reprepare_first = going_on;
            attempt_probe counted = going_on ? attempt_probe(conn->metrics(), prior->attempt_start,
                                                             attempt_probe::continued_t{})
                                             : attempt_probe(conn->metrics(), now);
            if (!going_on) {
                ++plan.attempts;
                h->count_request();
            }
            ec = co_await attempt(ctx, out, diag);
            cl.routing().report_latency(r.profile, *h, counted.start_time(), ec);
            if (counted.active() || plan.probe) {
                plan.ended = clock::now();  // the attempt's end, and the request's too when it ends here
                counted.finish_at(plan.ended, ec);
                if (plan.probe) plan.probe->set_attempt(h->endpoint(), plan.attempts, false);
            }
            if (!ec) co_return co_await finish(s, out, ec, plan);
        }
        if (ec == client_errc::request_timeout && left(r.deadline).count() <= 0) co_return ec;
        auto dec = decide(cl, r, o, ec, diag, retries, cl_now);
        switch (dec.what) {
            case retry_decision::kind::rethrow: co_return ec;
            case retry_decision::kind::ignore: out = result_set{}; co_return error_code{};
            case retry_decision::kind::retry_same_host:
                if (!conn->accepting()) conn = cl.routing().connection_to(*h);
                if (!conn) co_return ec;
                break;
            case retry_decision::kind::retry_next_host:
                plan.note(*h, diag.message().empty() ? ec.message() : diag.message());
                conn = plan.advance(cl, h);
                if (!conn) co_return ec;  // no other host: the caller sees this error itself
                break;
        }
        if (dec.consistency_level) cl_now = *dec.consistency_level;
        ++retries;
        count_retry(cl, conn->metrics(), *h, ec, diag);
    }
}

// Speculative executions: attempts race; the first answer wins and the
// others are cancelled (their stream ids stay reserved until answered).
struct race : std::enable_shared_from_this<race> {
    struct finished {
        error_code ec;
        result_set out;
        diagnostics diag;
        host_ptr host;
        clock::time_point ended;
        bool speculative = false;  // started by a speculative execution
    };
    race(const asio::any_io_executor& ex, spawn_guard g) : wake(ex), guard(std::move(g)) {}
    asio::steady_timer wake;
    spawn_guard guard;                       // an attempt ending on an exception is logged, not lost
    std::optional<std::int64_t> timestamp;   // the request's, for every execution
    const routing_table* routing = nullptr;  // told each attempt's latency
    const execution_profile* profile = nullptr;
    int running = 0;
    std::vector<std::shared_ptr<asio::cancellation_signal>> signals;
    std::deque<finished> done;

    void start(const attempt_fn& attempt, std::shared_ptr<connection> conn, host_ptr h,
               std::chrono::milliseconds timeout, consistency cl, std::optional<consistency> serial, bool speculative) {
        auto sig = std::make_shared<asio::cancellation_signal>();
        signals.push_back(sig);
        ++running;
        auto self = shared_from_this();
        asio::co_spawn(
            wake.get_executor(),
            [self, &attempt, conn, h, timeout, cl, serial, speculative]() -> asio::awaitable<void> {
                finished f;
                f.host = h;
                f.speculative = speculative;
                h->count_request();
                attempt_context ctx{*conn, timeout, cl, serial, self->timestamp};
                const auto started = clock::now();
                attempt_probe counted(conn->metrics(), started);
                try {
                    f.ec = co_await attempt(ctx, f.out, f.diag);
                } catch (const std::exception& e) {
                    f.ec = client_errc::internal_error;
                    f.diag.assign(e.what());
                }
                self->routing->report_latency(self->profile, *h, started, f.ec);
                f.ended = clock::now();
                counted.finish_at(f.ended, f.ec);
                self->done.push_back(std::move(f));
                --self->running;
                self->wake.cancel();
            },
            asio::bind_cancellation_slot(sig->slot(), guard));
    }
    void cancel_all() {
        for (auto& sig : signals) sig->emit(asio::cancellation_type::terminal);
    }
    asio::awaitable<void> settle() {
        cancel_all();
        while (running > 0) {
            wake.expires_at(asio::steady_timer::time_point::max());
            error_code ec;
            co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }
};

asio::awaitable<error_code> run_speculative(session_impl& s, const request_options& o, const resolved& r,
                                            plan_state& plan, const attempt_fn& attempt, result_set& out,
                                            diagnostics& diag) {
    auto& cl = s.cluster();
    auto st = std::make_shared<race>(co_await asio::this_coro::executor, cl.guard("an attempt of a request"));
    st->timestamp = r.timestamp;
    st->routing = &cl.routing();
    st->profile = r.profile;
    host_ptr h;
    auto conn = plan.advance(cl, h);
    if (!conn) {
        diag.assign("no host could take the request: " +
                    (plan.tried.empty() ? std::string("no host is up") : plan.tried));
        co_return make_error_code(client_errc::no_host_available);
    }
    st->start(attempt, conn, h, left(r.deadline), r.consistency_level, r.serial_consistency_level, false);
    int executions = 1, retries = 0;
    auto next_spec = clock::now() + r.speculation->delay;
    error_code last = client_errc::no_host_available;
    diagnostics last_diag;
    for (;;) {
        const bool may_speculate = executions < r.speculation->max_executions && plan.next < plan.hosts.size();
        st->wake.expires_at(may_speculate ? std::min(next_spec, r.deadline) : r.deadline);
        error_code wait_ec;
        co_await st->wake.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            co_await st->settle();
            plan.ended = {};  // settling takes time of its own
            diag.assign("cancelled");
            co_return make_error_code(asio::error::operation_aborted);
        }
        while (!st->done.empty()) {
            auto f = std::move(st->done.front());
            st->done.pop_front();
            plan.ended = f.ended;
            if (plan.probe) plan.probe->set_attempt(f.host->endpoint(), executions + retries, f.speculative);
            if (!f.ec) {
                co_await st->settle();
                plan.ended = {};  // settling takes time of its own
                out = std::move(f.out);
                co_return co_await finish(s, out, {}, plan);
            }
            auto dec = decide(cl, r, o, f.ec, f.diag, retries);
            last = f.ec;
            last_diag = f.diag;
            if (dec.what == retry_decision::kind::ignore) {
                co_await st->settle();
                plan.ended = {};  // settling takes time of its own
                out = result_set{};
                co_return error_code{};
            }
            if (dec.what == retry_decision::kind::rethrow) continue;
            std::shared_ptr<connection> c;
            host_ptr next_host = f.host;
            if (dec.what == retry_decision::kind::retry_same_host) c = cl.routing().connection_to(*f.host);
            if (!c) {
                plan.note(*f.host, f.diag.message().empty() ? f.ec.message() : f.diag.message());
                c = plan.advance(cl, next_host);
            }
            if (!c || left(r.deadline).count() <= 0) continue;
            ++retries;
            count_retry(cl, c->metrics(), *next_host, f.ec, f.diag);
            st->start(attempt, c, next_host, left(r.deadline), dec.consistency_level.value_or(r.consistency_level),
                      r.serial_consistency_level, false);
        }
        if (st->running == 0) {
            diag = last_diag;
            co_return last;
        }
        if (!wait_ec) {  // the timer fired: deadline or time to speculate
            if (clock::now() >= r.deadline) {
                co_await st->settle();
                plan.ended = {};  // settling takes time of its own
                co_return timed_out(r, diag, plan.tried);
            }
            if (executions < r.speculation->max_executions) {
                host_ptr sh;
                if (auto c = plan.advance(cl, sh)) {
                    ++executions;
                    cl.counters().count(cl.counters().speculative);
                    if (auto* reg = cl.metrics(); reg && reg->counting()) {
                        reg->requests().on_speculative_execution();
                        if (auto* m = c->metrics()) m->on_speculative_execution();
                    }
                    st->start(attempt, c, sh, left(r.deadline), r.consistency_level, r.serial_consistency_level, true);
                }
                next_spec = clock::now() + r.speculation->delay;
            }
        }
    }
}

asio::awaitable<error_code> route_and_run(session_impl& s, const request_options& o, const routing_input& where,
                                          const attempt_fn& attempt, result_set& out, diagnostics& diag,
                                          plan_state& plan, prior_attempt* prior) {
    auto& cl = s.cluster();
    resolved r;
    if (auto ec = resolve_options(cl, o, r, diag)) co_return ec;
    if (prior) r.timestamp = prior->timestamp;  // the first attempt's write time
    const auto* p = r.profile;
    // The probe's start, when there is one, saves a clock read.
    r.deadline = (plan.probe ? plan.probe->start_time() : clock::now()) + r.timeout;

    request_routing routing;
    routing.keyspace = where.keyspace;
    routing.token = where.token;
    routing.consistency_level = r.consistency_level;
    auto make_plan = [&] {
        auto lock = cl.routing().snapshot_lock();  // the ring and the replicas' span, the policy
        if (where.token && !where.keyspace.empty())
            routing.replicas = cl.routing().replicas(where.keyspace, *where.token);
        cl.routing().plan(routing, p, plan.hosts);
        routing.replicas = {};
    };
    make_plan();
    if (prior) {
        // Its host was tried first; a retry on the same host goes there by name.
        std::erase(plan.hosts, prior->host);
        co_return co_await run_sequential(s, o, r, plan, attempt, out, diag, prior);
    }
    if (plan.hosts.empty() || !cl.routing().connection_to(*plan.hosts.front())) {
        // Pools may still be opening (just after connect, or after a node came back).
        error_code wait_ec;
        diagnostics wait_diag;
        if (!co_await await_pools(cl, wait_ec, wait_diag, r.timeout)) {
            diag = std::move(wait_diag);
            co_return wait_ec;
        }
        plan.hosts.clear();
        make_plan();
    }
    if (r.speculation) co_return co_await run_speculative(s, o, r, plan, attempt, out, diag);
    co_return co_await run_sequential(s, o, r, plan, attempt, out, diag, nullptr);
}

}  // namespace

error_code resolve_options(const cluster_impl& cl, const request_options& o, resolved_options& r, diagnostics& diag) {
    const auto& cfg = cl.config();
    error_code ec;
    r.profile = cl.routing().profile(o.profile, diag, ec);
    if (ec) return ec;
    const auto* p = r.profile;
    r.timeout = o.timeout ? *o.timeout : p && p->request_timeout ? *p->request_timeout : cfg.request_timeout;
    r.consistency_level = o.consistency_level         ? *o.consistency_level
                          : p && p->consistency_level ? *p->consistency_level
                                                      : cfg.default_consistency;
    r.serial_consistency_level = o.serial_consistency_level ? o.serial_consistency_level
                                 : p                        ? p->serial_consistency_level
                                                            : std::nullopt;
    r.speculation.reset();
    if (o.idempotent) {
        r.speculation = p && p->speculation ? p->speculation : cfg.speculation;
        if (r.speculation && r.speculation->max_executions <= 1) r.speculation.reset();
    }
    r.timestamp = o.default_timestamp ? o.default_timestamp : cl.next_timestamp();
    return {};
}

asio::awaitable<error_code> run_request(session_impl& s, const request_options& o, const routing_input& where,
                                        const attempt_fn& attempt, result_set& out, diagnostics& diag,
                                        request_probe* probe, prior_attempt* prior) {
    plan_state plan;  // outlives the probe's finish: the host names it reports live in its hosts
    plan.probe = probe;
    auto ec = co_await route_and_run(s, o, where, attempt, out, diag, plan, prior);
    if (probe) probe->finish_at(plan.ended != clock::time_point{} ? plan.ended : clock::now(), ec);
    co_return ec;
}

}  // namespace async_cassandra::detail

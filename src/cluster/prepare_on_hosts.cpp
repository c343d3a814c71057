// PREPARE on the hosts that did not answer the caller's (prepare_on_hosts.hpp).
#include "cluster/prepare_on_hosts.hpp"

#include "cluster/cluster_impl.hpp"

#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/protocol/responses.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace async_cassandra::detail {

void count_prepared(cluster_impl& cl, std::uint64_t prepared_cache_stats::*which) {
    auto lock = cl.routing().snapshot_write_lock();  // shards count too
    ++(cl.prepared().stats().*which);
}

namespace {

// One request on `conn` within `timeout`: the answer, or request_timeout.
template <class Body>
asio::awaitable<error_code> request(cluster_impl& cl, connection& conn, protocol::opcode op, Body body,
                                    std::chrono::milliseconds timeout, diagnostics& diag) {
    auto signal = std::make_shared<asio::cancellation_signal>();
    auto done = std::make_shared<bool>(false);
    asio::steady_timer timer(cl.runtime().executor(), timeout);
    timer.async_wait([signal, done](error_code ec) {
        if (!ec && !*done) signal->emit(asio::cancellation_type::terminal);
    });
    error_code ec;
    auto env = co_await conn.async_request(
        op, 0, body, asio::bind_cancellation_slot(signal->slot(), asio::redirect_error(asio::use_awaitable, ec)));
    *done = true;
    timer.cancel();
    if (ec == asio::error::operation_aborted) {
        diag.assign("no answer within " + std::to_string(timeout.count()) + " ms", conn.endpoint());
        co_return make_error_code(client_errc::request_timeout);
    }
    if (ec) {
        diag.assign(ec.message(), conn.endpoint());
        co_return ec;
    }
    if (env.header.opcode == protocol::opcode::error) {
        try {
            protocol::byte_reader r(env.body);
            (void)protocol::decode_response_prefix(r, env.header.flags);
            auto e = protocol::decode_error(r, conn.protocol_version());
            diag.assign(e.message, conn.endpoint());
            co_return server_error_code(e.code);
        } catch (const protocol::protocol_error& e) {
            diag.assign(std::string("malformed ERROR: ") + e.what(), conn.endpoint());
            co_return make_error_code(client_errc::protocol_violation);
        }
    }
    if (env.header.opcode != protocol::opcode::result) {
        diag.assign("unexpected answer to a PREPARE", conn.endpoint());
        co_return make_error_code(client_errc::unexpected_response);
    }
    co_return error_code{};
}

// Runs job(i) for i in [0, n), at most `window` at once, on this
// coroutine's executor; completes when every job has.
template <class Job>
asio::awaitable<void> run_windowed(cluster_impl& cl, std::size_t n, std::size_t window, Job job) {
    struct state {
        explicit state(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer wake;
        std::size_t running = 0;
    };
    auto ex = co_await asio::this_coro::executor;
    auto st = std::make_shared<state>(ex);
    auto wait_below = [&](std::size_t limit) -> asio::awaitable<void> {
        while (st->running > limit) {
            error_code ignored;
            co_await st->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            st->wake.expires_at(asio::steady_timer::time_point::max());
        }
    };
    for (std::size_t i = 0; i < n; ++i) {
        co_await wait_below(window - 1);
        ++st->running;
        asio::co_spawn(ex, job(i), [st, &cl](std::exception_ptr e) {
            if (e) {  // prepare_on catches what it runs: this is the job's own (no memory)
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    cl.log().warn([&] { return std::string("preparing on another host: ") + x.what(); });
                } catch (...) {
                    cl.log().warn([] { return std::string("preparing on another host: an unknown exception"); });
                }
            }
            --st->running;
            st->wake.cancel();
        });
    }
    co_await wait_below(0);
}

asio::awaitable<error_code> prepare_unguarded(cluster_impl& cl, connection& conn, const prepared_cache::key& k,
                                              bool may_use, std::chrono::milliseconds timeout, diagnostics& diag) {
    const int version = conn.protocol_version();
    const auto& [query, keyspace] = k;
    if (version < 5 && !conn.bound_to(keyspace)) {
        if (!may_use) co_return error_code{};  // its requests may rely on the keyspace it is bound to
        const std::string use = "USE \"" + keyspace + "\"";
        auto ec = co_await request(
            cl, conn, protocol::opcode::query,
            [&](protocol::byte_writer& w) {
                protocol::query_parameters p;
                p.consistency_level = consistency::one;
                protocol::encode_query(w, use, p, version);
            },
            timeout, diag);
        if (ec) co_return ec;
        conn.set_bound_keyspace(keyspace);
    }
    const std::string_view in = version >= 5 ? std::string_view(keyspace) : std::string_view();
    co_return co_await request(
        cl, conn, protocol::opcode::prepare,
        [&](protocol::byte_writer& w) { protocol::encode_prepare(w, query, in, version); }, timeout, diag);
}

}  // namespace

// The jobs of run_windowed end here: an exception (an encoding refused, no
// memory) is this host's failure, reported, never lost with the coroutine.
asio::awaitable<error_code> prepare_on(cluster_impl& cl, connection& conn, const prepared_cache::key& k, bool may_use,
                                       std::chrono::milliseconds timeout, diagnostics& diag) {
    try {
        co_return co_await prepare_unguarded(cl, conn, k, may_use, timeout, diag);
    } catch (const std::exception& e) {
        diag.assign(std::string("PREPARE failed: ") + e.what(), conn.endpoint());
        co_return make_error_code(client_errc::internal_error);
    }
}

asio::awaitable<std::size_t> prepare_on_other_hosts(cluster_impl& cl, prepared_cache::key k, const connection* answered,
                                                    std::chrono::milliseconds timeout) {
    std::vector<std::shared_ptr<connection>> targets;
    for (const auto& h : cl.routing().hosts()) {
        if (!h->is_up()) continue;
        auto c = cl.routing().connection_to(*h);
        // Another connection to the answering host is that host all the same.
        if (c && (!answered || c->endpoint() != answered->endpoint())) targets.push_back(std::move(c));
    }
    std::size_t ok = 0;
    co_await run_windowed(cl, targets.size(), targets.size() + 1, [&](std::size_t i) -> asio::awaitable<void> {
        auto conn = targets[i];
        diagnostics d;
        auto ec = co_await prepare_on(cl, *conn, k, false, timeout, d);
        count_prepared(cl, &prepared_cache_stats::prepared_elsewhere);
        if (!ec) {
            ++ok;
            co_return;
        }
        cl.log().debug([&] { return "PREPARE on " + conn->endpoint() + " too failed: " + d.message(); });
    });
    co_return ok;
}

asio::awaitable<std::size_t> prepare_cached_on(cluster_impl& cl, std::shared_ptr<connection> conn,
                                               std::chrono::milliseconds timeout) {
    auto keys = cl.prepared().keys();
    if (keys.empty()) co_return 0;
    // v4: one USE per keyspace, so the statements go keyspace by keyspace.
    std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    const bool one_at_a_time = conn->protocol_version() < 5;
    std::size_t ok = 0, failed = 0;
    std::string first_error;
    auto one = [&](std::size_t i) -> asio::awaitable<void> {
        diagnostics d;
        auto ec = co_await prepare_on(cl, *conn, keys[i], true, timeout, d);
        count_prepared(cl, &prepared_cache_stats::prepared_elsewhere);
        if (!ec) {
            ++ok;
        } else if (failed++ == 0) {
            first_error = d.message().empty() ? ec.message() : d.message();
        }
    };
    if (one_at_a_time) {
        for (std::size_t i = 0; i < keys.size() && conn->is_open(); ++i) co_await one(i);
    } else {
        co_await run_windowed(cl, keys.size(), 32, one);
    }
    cl.log().info([&] {
        return "prepared " + std::to_string(ok) + " of " + std::to_string(keys.size()) + " cached statements on " +
               conn->endpoint() + (failed ? " (first failure: " + first_error + ")" : std::string());
    });
    co_return ok;
}

}  // namespace async_cassandra::detail

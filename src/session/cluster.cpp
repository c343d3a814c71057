#include "cluster/cluster_impl.hpp"
#include "connection/tls_context.hpp"
#include "session/diag_target.hpp"
#include "session/attempts.hpp"
#include "session/session_impl.hpp"

#include <async_cassandra/cluster.hpp>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace async_cassandra {

namespace detail {

asio::awaitable<op_result<cluster>> connect_op(asio::any_io_executor ex, cluster_config cfg, diagnostics* diag_out) {
    diag_target target(diag_out);
    diagnostics& diag = target.get();
    op_result<cluster> out;
    if (auto bad = validate(cfg); !bad.empty()) {
        diag.assign(std::move(bad));
        out.first = client_errc::bad_config;
        co_return out;
    }
    // One TLS context for every connection of the cluster; bad files fail here.
    std::shared_ptr<const tls_context> tls;
    if (cfg.tls.enabled) {
        std::string bad;
        tls = tls_context::make(cfg.tls, bad);
        if (!tls) {
            diag.assign(std::move(bad));
            out.first = client_errc::bad_config;
            co_return out;
        }
    }
    auto impl = std::make_shared<cluster_impl>(ex, std::move(cfg), std::move(tls));
    // On the cluster's executor (its strand when threaded) from the start:
    // the pools it opens run there while connect() waits for them.
    out.first = co_await impl->connect(diag);
    if (!out.first) out.second = cluster(std::move(impl));
    co_return out;
}
}  // namespace detail

cluster::cluster(std::shared_ptr<detail::cluster_impl> impl) : impl_(std::move(impl)) {}

namespace {
// Never blocks: the shutdown runs on the cluster's executor.
void release(std::shared_ptr<detail::cluster_impl> impl) {
    if (!impl) return;
    auto ex = impl->runtime().executor();
    asio::post(ex, [impl = std::move(impl)] { impl->shutdown(); });
}
}  // namespace

cluster& cluster::operator=(cluster&& other) noexcept {
    if (this != &other) {
        release(std::move(impl_));
        impl_ = std::move(other.impl_);
    }
    return *this;
}

cluster::~cluster() { release(std::move(impl_)); }

asio::awaitable<cluster> cluster::connect(cluster_config cfg) {
    auto ex = co_await asio::this_coro::executor;
    diagnostics diag;
    error_code ec;
    auto c = co_await async_connect(ex, std::move(cfg), diag, asio::redirect_error(asio::use_awaitable, ec));
    throw_on_error(ec, diag);
    co_return c;
}

asio::awaitable<session> cluster::open_session(std::string keyspace) {
    diagnostics diag;
    auto [ec, s] = co_await detail::open_session_op(impl_, std::move(keyspace), &diag);
    throw_on_error(ec, diag);
    co_return std::move(s);
}

namespace detail {
asio::awaitable<op_result<session>> open_session_op(std::shared_ptr<cluster_impl> c, std::string keyspace,
                                                    diagnostics* diag_out) {
    diag_target target(diag_out);
    diagnostics& diag = target.get();
    op_result<session> out;
    if (!c || c->closed()) {
        diag.assign("open_session on a closed cluster");
        out.first = client_errc::session_closed;
        co_return out;
    }
    auto s = session(std::make_shared<session_impl>(c, keyspace));
    // v4 has no per-request keyspace: bind the connection with USE instead.
    if (!keyspace.empty() && c->control().protocol_version() < 5) {
        (void)co_await s.async_execute(statement("USE \"" + keyspace + "\""), diag,
                                       asio::redirect_error(asio::use_awaitable, out.first));
        if (out.first) co_return out;
    }
    out.second = std::move(s);
    co_return out;
}

// The cluster's own coroutine, run on its strand when threaded.
asio::awaitable<op_result<void>> close_op(std::shared_ptr<cluster_impl> c) {
    if (c) co_await c->close();
    co_return op_result<void>{};
}
}  // namespace detail

asio::awaitable<void> cluster::close() {
    if (!impl_) co_return;
    auto keep = impl_;  // the handle may be moved from while this waits
    co_await keep->close();
}

cluster::executor_type cluster::get_executor() const {
    if (!impl_) detail::throw_empty_handle("cluster");
    return impl_->runtime().executor();
}
int cluster::protocol_version() const { return impl_ ? impl_->control().protocol_version() : 0; }

std::vector<host_ptr> cluster::hosts() const { return impl_ ? impl_->routing().hosts() : std::vector<host_ptr>{}; }

std::shared_ptr<metrics_registry> cluster::metrics() const { return impl_ ? impl_->metrics_shared() : nullptr; }
std::shared_ptr<const std::map<std::string, keyspace_metadata, std::less<>>> cluster::metadata() const {
    return impl_ ? impl_->control().schema()
                 : std::make_shared<const std::map<std::string, keyspace_metadata, std::less<>>>();
}

asio::awaitable<bool> cluster::wait_for_schema_agreement() {
    if (!impl_) co_return false;
    auto keep = impl_;  // the handle may be moved from while this waits
    co_return co_await keep->control().wait_schema_agreement();
}

prepared_cache_stats cluster::prepared_stats() const {
    if (!impl_) return prepared_cache_stats{};
    auto lock = impl_->routing().snapshot_lock();
    return impl_->prepared().stats_now();
}

}  // namespace async_cassandra

#include "cluster/routing_table.hpp"

#include "cluster/cluster_impl.hpp"

#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace async_cassandra::detail {

routing_table::routing_table(cluster_impl& owner, const shard_runtime& runtime)
    : owner_(owner),
      runtime_(runtime),
      lb_(owner.config().load_balancing ? owner.config().load_balancing : default_load_balancing()),
      retry_(owner.config().retry ? owner.config().retry : default_retry()),
      pool_changed_(runtime.executor(), asio::steady_timer::time_point::max()) {
    if (runtime_.threaded()) routing_mutexes_ = std::make_unique<routing_mutex[]>(runtime_.shard_count());
    latency_tracked_ = lb_->tracks_latency();
    for (const auto& [name, p] : owner.config().profiles)
        latency_tracked_ = latency_tracked_ || (p.load_balancing && p.load_balancing->tracks_latency());
}

void routing_table::report_latency_now(const execution_profile* p, const host& h,
                                       std::chrono::steady_clock::time_point start, error_code ec) const {
    auto& lb = load_balancing(p);
    if (!lb.tracks_latency()) return;
    const auto took = std::chrono::steady_clock::now() - start;
    auto lock = snapshot_lock();
    lb.on_latency(h, std::chrono::duration_cast<std::chrono::nanoseconds>(took), ec);
}

routing_table::~routing_table() = default;

routing_lock routing_table::snapshot_lock() const {
    if (!runtime_.threaded()) return {};
    const auto here = runtime_.current_shard();
    if (here < runtime_.shard_count()) return routing_lock(&routing_mutexes_[here], 1);
    return snapshot_write_lock();
}

routing_lock routing_table::snapshot_write_lock() const {
    return runtime_.threaded() ? routing_lock(routing_mutexes_.get(), runtime_.shard_count()) : routing_lock();
}

const execution_profile* routing_table::profile(const std::string& name, diagnostics& diag, error_code& ec) const {
    if (name.empty()) return nullptr;
    const auto& profiles = owner_.config().profiles;
    auto it = profiles.find(name);
    if (it != profiles.end()) return &it->second;
    std::string known;
    for (const auto& [n, p] : profiles) known += (known.empty() ? "" : ", ") + n;
    diag.assign("no execution profile named '" + name +
                "' (cluster_config.profiles has: " + (known.empty() ? "none" : known) + ")");
    ec = client_errc::invalid_request;
    return nullptr;
}

load_balancing_policy& routing_table::load_balancing(const execution_profile* p) const {
    return p && p->load_balancing ? *p->load_balancing : *lb_;
}

retry_policy& routing_table::retry(const execution_profile* p) const { return p && p->retry ? *p->retry : *retry_; }

std::span<const host_ptr> routing_table::replicas(std::string_view keyspace, std::int64_t token) const {
    return ring_.replicas(keyspace, token);
}

void routing_table::plan(const request_routing& r, const execution_profile* p, std::vector<host_ptr>& out) const {
    auto lock = snapshot_lock();
    auto& lb = load_balancing(p);
    // A policy that cannot plan on several shards at once plans (and is asked for distances) one at a time.
    std::unique_lock<std::mutex> one_at_a_time;
    if (runtime_.threaded() && !lb.concurrent_plans()) one_at_a_time = std::unique_lock<std::mutex>(policy_mutex_);
    const std::size_t from = out.size();
    lb.plan(r, out);
    out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(),
                             [&](const host_ptr& h) {
                                 return !h->is_up() || !h->pool || lb.distance(*h) == host_distance::ignored;
                             }),
              out.end());
}

std::shared_ptr<connection> routing_table::connection_to(const host& h) const {
    auto lock = snapshot_lock();
    return h.pool ? h.pool->pick() : nullptr;
}

asio::awaitable<std::shared_ptr<connection>> routing_table::acquire(error_code& ec, diagnostics& diag,
                                                                    std::chrono::milliseconds timeout) {
    // The caller is suspended until op ends: it may write `ec` and `diag`.
    auto op = [self = owner_.shared_from_this(), t = this, e = &ec, d = &diag, timeout] {
        return keep_alive_op<std::shared_ptr<connection>>(
            self, [t, e, d, timeout] { return t->acquire_here(*e, *d, timeout); });
    };
    auto r = co_await run_on<std::shared_ptr<connection>>(runtime_.executor(), op);
    if (r.first) ec = r.first;
    co_return std::move(r.second);
}

asio::awaitable<std::shared_ptr<connection>> routing_table::acquire_here(error_code& ec, diagnostics& diag,
                                                                         std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() +
                       (timeout.count() > 0 ? timeout : owner_.config().request_timeout);
    std::vector<host_ptr> hosts;
    for (;;) {
        if (owner_.closed()) {
            ec = client_errc::session_closed;
            diag.assign("the cluster is closed");
            co_return nullptr;
        }
        hosts.clear();
        plan(request_routing{}, nullptr, hosts);
        for (const auto& h : hosts)
            if (auto c = connection_to(*h)) co_return c;
        if (!pools_connecting() || std::chrono::steady_clock::now() >= until) break;
        co_await wait_pool_change(until);
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            ec = asio::error::operation_aborted;
            diag.assign("cancelled while waiting for a connection");
            co_return nullptr;
        }
    }
    const auto why = pool_errors();
    ec = client_errc::no_host_available;
    diag.assign("no host has a connection open" + (why.empty() ? std::string() : " (" + why + ")"));
    co_return nullptr;
}

void routing_table::apply_hosts(std::vector<host_ptr> found, const host_ptr& control) {
    auto lock = snapshot_write_lock();
    hosts_ = std::move(found);
    lb_->on_hosts(hosts_, control);
    for (const auto& [name, p] : owner_.config().profiles)
        if (p.load_balancing && p.load_balancing != lb_) p.load_balancing->on_hosts(hosts_, control);
    // Pools follow the default policy's distances.
    std::map<std::string, std::shared_ptr<host_pool>> pools;
    for (auto& h : hosts_) {
        if (lb_->distance(*h) == host_distance::ignored) continue;
        auto it = pools_.find(h->endpoint());
        if (it != pools_.end()) {
            pools.insert(pools_.extract(it));
            continue;
        }
        auto p = std::make_shared<host_pool>(owner_, h);
        h->pool = p.get();
        pools.emplace(h->endpoint(), p);
        if (!owner_.shut_down()) p->start();
    }
    for (auto& [ep, p] : pools_) {  // hosts gone or now ignored
        p->get_host()->pool = nullptr;
        p->close("host removed from the cluster", client_errc::connection_closed);
    }
    pools_ = std::move(pools);
    ring_.rebuild(hosts_, replication_);
}

void routing_table::set_replication(std::map<std::string, std::map<std::string, std::string>> replication) {
    auto lock = snapshot_write_lock();  // requests on the shards read the ring
    replication_ = std::move(replication);
    ring_.rebuild(hosts_, replication_);
}

host_ptr routing_table::find_host(const std::string& address, std::uint16_t port) const {
    host_ptr by_address;
    for (const auto& h : hosts_) {
        if (h->address() != address) continue;
        if (h->port() == port) return h;
        by_address = h;
    }
    return by_address;
}

void routing_table::close_pools(const std::string& reason, error_code code) {
    auto lock = snapshot_write_lock();
    for (auto& [ep, p] : pools_) p->close(reason, code);
    for (auto& h : hosts_) h->pool = nullptr;
    pool_changed_.cancel();
    for (auto* t : drain_waiters_) t->cancel();
}

void routing_table::host_up(const host_ptr& h) {
    h->set_up(true);
    owner_.log().info([&] { return "host " + h->endpoint() + " is up"; });
    on_pool_change();
}

void routing_table::host_down(const host_ptr& h, const std::string& why) {
    h->set_up(false);
    owner_.log().warn([&] { return "host " + h->endpoint() + " is down: " + why; });
    on_pool_change();
}

void routing_table::on_pool_change() {
    pool_changed_.cancel();
    if (owner_.closed() && drained())
        for (auto* t : drain_waiters_) t->cancel();
}

asio::awaitable<void> routing_table::wait_pool_change(std::chrono::steady_clock::time_point until) {
    asio::steady_timer t(runtime_.executor(), until);
    // pool_changed_ never expires: its cancellation (on a change) or our own timer ends the wait.
    error_code ec;
    auto keep = owner_.shared_from_this();
    t.async_wait([keep, this](error_code e) {
        if (!e) pool_changed_.cancel();
    });
    co_await pool_changed_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    t.cancel();
}

asio::awaitable<void> routing_table::wait_drained(std::chrono::steady_clock::duration timeout) {
    if (drained()) co_return;
    asio::steady_timer deadline(runtime_.executor(), timeout);
    drain_waiters_.push_back(&deadline);
    for (;;) {
        error_code ec;
        co_await deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!ec || owner_.shut_down() || drained()) break;  // the deadline, or done
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) break;  // the caller gave up waiting
    }
    std::erase(drain_waiters_, &deadline);
}

bool routing_table::drained() const {
    return std::all_of(pools_.begin(), pools_.end(), [](const auto& e) { return e.second->drained(); });
}

bool routing_table::pools_initialized() const {
    return std::all_of(pools_.begin(), pools_.end(), [](const auto& e) { return e.second->initialized(); });
}

bool routing_table::pools_connecting() const {
    for (const auto& [ep, p] : pools_)
        if (!p->initialized() || (p->get_host()->is_up() && !p->pick())) return true;
    return false;
}

std::string routing_table::pool_errors(const char* none) const {
    std::string why;
    for (const auto& [ep, p] : pools_)
        why += (why.empty() ? "" : "; ") + ep + ": " + (p->last_error().empty() ? std::string(none) : p->last_error());
    return why;
}

std::size_t routing_table::open_connections() const {
    auto lock = snapshot_lock();
    std::size_t n = 0;
    for (const auto& [ep, p] : pools_) n += p->open_connections();
    return n;
}

void routing_table::add_totals(std::size_t& in_flight, std::size_t& orphaned, std::size_t& queued) const {
    auto lock = snapshot_lock();
    for (const auto& [ep, p] : pools_) p->add_totals(in_flight, orphaned, queued);
}

}  // namespace async_cassandra::detail

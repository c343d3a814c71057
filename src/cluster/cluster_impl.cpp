#include "cluster/cluster_impl.hpp"
#include "cluster/run_on.hpp"

#include "cluster/token_ring.hpp"
#include "connection/tls_context.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <typeinfo>

namespace async_cassandra::detail {

std::string validate(const cluster_config& cfg) {
    if (cfg.contact_points.empty()) return "cluster_config.contact_points is empty";
    for (const auto& h : cfg.contact_points)
        if (h.empty()) return "cluster_config.contact_points holds an empty host name";
    if (cfg.port == 0) return "cluster_config.port is 0";
    if (cfg.protocol_version != 4 && cfg.protocol_version != 5)
        return "cluster_config.protocol_version is " + std::to_string(cfg.protocol_version) + "; supported: 4, 5";
    if (cfg.compression == compression::snappy && cfg.protocol_version != 4)
        return "cluster_config.compression is snappy, which only protocol v4 offers; set protocol_version = 4";
    if (cfg.connect_timeout.count() <= 0) return "cluster_config.connect_timeout must be positive";
    if (cfg.request_timeout.count() <= 0) return "cluster_config.request_timeout must be positive";
    if (cfg.default_page_size == 0 || cfg.default_page_size < -1)
        return "cluster_config.default_page_size must be positive (or -1 for no paging)";
    if (cfg.close_timeout.count() < 0) return "cluster_config.close_timeout must not be negative";
    if (cfg.max_requests_per_connection == 0) return "cluster_config.max_requests_per_connection must be positive";
    if (cfg.io_threads == 0) return "cluster_config.io_threads must be at least 1 (1: no thread of the cluster's own)";
    if (cfg.io_threads > 256) return "cluster_config.io_threads must be at most 256 (the cluster's event-loop threads)";
    if (cfg.connections_per_host == 0 || cfg.connections_per_host > 64)
        return "cluster_config.connections_per_host must be 1..64, not " + std::to_string(cfg.connections_per_host);
    if (cfg.heartbeat_interval.count() < 0) return "cluster_config.heartbeat_interval must not be negative";
    if (cfg.heartbeat_interval.count() > 0 && cfg.heartbeat_timeout.count() <= 0)
        return "cluster_config.heartbeat_timeout must be positive when heartbeats are on";
    if (cfg.reconnection.base_delay.count() <= 0 || cfg.reconnection.max_delay < cfg.reconnection.base_delay)
        return "cluster_config.reconnection needs 0 < base_delay <= max_delay";
    if (cfg.max_schema_agreement_wait.count() < 0) return "cluster_config.max_schema_agreement_wait must not be negative";
    if (cfg.event_debounce.count() < 0) return "cluster_config.event_debounce must not be negative";
    auto check_spec = [](const std::optional<speculative_execution>& s, const std::string& where) -> std::string {
        if (!s) return {};
        if (s->max_executions < 1) return where + ".max_executions must be at least 1";
        if (s->delay.count() < 0) return where + ".delay must not be negative";
        return {};
    };
    if (auto e = check_spec(cfg.speculation, "cluster_config.speculation"); !e.empty()) return e;
    for (const auto& [name, p] : cfg.profiles) {
        if (name.empty()) return "cluster_config.profiles has a profile with an empty name";
        if (p.request_timeout && p.request_timeout->count() <= 0)
            return "cluster_config.profiles[\"" + name + "\"].request_timeout must be positive";
        if (auto e = check_spec(p.speculation, "cluster_config.profiles[\"" + name + "\"].speculation"); !e.empty())
            return e;
    }
    return validate_security(cfg);
}

namespace {
// Threaded, the strands are made on what is under a strand the caller
// passed: strands of a strand would run one at a time again.
asio::any_io_executor under_strand(const asio::any_io_executor& ex) {
    // (Asio 1.22's target<T>() does not check the type itself.)
    using any_strand = asio::strand<asio::any_io_executor>;
    using io_strand = asio::strand<asio::io_context::executor_type>;
    if (ex.target_type() == typeid(any_strand)) return ex.target<any_strand>()->get_inner_executor();
    if (ex.target_type() == typeid(io_strand)) return ex.target<io_strand>()->get_inner_executor();
    return ex;
}
}  // namespace

cluster_impl::cluster_impl(asio::any_io_executor ex, cluster_config cfg, std::shared_ptr<const tls_context> tls)
    : cfg_(std::move(cfg)),
      base_ex_(threaded_ ? under_strand(ex) : ex),
      ex_(threaded_ ? asio::any_io_executor(asio::make_strand(base_ex_)) : std::move(ex)),
      tls_(std::move(tls)),
      lb_(cfg_.load_balancing ? cfg_.load_balancing : default_load_balancing()),
      retry_(cfg_.retry ? cfg_.retry : default_retry()),
      ring_(std::make_unique<token_ring>()),
      refresh_timer_(ex_, asio::steady_timer::time_point::max()),
      pool_changed_(ex_, asio::steady_timer::time_point::max()),
      control_wait_(ex_) {
    counters_->many_writers = threaded_;
    if (threaded_) {
        loops_ = std::make_unique<shard_loops>(cfg_.io_threads);
        // A strand on a loop run by one thread orders nothing more, but lets
        // a caller tell which shard it runs on and hop onto one (async_run).
        for (std::size_t i = 0; i < loops_->size(); ++i) {
            shards_.push_back(asio::make_strand(loops_->executor(i)));
            shard_ex_.emplace_back(shards_.back());  // made once: a copy is then a reference count, not an allocation
        }
        routing_mutexes_ = std::make_unique<routing_mutex[]>(shards_.size());
    }
    if (!threaded_)
        timeouts_.push_back(std::make_shared<timeout_queue>(ex_));
    for (const auto& sh : shards_) timeouts_.push_back(std::make_shared<timeout_queue>(sh));
}

timeout_queue* cluster_impl::timeouts_here() const noexcept {
    if (!threaded_) return timeouts_.front().get();
    const auto here = current_shard();
    return here < timeouts_.size() ? timeouts_[here].get() : nullptr;
}

std::size_t cluster_impl::current_shard() const noexcept {
    // Each loop runs only its shard's strand, so the loop's thread is the shard.
    return loops_ ? loops_->current() : 0;
}

asio::any_io_executor cluster_impl::request_executor() const {
    if (!threaded_) return ex_;
    // Staying on the caller's shard saves a hop each way.
    const auto here = current_shard();
    if (here < shards_.size()) return shard_ex_[here];
    return shard_ex_[next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
}

cluster_impl::~cluster_impl() {
    if (!loops_) return;
    // The last reference may go on a shard's own thread (a request ending
    // after every handle is gone): that loop cannot be joined from itself.
    if (loops_->on_loop_thread())
        shard_loops::retire(std::move(loops_));
    else
        loops_->stop_and_join();  // the members' sockets and timers go next, the loops last
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::open_one(const std::string& address, std::uint16_t port,
                                                                    int version, std::error_code& ec,
                                                                    diagnostics& diag, bool control) {
    co_return co_await start_connection(make_connection(address, port, version, control), ec, diag);
}

spawn_guard cluster_impl::guard(std::string what, std::function<void()> restart) const {
    spawn_guard::options o{log_, std::move(what), coroutine_failures_, {}, {}, cfg_.reconnection.base_delay};
    if (restart) {
        o.ex = ex_;
        o.restart = [w = std::weak_ptr<const cluster_impl>(weak_from_this()), restart = std::move(restart)] {
            if (auto self = w.lock(); self && !self->shut_down_) restart();
        };
    }
    return spawn_guard(std::move(o));
}

std::shared_ptr<request_metrics> cluster_impl::host_metrics(const std::string& endpoint, std::size_t shard) const {
    if (!metrics_ || !metrics_->counting()) return nullptr;
    // Aliasing: the block's owner is the registry.
    return std::shared_ptr<request_metrics>(metrics_, &metrics_->host(endpoint, shard));
}

std::shared_ptr<connection> cluster_impl::make_connection(const std::string& address, std::uint16_t port, int version,
                                                          bool control, std::shared_ptr<request_metrics> metrics,
                                                          std::size_t shard) {
    connection_params p;
    p.host = address;
    p.port = port;
    p.protocol_version = version;
    p.compression = cfg_.compression;
    p.connect_timeout = cfg_.connect_timeout;
    p.max_requests = cfg_.max_requests_per_connection;
    p.max_queued = cfg_.max_queued_requests;
    p.max_orphaned = cfg_.max_orphaned_streams;
    p.tls = tls_;
    p.auth = cfg_.auth;
    p.metrics = std::move(metrics);
    // Threaded: a pool connection reads, writes and encodes on its shard's
    // strand, where the requests running on that shard use it without a
    // hop; the control connection stays on the cluster's strand, whose state
    // its events change.
    p.own_strand = threaded_ && !control;
    if (p.own_strand) p.shard = shard % shards_.size();
    auto ex = p.own_strand ? shard_ex_[p.shard] : ex_;
    return std::make_shared<connection>(std::move(ex), std::move(p), control ? nullptr : counters_);
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::start_connection(std::shared_ptr<connection> c,
                                                                            std::error_code& ec, diagnostics& diag) {
    if (c->own_strand())
        ec = co_await asio::co_spawn(c->get_executor(), c->start(diag), asio::use_awaitable);
    else
        ec = co_await c->start(diag);
    if (ec) co_return nullptr;
    if (c->counters_shared()) opened_.store(opened_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    co_return c;
}

const execution_profile* cluster_impl::profile(const std::string& name, diagnostics& diag, std::error_code& ec) const {
    if (name.empty()) return nullptr;
    auto it = cfg_.profiles.find(name);
    if (it != cfg_.profiles.end()) return &it->second;
    std::string known;
    for (const auto& [n, p] : cfg_.profiles) known += (known.empty() ? "" : ", ") + n;
    diag.assign("no execution profile named '" + name + "' (cluster_config.profiles has: " +
                (known.empty() ? "none" : known) + ")");
    ec = client_errc::invalid_request;
    return nullptr;
}

load_balancing_policy& cluster_impl::load_balancing(const execution_profile* p) const {
    return p && p->load_balancing ? *p->load_balancing : *lb_;
}

retry_policy& cluster_impl::retry(const execution_profile* p) const { return p && p->retry ? *p->retry : *retry_; }

std::span<const host_ptr> cluster_impl::replicas(std::string_view keyspace, std::int64_t token) const {
    return ring_->replicas(keyspace, token);
}

void cluster_impl::plan(const request_routing& r, const execution_profile* p, std::vector<host_ptr>& out) const {
    auto lock = snapshot_lock();
    auto& lb = load_balancing(p);
    // A policy that cannot plan on several shards at once plans (and is asked for distances) one at a time.
    std::unique_lock<std::mutex> one_at_a_time;
    if (threaded_ && !lb.concurrent_plans()) one_at_a_time = std::unique_lock<std::mutex>(policy_mutex_);
    const std::size_t from = out.size();
    lb.plan(r, out);
    out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(),
                             [&](const host_ptr& h) { return !h->is_up() || !h->pool || lb.distance(*h) == host_distance::ignored; }),
              out.end());
}

std::shared_ptr<connection> cluster_impl::connection_to(const host& h) const {
    auto lock = snapshot_lock();
    return h.pool ? h.pool->pick() : nullptr;
}

bool cluster_impl::pools_connecting() const {
    for (const auto& [ep, p] : pools_)
        if (!p->initialized() || (p->get_host()->is_up() && !p->pick())) return true;
    return false;
}

asio::awaitable<void> cluster_impl::wait_pool_change(std::chrono::steady_clock::time_point until) {
    asio::steady_timer t(ex_, until);
    // pool_changed_ never expires: its cancellation (on a change) or our own timer ends the wait.
    std::error_code ec;
    auto self = shared_from_this();
    t.async_wait([self](std::error_code e) {
        if (!e) self->pool_changed_.cancel();
    });
    co_await pool_changed_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    t.cancel();
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::acquire_here(std::error_code& ec, diagnostics& diag,
                                                                        std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + (timeout.count() > 0 ? timeout : cfg_.request_timeout);
    std::vector<host_ptr> hosts;
    for (;;) {
        if (closed()) {
            ec = client_errc::session_closed;
            diag.assign("the cluster is closed");
            co_return nullptr;
        }
        hosts.clear();
        request_routing r;
        plan(r, nullptr, hosts);
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
    std::string why;
    for (const auto& [ep, p] : pools_)
        why += (why.empty() ? "" : "; ") + ep + ": " + (p->last_error().empty() ? "no connection open" : p->last_error());
    ec = client_errc::no_host_available;
    diag.assign("no host has a connection open" + (why.empty() ? std::string() : " (" + why + ")"));
    co_return nullptr;
}

// What callers on any executor await: each runs on ex_.
asio::awaitable<std::error_code> cluster_impl::connect(diagnostics& diag) {
    auto op = [self = shared_from_this(), d = &diag] {
        return keep_alive_op<void>(self, [c = self.get(), d] { return c->connect_here(*d); });
    };
    co_return (co_await run_on<void>(ex_, op)).first;
}

asio::awaitable<std::shared_ptr<connection>> cluster_impl::acquire(std::error_code& ec, diagnostics& diag,
                                                                   std::chrono::milliseconds timeout) {
    // The caller is suspended until op ends: it may write `ec` and `diag`.
    auto op = [self = shared_from_this(), e = &ec, d = &diag, timeout] {
        return keep_alive_op<std::shared_ptr<connection>>(
            self, [c = self.get(), e, d, timeout] { return c->acquire_here(*e, *d, timeout); });
    };
    auto r = co_await run_on<std::shared_ptr<connection>>(ex_, op);
    if (r.first) ec = r.first;
    co_return std::move(r.second);
}

asio::awaitable<bool> cluster_impl::wait_schema_agreement() {
    auto op = [self = shared_from_this()] {
        return keep_alive_op<bool>(self, [c = self.get()] { return c->agree_here(); });
    };
    co_return (co_await run_on<bool>(ex_, op)).second;
}

asio::awaitable<void> cluster_impl::close() {
    auto op = [self = shared_from_this()] {
        return keep_alive_op<void>(self, [c = self.get()] { return c->close_here(); });
    };
    co_await run_on<void>(ex_, op);
}

void cluster_impl::host_up(const host_ptr& h) {
    h->set_up(true);
    log_.info([&] { return "host " + h->endpoint() + " is up"; });
    on_pool_change();
}

void cluster_impl::host_down(const host_ptr& h, const std::string& why) {
    h->set_up(false);
    log_.warn([&] { return "host " + h->endpoint() + " is down: " + why; });
    on_pool_change();
}

void cluster_impl::on_pool_change() {
    pool_changed_.cancel();
    if (closing_ && drained())
        for (auto* t : drain_waiters_) t->cancel();
}

std::size_t cluster_impl::open_connections() const {
    auto lock = snapshot_lock();
    std::size_t n = 0;
    for (const auto& [ep, p] : pools_) n += p->open_connections();
    return n;
}

bool cluster_impl::drained() const {
    return std::all_of(pools_.begin(), pools_.end(), [](const auto& e) { return e.second->drained(); });
}

asio::awaitable<void> cluster_impl::close_here() {
    closing_ = true;
    if (!shut_down_ && !drained()) {
        asio::steady_timer deadline(ex_, cfg_.close_timeout);
        drain_waiters_.push_back(&deadline);
        for (;;) {
            std::error_code ec;
            co_await deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (!ec || shut_down_ || drained()) break;  // the deadline, or done
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) break;  // the caller gave up waiting
        }
        std::erase(drain_waiters_, &deadline);
    }
    shutdown();
}

void cluster_impl::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    closing_ = true;
    auto lock = snapshot_write_lock();
    // Requests in flight learn why their connection went away.
    for (auto& [ep, p] : pools_) p->close("cluster closed", client_errc::session_closed);
    for (auto& h : hosts_) h->pool = nullptr;
    if (control_) control_->close("cluster closed", client_errc::session_closed);
    refresh_timer_.cancel();
    pool_changed_.cancel();
    control_wait_.cancel();
    for (auto* t : drain_waiters_) t->cancel();
}

}  // namespace async_cassandra::detail

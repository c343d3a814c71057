#include "cluster/host_pool.hpp"

#include "cluster/cluster_impl.hpp"
#include "cluster/prepare_on_hosts.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace async_cassandra::detail {

namespace {

// base * 2^failures capped at max, drawn from [d/2, d] so that clients that
// lost a node together do not come back in lockstep.
std::chrono::milliseconds backoff(const reconnection_options& o, int failures) {
    auto d = o.base_delay;
    for (int i = 1; i < failures && d < o.max_delay; ++i) d *= 2;
    d = std::min(d, o.max_delay);
    thread_local std::minstd_rand rng{std::random_device{}()};
    const auto half = d.count() / 2;
    return std::chrono::milliseconds(half + static_cast<long>(rng() % static_cast<unsigned long>(half + 1)));
}

}  // namespace

host_pool::host_pool(cluster_impl& cluster, host_ptr h)
    : cluster_(cluster), host_(std::move(h)), wake_(cluster.runtime().executor()) {}

host_pool::~host_pool() = default;

void host_pool::start() {
    // A loop that ended on an exception starts again: a pool left without
    // it would never reconnect its host.
    auto restart = [w = weak_from_this()] {
        auto p = w.lock();
        if (!p || p->closed_) return;
        p->opening_.reset();
        ++p->failures_;
        p->start();
    };
    asio::co_spawn(
        cluster_.runtime().executor(), [self = shared_from_this()] { return self->maintain(); },
        cluster_.guard("the connection pool of " + host_->endpoint(), std::move(restart)));
}

void host_pool::start_heartbeat(const std::shared_ptr<connection>& c) {
    auto restart = [w = weak_from_this(), weak = std::weak_ptr<connection>(c)] {
        auto p = w.lock();
        auto conn = weak.lock();
        if (p && conn && conn->is_open() && !p->closed_) p->start_heartbeat(conn);
    };
    asio::co_spawn(cluster_.runtime().executor(), heartbeat(c),
                   cluster_.guard("the heartbeat of a connection to " + c->endpoint(), std::move(restart)));
}

std::shared_ptr<connection> host_pool::pick() const {
    // On the caller's shard first (no hop there and back), looking only at
    // that shard's connections: reading another shard's counters would
    // move their cache lines over on every request.
    const std::size_t here = cluster_.runtime().current_shard();
    if (here < cluster_.runtime().shard_count()) {
        const std::shared_ptr<connection>* local = nullptr;
        for (const auto& c : conns_)
            if (c->shard() == here && c->accepting() && c->has_room() &&
                (!local || c->reserved() < (*local)->reserved()))
                local = &c;
        if (local) return *local;
    }
    const std::shared_ptr<connection>* best = nullptr;
    for (const auto& c : conns_)
        if (c->accepting() && (!best || c->reserved() < (*best)->reserved())) best = &c;
    return best ? *best : nullptr;
}

// Set before the connection starts: once it reads, its strand may call the
// listener at any time.
void host_pool::listen(connection& c) {
    if (c.own_strand()) {
        // Told on the connection's strand; the pool lives on the
        // cluster's. Going idle is news only to a closing cluster.
        c.on_state_change([w = weak_from_this(), conn = &c, ex = cluster_.runtime().executor()] {
            auto p = w.lock();
            if (!p || (conn->accepting() && !p->cluster_.closed())) return;
            asio::dispatch(ex, [w] {
                if (auto pool = w.lock()) pool->on_connection_change();
            });
        });
    } else {
        c.on_state_change([w = weak_from_this()] {
            if (auto p = w.lock()) p->on_connection_change();
        });
    }
}

std::size_t host_pool::next_shard() const {
    const auto n = cluster_.runtime().shard_count();
    if (n == 0) return 0;
    // The shard with the fewest of this pool's connections, starting from
    // one of the host's own so that hosts with one connection spread too.
    std::vector<std::size_t> used(n, 0);
    for (const auto& c : conns_) ++used[c->shard() % n];
    const std::size_t start = std::hash<std::string>{}(host_->endpoint()) % n;
    std::size_t best = start;
    for (std::size_t k = 0; k < n; ++k) {
        const auto i = (start + k) % n;
        if (used[i] < used[best]) best = i;
    }
    return best;
}

std::size_t host_pool::open_connections() const {
    return static_cast<std::size_t>(
        std::count_if(conns_.begin(), conns_.end(), [](const auto& c) { return c->is_open(); }));
}

void host_pool::add_totals(std::size_t& in_flight, std::size_t& orphaned, std::size_t& queued) const {
    for (const auto* list : {&conns_, &retiring_})
        for (const auto& c : *list) {
            in_flight += c->in_flight();
            orphaned += c->orphaned();
            queued += c->queued();
        }
}

void host_pool::wake_up() {
    if (std::chrono::steady_clock::now() - last_attempt_ >= cluster_.config().reconnection.base_delay) wake_.cancel();
}

bool host_pool::drained() const {
    auto idle = [](const std::shared_ptr<connection>& c) {
        return !c->is_open() || (c->in_flight() == 0 && c->queued() == 0);
    };
    return std::all_of(conns_.begin(), conns_.end(), idle) && std::all_of(retiring_.begin(), retiring_.end(), idle);
}

void host_pool::close(const std::string& reason, error_code code) {
    if (closed_) return;
    closed_ = true;
    auto lock = cluster_.routing().snapshot_write_lock();
    auto conns = std::move(conns_);
    conns_.clear();
    conns.insert(conns.end(), retiring_.begin(), retiring_.end());
    retiring_.clear();
    for (auto& c : conns) c->close(reason, code);
    if (opening_) opening_->close(reason, code);
    for (auto& t : heartbeat_timers_) t->cancel();
    heartbeat_timers_.clear();
    wake_.cancel();
}

void host_pool::on_connection_change() {
    // Retiring and closed connections leave the active set; the loop refills it.
    bool changed = false;
    const auto& log = cluster_.log();
    auto lock = cluster_.routing().snapshot_write_lock();
    for (auto it = conns_.begin(); it != conns_.end();) {
        if (!(*it)->accepting()) {
            const auto& c = **it;
            if (c.is_open()) {
                retiring_.push_back(*it);
                cluster_.count_replaced();
                log.info([&] { return "connection to " + c.endpoint() + " replaced (" + c.close_reason() + ")"; });
            } else if (!closed_) {
                log.info([&] { return "connection to " + c.endpoint() + " closed: " + c.close_reason(); });
                if (auto o = opened_at_.find(&c); o != opened_at_.end()) {
                    if (std::chrono::steady_clock::now() - o->second < stable_after)
                        died_young_ = true;
                    else
                        failures_ = 0;
                }
            }
            opened_at_.erase(it->get());
            it = conns_.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    std::erase_if(retiring_, [](const auto& c) { return !c->is_open(); });
    lock = {};
    // A connection going idle is no news, except to a close() waiting for that.
    if (changed) wake_.cancel();
    if (changed || cluster_.closed()) cluster_.routing().on_pool_change();
}

asio::awaitable<void> host_pool::maintain() {
    auto self = shared_from_this();  // lives while the loop runs
    auto keep = cluster_.shared_from_this();
    const auto& cfg = cluster_.config();
    const std::size_t target = std::max<std::size_t>(1, cfg.connections_per_host);
    while (!closed_) {
        if (conns_.size() < target && std::exchange(died_young_, false)) {
            // Not at once: the handshake succeeded, but the connection did not last.
            wake_.expires_after(backoff(cfg.reconnection, ++failures_));
        } else if (conns_.size() < target) {
            last_attempt_ = std::chrono::steady_clock::now();
            error_code ec;
            diagnostics d;
            const auto shard = next_shard();
            // The host's block of that shard's stripe: shards never write the same counters.
            const int offer = version_ ? version_ : cluster_.control().protocol_version();
            opening_ = cluster_.make_connection(host_->address(), host_->port(), offer, false,
                                                cluster_.host_metrics(host_->endpoint(), shard), shard);
            listen(*opening_);
            auto c = co_await cluster_.start_connection(opening_, ec, d);
            opening_.reset();
            if (closed_) {
                if (c) c->close("cluster closed", client_errc::session_closed);
                break;
            }
            if (c && conns_.empty() && cfg.reprepare_on_up) {
                // Before the host takes requests: a restarted node forgot them.
                (void)co_await prepare_cached_on(cluster_, c, cfg.connect_timeout);
                if (closed_) {
                    c->close("cluster closed", client_errc::session_closed);
                    break;
                }
                if (!c->is_open()) {  // a failed attempt, on the backoff schedule
                    ec = make_error_code(client_errc::connection_closed);
                    d.assign("closed while the cached statements were prepared on it", c->endpoint());
                    c.reset();
                }
            }
            if (c) {
                {
                    auto lock = cluster_.routing().snapshot_write_lock();
                    conns_.push_back(c);
                }
                opened_at_[c.get()] = std::chrono::steady_clock::now();
                cluster_.log().info([&] {
                    return "connection to " + c->endpoint() + " opened (" + std::to_string(conns_.size()) + " of " +
                           std::to_string(target) + ")";
                });
                last_error_.clear();  // failures_ stays until the connection proves stable
                if (!host_->is_up()) cluster_.routing().host_up(host_);
                if (cfg.heartbeat_interval.count() > 0) start_heartbeat(c);
                initialized_ = true;
                cluster_.routing().on_pool_change();  // requests waiting for a connection go on
                continue;
            }
            if (ec == client_errc::protocol_version_rejected && offer > 4) {
                // Each host negotiates its own version: a node still on an
                // older release (a rolling upgrade) gets a pool in the
                // version it speaks, at once and without a backoff.
                version_ = offer - 1;
                cluster_.log().warn([&] {
                    return host_->endpoint() + " refused protocol v" + std::to_string(offer) + ": its pool uses v" +
                           std::to_string(version_);
                });
                continue;
            }
            ++failures_;
            last_error_ = d.message().empty() ? ec.message() : d.message();
            cluster_.log().warn([&] {
                return "connecting to " + host_->endpoint() + " failed (attempt " + std::to_string(failures_) +
                       "): " + last_error_;
            });
            if (conns_.empty() && host_->is_up()) cluster_.routing().host_down(host_, last_error_);
            if (!initialized_) {
                initialized_ = true;
                cluster_.routing().on_pool_change();
            }
            wake_.expires_after(backoff(cfg.reconnection, failures_));
        } else {
            wake_.expires_at(asio::steady_timer::time_point::max());
        }
        error_code ignored;
        co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

// A connection that has read nothing for heartbeat_interval sends OPTIONS;
// no answer within heartbeat_timeout means the peer is gone (or stuck
// mid-frame) and the connection closes, failing what it carries.
asio::awaitable<void> host_pool::heartbeat(std::weak_ptr<connection> weak) {
    auto keep = cluster_.shared_from_this();
    const auto interval = cluster_.config().heartbeat_interval;
    const auto timeout = cluster_.config().heartbeat_timeout;
    auto timer_ptr = std::make_shared<asio::steady_timer>(cluster_.runtime().executor());
    heartbeat_timers_.push_back(timer_ptr);
    auto& timer = *timer_ptr;
    struct forget {  // drops the timer from the pool's list when the loop ends
        host_pool& p;
        asio::steady_timer* t;
        ~forget() {
            std::erase_if(p.heartbeat_timers_, [this](const auto& x) { return x.get() == t; });
        }
    } forget_timer{*this, timer_ptr.get()};
    for (;;) {
        auto c = weak.lock();
        if (!c || !c->is_open() || closed_) co_return;
        const auto due = c->last_read() + interval;
        c.reset();
        if (due > std::chrono::steady_clock::now()) {
            timer.expires_at(due);
            error_code ignored;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            continue;
        }
        c = weak.lock();
        if (!c || !c->is_open()) co_return;
        auto signal = std::make_shared<asio::cancellation_signal>();
        auto answered = std::make_shared<bool>(false);
        timer.expires_after(timeout);
        timer.async_wait([signal, answered](error_code ec) {
            if (!ec && !*answered) signal->emit(asio::cancellation_type::terminal);
        });
        error_code ec;
        co_await c->async_request(
            protocol::opcode::options, 0, [](protocol::byte_writer&) {},
            asio::bind_cancellation_slot(signal->slot(), asio::redirect_error(asio::use_awaitable, ec)));
        *answered = true;
        timer.cancel();
        if (ec == asio::error::operation_aborted && c->is_open()) {
            c->close("no answer to a heartbeat within " + std::to_string(timeout.count()) +
                     " ms (cluster_config.heartbeat_timeout): the connection is dead");
            co_return;
        }
        if (ec) {
            if (!c->is_open() || closed_) co_return;  // closed meanwhile
            // Refused but open (every stream id busy and no queue room): the
            // connection stays watched; the next try comes an interval later.
            c.reset();
            timer.expires_after(interval);
            error_code ignored;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }
}

}  // namespace async_cassandra::detail

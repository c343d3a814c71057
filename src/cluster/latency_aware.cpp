#include "cluster/latency_aware.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

namespace async_cassandra::detail {

namespace {

std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t positive_ns(std::chrono::milliseconds d, const char* name) {
    if (d.count() <= 0)
        throw std::invalid_argument(std::string("latency_aware_options::") + name + " must be positive, not " +
                                    std::to_string(d.count()) + " ms");
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// What says something about a host's speed: an answer, or a timeout. Other
// errors come back fast whatever the host's load.
bool measured(error_code ec) {
    return !ec || ec == server_errc::read_timeout || ec == server_errc::write_timeout ||
           ec == client_errc::request_timeout;
}

}  // namespace

void latency_tracker::add(std::int64_t latency_ns, std::int64_t now_ns, std::int64_t scale_ns,
                          std::uint64_t warm_up) noexcept {
    const auto n = measured_.fetch_add(1, std::memory_order_relaxed);
    auto previous = updated_.load(std::memory_order_relaxed);
    if (n < warm_up) {
        updated_.store(now_ns, std::memory_order_relaxed);
        return;
    }
    const auto average = average_.load(std::memory_order_relaxed);
    if (average < 0) {
        average_.store(latency_ns, std::memory_order_relaxed);
        updated_.store(now_ns, std::memory_order_relaxed);
        return;
    }
    const auto delay = now_ns - previous;
    // The same instant as the last sample (or another thread recording one
    // now): no weight to give, keep the one already there.
    if (delay <= 0 || !updated_.compare_exchange_strong(previous, now_ns, std::memory_order_relaxed)) return;
    // The Java and C/C++ drivers' weight: the longer since the last sample,
    // the more the new one counts.
    const double scaled = static_cast<double>(delay) / static_cast<double>(scale_ns);
    const double weight = std::log1p(scaled) / scaled;
    average_.store(static_cast<std::int64_t>((1.0 - weight) * static_cast<double>(latency_ns) +
                                             weight * static_cast<double>(average)),
                   std::memory_order_relaxed);
}

latency_tracker::snapshot latency_tracker::read() const noexcept {
    return {average_.load(std::memory_order_relaxed), measured_.load(std::memory_order_relaxed),
            updated_.load(std::memory_order_relaxed)};
}

latency_aware_policy::latency_aware_policy(std::shared_ptr<load_balancing_policy> child, latency_aware_options o,
                                           clock_fn clock)
    : child_(std::move(child)),
      o_(o),
      clock_(clock ? std::move(clock) : clock_fn(steady_ns)),
      scale_ns_(positive_ns(o.scale, "scale")),
      retry_ns_(positive_ns(o.retry_period, "retry_period")),
      update_ns_(positive_ns(o.update_rate, "update_rate")),
      warm_up_(o.min_measured * 3 / 10) {
    if (!child_) throw std::invalid_argument("latency_aware: the child policy is null");
    if (!(o.exclusion_threshold >= 1.0))
        throw std::invalid_argument("latency_aware_options::exclusion_threshold must be at least 1, not " +
                                    std::to_string(o.exclusion_threshold));
}

void latency_aware_policy::on_hosts(std::span<const host_ptr> hosts, const host_ptr& contact) {
    child_->on_hosts(hosts, contact);
    decltype(trackers_) next;
    for (const auto& h : hosts) {
        auto it = trackers_.find(h.get());
        next.emplace(h.get(), it != trackers_.end() ? std::move(it->second) : std::make_unique<latency_tracker>());
    }
    trackers_ = std::move(next);
}

void latency_aware_policy::on_latency(const host& h, std::chrono::nanoseconds latency, error_code ec) noexcept {
    if (!measured(ec)) return;
    auto it = trackers_.find(&h);
    if (it == trackers_.end()) return;  // removed since the attempt began
    it->second->add(latency.count(), clock_(), scale_ns_, warm_up_);
}

std::int64_t latency_aware_policy::best_at(std::int64_t now) {
    auto last = best_computed_.load(std::memory_order_relaxed);
    // One plan in each update_rate recomputes; the others use the last result.
    if ((last != never && now - last < update_ns_) ||
        !best_computed_.compare_exchange_strong(last, now, std::memory_order_relaxed))
        return best_.load(std::memory_order_relaxed);
    std::int64_t best = -1;
    for (const auto& [h, t] : trackers_) {
        const auto s = t->read();
        // A host silent for retry_period no longer says what "fast" is.
        if (s.average_ns < 0 || s.measured < o_.min_measured || now - s.updated_ns > retry_ns_) continue;
        if (best < 0 || s.average_ns < best) best = s.average_ns;
    }
    best_.store(best, std::memory_order_relaxed);
    return best;
}

bool latency_aware_policy::excluded_at(const host& h, std::int64_t now, std::int64_t best) const {
    if (best <= 0) return false;
    auto it = trackers_.find(&h);
    if (it == trackers_.end()) return false;
    const auto s = it->second->read();
    return s.average_ns >= 0 && s.measured >= o_.min_measured &&
           static_cast<double>(s.average_ns) > o_.exclusion_threshold * static_cast<double>(best) &&
           now - s.updated_ns <= retry_ns_;
}

bool latency_aware_policy::excluded(const host& h) {
    const auto now = clock_();
    return excluded_at(h, now, best_at(now));
}

void latency_aware_policy::plan(const request_routing& r, std::vector<host_ptr>& out) {
    const std::size_t from = out.size();
    child_->plan(r, out);
    const auto now = clock_();
    const auto best = best_at(now);
    if (best <= 0) return;
    // Stable and in place (no allocation): each slow host rotates to the end.
    auto end = out.end();
    for (auto it = out.begin() + static_cast<std::ptrdiff_t>(from); it != end;) {
        if (excluded_at(**it, now, best)) {
            std::rotate(it, it + 1, out.end());
            --end;
        } else {
            ++it;
        }
    }
}

}  // namespace async_cassandra::detail

namespace async_cassandra {

std::shared_ptr<load_balancing_policy> latency_aware(std::shared_ptr<load_balancing_policy> child,
                                                     latency_aware_options options) {
    return std::make_shared<detail::latency_aware_policy>(std::move(child), options);
}

}  // namespace async_cassandra

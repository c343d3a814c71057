// The built-in load-balancing and retry policies.
#include <async_cassandra/policies.hpp>

#include <async_cassandra/detail/striped_counter.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <random>

namespace async_cassandra {

namespace {

bool is_local_cl(consistency c) {
    return c == consistency::local_one || c == consistency::local_quorum || c == consistency::local_serial;
}

std::minstd_rand& rng() {
    thread_local std::minstd_rand r{std::random_device{}()};
    return r;
}

class dc_aware_policy final : public load_balancing_policy {
public:
    explicit dc_aware_policy(dc_aware_options o) : opts_(std::move(o)) {}

    void on_hosts(std::span<const host_ptr> hosts, const host_ptr& contact) override {
        if (local_dc_.empty())
            local_dc_ = !opts_.local_dc.empty() ? opts_.local_dc : contact ? contact->datacenter() : "";
        local_.clear();
        remote_.clear();
        std::map<std::string, std::vector<host_ptr>> by_dc;
        // The local rack's hosts first (each part turns on its own), in two
        // passes: std::stable_partition would take a temporary buffer.
        for (const bool rack : {true, false}) {
            for (const auto& h : hosts)
                if ((local_dc_.empty() || h->datacenter() == local_dc_) && preferred(*h) == rack) local_.push_back(h);
            if (rack) in_rack_ = local_.size();
        }
        for (const auto& h : hosts)
            if (!local_dc_.empty() && h->datacenter() != local_dc_) by_dc[h->datacenter()].push_back(h);
        for (auto& [dc, list] : by_dc)
            for (std::size_t i = 0; i < list.size() && i < opts_.used_hosts_per_remote_dc; ++i)
                remote_.push_back(list[i]);
    }

    host_distance distance(const host& h) const override {
        if (local_dc_.empty() || h.datacenter() == local_dc_) return host_distance::local;
        for (const auto& r : remote_)
            if (r.get() == &h) return host_distance::remote;
        return host_distance::ignored;
    }

    bool preferred(const host& h) const override {
        return !opts_.local_rack.empty() && h.rack() == opts_.local_rack &&
               (local_dc_.empty() || h.datacenter() == local_dc_);
    }

    void plan(const request_routing& r, std::vector<host_ptr>& out) override {
        // Each shard turns a counter of its own: one shared would move between cores on every plan.
        auto& next = next_[detail::this_thread_stripe() % next_.size()].value;
        const std::size_t turn = next.load(std::memory_order_relaxed);
        next.store(turn + 1, std::memory_order_relaxed);  // shards sharing a stripe may skip a turn: harmless
        // The local rack's hosts (none without local_rack), then the rest of the DC.
        const auto rotate = [&](std::size_t from, std::size_t to) {
            const std::size_t n = to - from;
            for (std::size_t i = 0; i < n; ++i) out.push_back(local_[from + (turn + i) % n]);
        };
        rotate(0, in_rack_);
        rotate(in_rack_, local_.size());
        if (!is_local_cl(r.consistency_level) || opts_.allow_remote_dcs_for_local_cl)
            out.insert(out.end(), remote_.begin(), remote_.end());
    }
    bool concurrent_plans() const noexcept override { return true; }

private:
    dc_aware_options opts_;
    std::string local_dc_;
    std::vector<host_ptr> local_, remote_;
    std::size_t in_rack_ = 0;  // local_[0, in_rack_) are the local rack's
    struct alignas(64) counter {
        std::atomic<std::size_t> value{0};
    };
    std::array<counter, detail::max_stripes> next_{};
};

class token_aware_policy final : public load_balancing_policy {
public:
    token_aware_policy(std::shared_ptr<load_balancing_policy> child, bool shuffle)
        : child_(std::move(child)), shuffle_(shuffle) {}

    void on_hosts(std::span<const host_ptr> hosts, const host_ptr& contact) override {
        child_->on_hosts(hosts, contact);
    }
    host_distance distance(const host& h) const override { return child_->distance(h); }
    bool preferred(const host& h) const override { return child_->preferred(h); }

    void plan(const request_routing& r, std::vector<host_ptr>& out) override {
        const std::size_t first = out.size();
        // Preferred local replicas (the local rack's), the other local ones,
        // then remote ones the child would use.
        for (int pass = 0; pass < 3; ++pass) {
            const std::size_t from = out.size();
            for (const auto& h : r.replicas) {
                const auto d = child_->distance(*h);
                const bool local = d == host_distance::local;
                if ((pass == 0 && local && child_->preferred(*h)) || (pass == 1 && local && !child_->preferred(*h)) ||
                    (pass == 2 && d == host_distance::remote))
                    out.push_back(h);
            }
            if (shuffle_ && out.size() - from > 1) std::shuffle(out.begin() + from, out.end(), rng());
        }
        const std::size_t replicas_end = out.size();
        child_->plan(r, out);
        if (replicas_end == first) return;
        // Drop the child's copies of the replicas already listed.
        auto listed = [&](const host_ptr& h) {
            return std::find(out.begin() + first, out.begin() + replicas_end, h) != out.begin() + replicas_end;
        };
        out.erase(std::remove_if(out.begin() + replicas_end, out.end(), listed), out.end());
    }
    // Its own state is read-only in plan() (the shuffle's generator is per thread).
    bool concurrent_plans() const noexcept override { return child_->concurrent_plans(); }
    bool tracks_latency() const noexcept override { return child_->tracks_latency(); }
    void on_latency(const host& h, std::chrono::nanoseconds latency, error_code ec) noexcept override {
        child_->on_latency(h, latency, ec);
    }

private:
    std::shared_ptr<load_balancing_policy> child_;
    bool shuffle_;
};

class host_filter_policy final : public load_balancing_policy {
public:
    host_filter_policy(std::shared_ptr<load_balancing_policy> child, std::function<bool(const host&)> accept)
        : child_(std::move(child)), accept_(std::move(accept)) {}

    void on_hosts(std::span<const host_ptr> hosts, const host_ptr& contact) override {
        std::vector<host_ptr> kept;
        for (const auto& h : hosts)
            if (accept_(*h)) kept.push_back(h);
        child_->on_hosts(kept, contact && accept_(*contact) ? contact : (kept.empty() ? nullptr : kept.front()));
    }
    host_distance distance(const host& h) const override {
        return accept_(h) ? child_->distance(h) : host_distance::ignored;
    }
    bool preferred(const host& h) const override { return child_->preferred(h); }
    void plan(const request_routing& r, std::vector<host_ptr>& out) override {
        const std::size_t from = out.size();
        child_->plan(r, out);
        out.erase(std::remove_if(out.begin() + from, out.end(), [&](const host_ptr& h) { return !accept_(*h); }),
                  out.end());
    }
    bool tracks_latency() const noexcept override { return child_->tracks_latency(); }
    void on_latency(const host& h, std::chrono::nanoseconds latency, error_code ec) noexcept override {
        child_->on_latency(h, latency, ec);
    }

private:
    std::shared_ptr<load_balancing_policy> child_;
    std::function<bool(const host&)> accept_;
};

class default_retry_policy final : public retry_policy {
public:
    retry_decision decide(const retry_context& c) override {
        if (c.retries >= 3) return retry_decision::rethrow();
        const auto& e = c.error;
        if (e == server_errc::read_timeout) {
            // Enough replicas answered but the one asked for data did not:
            // a second try usually finds it.
            if (c.retries == 0 && c.details && c.details->received >= c.details->block_for && !c.details->data_present)
                return retry_decision::same_host();
            return retry_decision::rethrow();
        }
        if (e == server_errc::write_timeout) {
            const auto& wt = c.details ? c.details->write_type : std::string();
            if (c.retries == 0 && c.idempotent && (wt == "SIMPLE" || wt == "BATCH" || wt == "UNLOGGED_BATCH"))
                return retry_decision::same_host();
            return retry_decision::rethrow();
        }
        if (e == server_errc::unavailable)
            return c.retries == 0 ? retry_decision::next_host() : retry_decision::rethrow();
        // Refused before running: safe to send elsewhere.
        if (e == server_errc::overloaded || e == server_errc::is_bootstrapping) return retry_decision::next_host();
        if (e == client_errc::connection_closed || e == client_errc::request_timeout ||
            e == client_errc::connect_failed || e == client_errc::protocol_violation ||
            e == server_errc::server_error || e == server_errc::truncate_error)
            return c.idempotent || !c.maybe_applied ? retry_decision::next_host() : retry_decision::rethrow();
        return retry_decision::rethrow();
    }
};

class fallthrough_retry_policy final : public retry_policy {
public:
    retry_decision decide(const retry_context&) override { return retry_decision::rethrow(); }
};

}  // namespace

std::shared_ptr<load_balancing_policy> dc_aware_round_robin(dc_aware_options options) {
    return std::make_shared<dc_aware_policy>(std::move(options));
}

std::shared_ptr<load_balancing_policy> token_aware(std::shared_ptr<load_balancing_policy> child,
                                                   bool shuffle_replicas) {
    return std::make_shared<token_aware_policy>(std::move(child), shuffle_replicas);
}

std::shared_ptr<load_balancing_policy> host_filter(std::shared_ptr<load_balancing_policy> child,
                                                   std::function<bool(const host&)> accept) {
    return std::make_shared<host_filter_policy>(std::move(child), std::move(accept));
}

std::shared_ptr<load_balancing_policy> default_load_balancing() { return token_aware(dc_aware_round_robin()); }

std::shared_ptr<retry_policy> default_retry() { return std::make_shared<default_retry_policy>(); }
std::shared_ptr<retry_policy> fallthrough_retry() { return std::make_shared<fallthrough_retry_policy>(); }

}  // namespace async_cassandra

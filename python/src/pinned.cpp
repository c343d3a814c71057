#include "pinned.hpp"

#include "retry.hpp"

#include <async_cassandra/policies.hpp>

namespace acpy {
namespace {

// The plan is the slot's host alone (none when it is not a host of the
// cluster, or is down: the request then fails with no_host_available).
class pinned_policy final : public ac::load_balancing_policy {
public:
    pinned_policy(std::shared_ptr<pinned_hosts> table, std::size_t slot) : table_(std::move(table)), slot_(slot) {}
    void on_hosts(std::span<const ac::host_ptr> hosts, const ac::host_ptr&) override {
        hosts_.assign(hosts.begin(), hosts.end());
    }
    ac::host_distance distance(const ac::host&) const override { return ac::host_distance::local; }
    void plan(const ac::request_routing&, std::vector<ac::host_ptr>& out) override {
        const auto target = table_->target(slot_);
        for (const auto& h : hosts_)
            if (h->endpoint() == target) out.push_back(h);
    }

private:
    std::shared_ptr<pinned_hosts> table_;
    std::size_t slot_;
    std::vector<ac::host_ptr> hosts_;
};

// Whatever the slot's policy decides (a slot's policy, once given, stays).
class slot_retry final : public ac::retry_policy {
public:
    slot_retry(std::shared_ptr<pinned_hosts> table, std::size_t slot) : table_(std::move(table)), slot_(slot) {}
    ac::retry_decision decide(const ac::retry_context& c) override { return table_->retry(slot_)->decide(c); }

private:
    std::shared_ptr<pinned_hosts> table_;
    std::size_t slot_;
};

std::string host_profile_name(std::size_t i) { return "__ac_host_" + std::to_string(i); }
std::string retry_profile_name(std::size_t j) { return "__ac_retry_" + std::to_string(j); }

}  // namespace

pinned_hosts::pinned_hosts(std::size_t host_slots, std::size_t retry_slots, std::shared_ptr<ac::retry_policy> fallback)
    : host_slots_(host_slots), slots_(host_slots + retry_slots), fallback_(std::move(fallback)) {}

std::shared_ptr<pinned_hosts> pinned_hosts::install(ac::cluster_config& cfg, std::size_t host_slots,
                                                    std::size_t retry_slots) {
    auto table = std::make_shared<pinned_hosts>(host_slots, retry_slots, cfg.retry ? cfg.retry : ac::default_retry());
    for (std::size_t i = 0; i < host_slots + retry_slots; ++i) {
        ac::execution_profile p;
        p.retry = std::make_shared<slot_retry>(table, i);
        if (i < host_slots) {
            p.load_balancing = std::make_shared<pinned_policy>(table, i);
            cfg.profiles.emplace(host_profile_name(i), std::move(p));
        } else {
            cfg.profiles.emplace(retry_profile_name(i - host_slots), std::move(p));
        }
    }
    return table;
}

std::string pinned_hosts::profile_for(const std::string& endpoint, const std::string& retry_key,
                                      nb::handle retry_spec) {
    const bool pinned = !endpoint.empty();
    const std::size_t begin = pinned ? 0 : host_slots_, end = pinned ? host_slots_ : slots_.size();
    auto name = [&](std::size_t i) { return pinned ? host_profile_name(i) : retry_profile_name(i - host_slots_); };
    {
        std::lock_guard lock(mu_);
        for (std::size_t i = begin; i < end; ++i)
            if (slots_[i].used && slots_[i].endpoint == endpoint && slots_[i].retry_key == retry_key) return name(i);
    }
    // Made outside the lock: it may run Python (the GIL is held here).
    std::shared_ptr<ac::retry_policy> policy;
    if (!retry_key.empty()) policy = make_retry_policy(retry_spec);
    std::lock_guard lock(mu_);
    for (std::size_t i = begin; i < end; ++i) {
        auto& s = slots_[i];
        if (s.used && s.endpoint == endpoint && s.retry_key == retry_key) return name(i);
        if (!s.used) {
            s.used = true;
            s.endpoint = endpoint;
            s.retry_key = retry_key;
            s.retry = std::move(policy);
            return name(i);
        }
    }
    if (pinned)
        throw nb::value_error(("host=: at most " + std::to_string(host_slots_) +
                               " different hosts (and retry policies with them) per cluster can be named")
                                  .c_str());
    throw nb::value_error(("at most " + std::to_string(slots_.size() - host_slots_) +
                           " different retry policies per cluster besides the cluster's own (reuse the policy objects)")
                              .c_str());
}

std::string pinned_hosts::target(std::size_t i) const {
    std::lock_guard lock(mu_);
    return slots_[i].endpoint;
}

std::shared_ptr<ac::retry_policy> pinned_hosts::retry(std::size_t i) const {
    std::lock_guard lock(mu_);
    return slots_[i].retry ? slots_[i].retry : fallback_;
}

}  // namespace acpy

#include "pinned.hpp"

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

std::string profile_name(std::size_t i) { return "__ac_host_" + std::to_string(i); }

}  // namespace

std::shared_ptr<pinned_hosts> pinned_hosts::install(ac::cluster_config& cfg, std::size_t slots) {
    auto table = std::make_shared<pinned_hosts>(slots);
    for (std::size_t i = 0; i < slots; ++i) {
        ac::execution_profile p;
        p.load_balancing = std::make_shared<pinned_policy>(table, i);
        cfg.profiles.emplace(profile_name(i), std::move(p));
    }
    return table;
}

std::string pinned_hosts::profile_for(const std::string& endpoint) {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < targets_.size(); ++i) {
        if (targets_[i] == endpoint) return profile_name(i);
        if (targets_[i].empty()) {
            targets_[i] = endpoint;
            return profile_name(i);
        }
    }
    throw nb::value_error(
        ("host=: at most " + std::to_string(targets_.size()) + " different hosts per cluster can be named").c_str());
}

std::string pinned_hosts::target(std::size_t i) const {
    std::lock_guard lock(mu_);
    return targets_[i];
}

}  // namespace acpy

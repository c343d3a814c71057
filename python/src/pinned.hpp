// Execution profiles the bridge adds to the cluster's configuration, for
// what a request asks that the engine's request options cannot carry:
//  - execute(host=...): "__ac_host_<i>", each with a load-balancing policy
//    whose plan is that one host;
//  - a retry policy of an ExecutionProfile or a statement (other than the
//    cluster's): "__ac_retry_<j>", the cluster's load balancing.
// Every one of them has a retry policy that asks its slot's policy (the
// cluster's while the slot names none), so a pinned request may have its own
// retry policy too. A slot is given on first use to an (endpoint, retry key)
// and kept; there are `host_slots` and `retry_slots` of them.
#pragma once
#include "engine.hpp"

#include <async_cassandra/config.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace acpy {

class pinned_hosts {
public:
    // Adds the profiles to cfg (after its retry policy is set: the fallback);
    // their policies share the table returned.
    static std::shared_ptr<pinned_hosts> install(ac::cluster_config& cfg, std::size_t host_slots,
                                                 std::size_t retry_slots);
    pinned_hosts(std::size_t host_slots, std::size_t retry_slots, std::shared_ptr<ac::retry_policy> fallback);
    // Loop thread, with the GIL: the profile name for requests to `endpoint`
    // ("address:port"; empty: any host) retried by the policy `retry_key`
    // names (empty: the cluster's). `retry_spec` (retry.hpp) makes that policy
    // when the key has no slot yet. Throws ValueError when every slot of the
    // kind is taken.
    std::string profile_for(const std::string& endpoint, const std::string& retry_key, nb::handle retry_spec);
    // Engine thread (the policies): the endpoint of host slot i.
    std::string target(std::size_t i) const;
    // Engine thread: the retry policy of slot i (host slots first).
    std::shared_ptr<ac::retry_policy> retry(std::size_t i) const;

private:
    struct slot {
        bool used = false;
        std::string endpoint, retry_key;
        std::shared_ptr<ac::retry_policy> retry;  // null: the fallback
    };
    mutable std::mutex mu_;
    std::size_t host_slots_;
    std::vector<slot> slots_;
    std::shared_ptr<ac::retry_policy> fallback_;
};

}  // namespace acpy

// execute(host=...): requests pinned to one host, through execution
// profiles the bridge adds to the cluster's configuration ("__ac_host_<i>"),
// each with a load-balancing policy whose plan is that one host. A slot is
// given to a host on first use and kept; there are `slots` of them.
#pragma once
#include "engine.hpp"

#include <async_cassandra/config.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace acpy {

class pinned_hosts {
public:
    // Adds the profiles to cfg; their policies share the table returned.
    static std::shared_ptr<pinned_hosts> install(ac::cluster_config& cfg, std::size_t slots);
    explicit pinned_hosts(std::size_t slots) : targets_(slots) {}
    // Loop thread: the profile name for `endpoint` ("address:port");
    // throws ValueError when every slot is taken by other hosts.
    std::string profile_for(const std::string& endpoint);
    // Engine thread (the policies): the endpoint of slot i.
    std::string target(std::size_t i) const;

private:
    mutable std::mutex mu_;
    std::vector<std::string> targets_;
};

}  // namespace acpy

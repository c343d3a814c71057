// The soak's command line: the cluster, the load, how long, where
// scripts/cassandra is. Bad input gets a message naming the option.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace soak {

struct options {
    std::vector<std::string> hosts;  // node i+1 of scripts/cassandra is hosts[i]
    std::string cassandra_script;    // scripts/cassandra, run as `<script> kill 2` etc.
    std::chrono::seconds duration{180};
    std::chrono::seconds warm_up{30};
    std::chrono::seconds cool_down{30};
    std::size_t rate = 300;       // requests started per second, whatever happens
    unsigned write_percent = 70;  // the rest are reads
    std::string keyspace = "ac_soak";
};

struct parse_result {
    options opts;
    std::string message;  // non-empty: print it and exit
    bool help = false;
};

parse_result parse(std::span<char* const> args);

}  // namespace soak

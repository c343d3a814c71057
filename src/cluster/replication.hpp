// A keyspace's replication, parsed from its options map
// (system_schema.keyspaces.replication), e.g.
//   {'class': 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2/1'}
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace async_cassandra::detail {

enum class replication_strategy {
    simple,            // SimpleStrategy: the next RF distinct hosts on the ring
    network_topology,  // NetworkTopologyStrategy: RF per datacenter, racks spread
    local,             // LocalStrategy: each host keeps its own copy (system keyspaces)
    everywhere,        // EverywhereStrategy: every host holds everything
    other,             // a class we do not know: no replica computation
};

// "3" or "3/1": all replicas, of which `transient` are transient (Cassandra 4+).
struct replication_factor {
    int all = 0;
    int transient = 0;
    int full() const noexcept { return all - transient; }
    bool operator==(const replication_factor&) const = default;
};

struct replication_options {
    replication_strategy strategy = replication_strategy::other;
    std::string class_name;  // as given
    // simple: its factor. network_topology: the default for datacenters not
    // listed (only when a 'replication_factor' key was given, else all 0).
    replication_factor factor;
    // network_topology: datacenter -> factor, sorted by name.
    std::vector<std::pair<std::string, replication_factor>> datacenters;

    bool operator==(const replication_options&) const = default;
};

struct replication_parse_result {
    replication_options options;
    std::string error;  // empty on success; names the offending key and value
    explicit operator bool() const noexcept { return error.empty(); }
};

// Never throws for bad input: the error says what is wrong. An unknown
// class is not an error (strategy::other).
replication_parse_result parse_replication(const std::map<std::string, std::string>& options);

// Parses "3" or "3/1"; returns an error message about `value`, or empty.
std::string parse_replication_factor(const std::string& value, replication_factor& out);

}  // namespace async_cassandra::detail

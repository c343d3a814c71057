// The fake cluster cql-sim presents: N nodes on 127.0.0.1..N, one rack, one
// data centre (or one per node, by node_data_centers), balanced Murmur3
// tokens, and the system tables describing them.
#pragma once

#include <cql_sim/rules.hpp>

#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/uuid.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cql_sim {

struct topology {
    int nodes = 1;
    std::uint16_t port = 9042;
    std::string data_center = "datacenter1";
    // Node i's data centre when set (missing entries: data_center).
    std::vector<std::string> node_data_centers;
    // What the tables give as node i's address (missing: address(i)) and
    // native port (0: `port`).
    std::vector<std::string> advertised_addresses;
    std::uint16_t advertised_port = 0;
    std::string rack = "rack1";
    std::string release_version = "5.0-sim";
    std::string cluster_name = "cql-sim";

    // Node i (0-based) listens on 127.0.0.(i+1).
    static std::string address(int node);
    // Balanced Murmur3 token of node i, one token per node.
    std::int64_t token(int node) const;
    static ac::uuid host_id(int node);
    const std::string& dc_of(int node) const;
    std::string advertised(int node) const;
    ac::inet_address rpc(int node) const;
    std::int32_t native_port() const { return advertised_port ? advertised_port : port; }

    rows_result local(int node) const;
    rows_result peers(int node) const;  // every node but `node`
    rows_result peers_v2(int node) const;
};

// The answer for a statement no rule matched: system.local / peers / peers_v2
// for the node `node`, else Void.
response default_response(const topology& t, int node, std::string_view query);

}  // namespace cql_sim

// Which hosts hold a token's data, per keyspace: the ring of the hosts'
// tokens and, for each keyspace, its replicas precomputed per token range,
// so a lookup is a binary search and a span (no allocation).
#pragma once

#include "cluster/replication.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace async_cassandra::detail {

// A host's position in the vector the token_map was built from.
using host_index = std::uint32_t;

struct ring_host {
    std::string datacenter;
    std::string rack;
    std::vector<std::int64_t> tokens;  // any order; a host without tokens owns no range
};

// Parses one token of system.local/system.peers `tokens` (a decimal int64);
// returns an error naming the text, or empty.
std::string parse_token(std::string_view text, std::int64_t& out);
// Parses all of them, appending to `out`; stops at the first bad one.
std::string parse_tokens(std::span<const std::string> texts, std::vector<std::int64_t>& out);

// One keyspace's replicas for every ring range. Shared by keyspaces whose
// replication is the same.
struct replica_table {
    // Range r (ending at ring token r) has replicas hosts[offsets[r] .. offsets[r + 1]).
    std::vector<std::uint32_t> offsets;
    std::vector<host_index> hosts;
};

// Thread safety: const member functions may be called concurrently; changing
// keyspaces needs exclusive access (or build a new map and swap it in).
class token_map {
public:
    token_map() = default;  // no hosts: every lookup is empty
    explicit token_map(std::vector<ring_host> hosts);

    const std::vector<ring_host>& hosts() const noexcept { return hosts_; }
    // Distinct tokens on the ring. When hosts claim the same token, the
    // lowest host index owns it.
    std::size_t ring_size() const noexcept { return tokens_.size(); }

    // Computes a keyspace's replicas for every range (or reuses the table of
    // a keyspace with the same options), replacing what it had.
    void set_keyspace(const std::string& keyspace, const replication_options& r);
    void remove_keyspace(std::string_view keyspace);
    // The keyspace's table, to look up without a name; null when unknown.
    // Valid until the keyspace is set again or removed.
    const replica_table* table(std::string_view keyspace) const noexcept;
    // The options set for a keyspace; null when unknown.
    const replication_options* replication(std::string_view keyspace) const noexcept;

    // The hosts holding `token` in `keyspace`, in ring order from the token
    // (the primary replica first); full replicas only (not transient ones).
    // Empty for an unknown keyspace, an empty ring, LocalStrategy (every host
    // holds its own data: no preference) and unknown strategies.
    // The span is valid until the keyspace is set again or removed.
    std::span<const host_index> replicas(std::string_view keyspace, std::int64_t token) const noexcept;
    std::span<const host_index> replicas(const replica_table& table, std::int64_t token) const noexcept;

    // A map of other hosts with the same keyspaces (topology changed).
    token_map with_hosts(std::vector<ring_host> hosts) const;

private:
    struct keyspace_entry {
        replication_options options;
        std::shared_ptr<const replica_table> table;
    };

    std::shared_ptr<const replica_table> compute(const replication_options& r) const;
    void simple(const replication_options& r, replica_table& out) const;
    void everywhere(replica_table& out) const;
    void network_topology(const replication_options& r, replica_table& out) const;

    std::vector<ring_host> hosts_;
    std::vector<std::int64_t> tokens_;      // sorted, distinct
    std::vector<host_index> owners_;        // owner of each ring token
    std::vector<std::string> dcs_;          // datacenter names, by id
    std::vector<std::uint32_t> host_dc_;    // host -> datacenter id
    std::vector<std::uint32_t> host_rack_;  // host -> rack id (racks numbered across datacenters)
    std::size_t rack_count_ = 0;
    std::size_t ring_host_count_ = 0;  // hosts owning at least one token
    std::map<std::string, keyspace_entry, std::less<>> keyspaces_;
};

}  // namespace async_cassandra::detail

// The cluster's token ring: which hosts own a token in a keyspace, from the
// hosts' tokens and each keyspace's replication (token_map), as host_ptrs.
// Rebuilt on topology and schema changes; lookups do not allocate.
#pragma once

#include <async_cassandra/host.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra::detail {

class token_map;
struct replica_table;

class token_ring {
public:
    using replication_map = std::map<std::string, std::map<std::string, std::string>>;
    token_ring();
    ~token_ring();
    // Recomputes the replicas of every keyspace. Keyspaces whose replication
    // cannot be read get none (requests there skip token awareness).
    void rebuild(const std::vector<host_ptr>& hosts, const replication_map& keyspaces);
    // In ring order from the token, the primary replica first.
    std::span<const host_ptr> replicas(std::string_view keyspace, std::int64_t token) const;

private:
    std::unique_ptr<token_map> map_;
    // Each replica table's host indexes as host_ptrs, in the same layout.
    std::map<const replica_table*, std::vector<host_ptr>> hosts_by_table_;
};

}  // namespace async_cassandra::detail

// The cluster's token ring: which hosts own a token in a keyspace, from the
// hosts' tokens and each keyspace's replication. Rebuilt on topology and
// schema changes; lookups do not allocate.
#pragma once

#include <async_cassandra/host.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra::detail {

class token_ring {
public:
    using replication_map = std::map<std::string, std::map<std::string, std::string>>;
    // Recomputes the replicas of every keyspace. Keyspaces whose replication
    // cannot be read get none (requests there skip token awareness).
    void rebuild(const std::vector<host_ptr>& hosts, const replication_map& keyspaces);
    std::span<const host_ptr> replicas(std::string_view keyspace, std::int64_t token) const;

private:
    struct keyspace_ring {
        std::vector<std::int64_t> tokens;                // ascending: the end of each range
        std::vector<std::vector<host_ptr>> replicas;     // per token
    };
    std::map<std::string, keyspace_ring, std::less<>> rings_;
};

}  // namespace async_cassandra::detail

#include "cluster/token_ring.hpp"

#include <algorithm>

namespace async_cassandra::detail {

void token_ring::rebuild(const std::vector<host_ptr>&, const replication_map&) { rings_.clear(); }

std::span<const host_ptr> token_ring::replicas(std::string_view keyspace, std::int64_t token) const {
    auto it = rings_.find(keyspace);
    if (it == rings_.end() || it->second.tokens.empty()) return {};
    const auto& r = it->second;
    auto pos = std::lower_bound(r.tokens.begin(), r.tokens.end(), token);
    const auto i = pos == r.tokens.end() ? 0 : static_cast<std::size_t>(pos - r.tokens.begin());
    return r.replicas[i];
}

}  // namespace async_cassandra::detail

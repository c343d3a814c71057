#include "cluster/token_ring.hpp"

#include "cluster/replication.hpp"
#include "cluster/token_map.hpp"

namespace async_cassandra::detail {

token_ring::token_ring() = default;
token_ring::~token_ring() = default;

void token_ring::rebuild(const std::vector<host_ptr>& hosts, const replication_map& keyspaces) {
    std::vector<ring_host> ring;
    ring.reserve(hosts.size());
    for (const auto& h : hosts) ring.push_back(ring_host{h->datacenter(), h->rack(), h->tokens()});
    auto map = std::make_unique<token_map>(std::move(ring));
    std::map<const replica_table*, std::vector<host_ptr>> by_table;
    for (const auto& [name, options] : keyspaces) {
        auto parsed = parse_replication(options);
        if (!parsed) continue;  // unreadable replication: no token awareness there
        map->set_keyspace(name, parsed.options);
    }
    for (const auto& [name, options] : keyspaces) {
        const auto* table = map->table(name);
        if (!table || by_table.count(table)) continue;
        auto& list = by_table[table];
        list.reserve(table->hosts.size());
        for (auto i : table->hosts) list.push_back(hosts[i]);
    }
    map_ = std::move(map);
    hosts_by_table_ = std::move(by_table);
}

std::span<const host_ptr> token_ring::replicas(std::string_view keyspace, std::int64_t token) const {
    if (!map_) return {};
    const auto* table = map_->table(keyspace);
    if (!table) return {};
    auto it = hosts_by_table_.find(table);
    if (it == hosts_by_table_.end()) return {};
    auto idx = map_->replicas(*table, token);
    if (idx.empty()) return {};
    const auto offset = static_cast<std::size_t>(idx.data() - table->hosts.data());
    return std::span<const host_ptr>(it->second.data() + offset, idx.size());
}

}  // namespace async_cassandra::detail

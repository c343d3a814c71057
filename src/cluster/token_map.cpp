#include "cluster/token_map.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>

namespace async_cassandra::detail {

std::string parse_token(std::string_view text, std::int64_t& out) {
    const auto* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, out);
    if (text.empty() || ec != std::errc{} || p != end)
        return "token '" + std::string(text) + "' is not a 64-bit integer (Murmur3Partitioner)";
    return {};
}

std::string parse_tokens(std::span<const std::string> texts, std::vector<std::int64_t>& out) {
    out.reserve(out.size() + texts.size());
    for (const auto& t : texts) {
        std::int64_t v = 0;
        if (auto e = parse_token(t, v); !e.empty()) return e;
        out.push_back(v);
    }
    return {};
}

token_map::token_map(std::vector<ring_host> hosts) : hosts_(std::move(hosts)) {
    std::vector<std::pair<std::int64_t, host_index>> ring;
    for (std::size_t h = 0; h < hosts_.size(); ++h)
        for (auto t : hosts_[h].tokens) ring.emplace_back(t, static_cast<host_index>(h));
    std::sort(ring.begin(), ring.end());
    // A token claimed twice (a bad topology) goes to the lowest host index.
    ring.erase(std::unique(ring.begin(), ring.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               ring.end());
    tokens_.reserve(ring.size());
    owners_.reserve(ring.size());
    for (const auto& [t, h] : ring) {
        tokens_.push_back(t);
        owners_.push_back(h);
    }

    // Datacenter and rack ids, and which hosts are on the ring.
    std::map<std::string, std::uint32_t, std::less<>> dc_ids;
    std::map<std::pair<std::string, std::string>, std::uint32_t> rack_ids;
    host_dc_.resize(hosts_.size());
    host_rack_.resize(hosts_.size());
    for (std::size_t h = 0; h < hosts_.size(); ++h) {
        const auto& host = hosts_[h];
        auto [dc, added] = dc_ids.try_emplace(host.datacenter, static_cast<std::uint32_t>(dcs_.size()));
        if (added) dcs_.push_back(host.datacenter);
        host_dc_[h] = dc->second;
        auto [rack, _] = rack_ids.try_emplace({host.datacenter, host.rack},
                                              static_cast<std::uint32_t>(rack_ids.size()));
        host_rack_[h] = rack->second;
    }
    rack_count_ = rack_ids.size();
    std::vector<bool> on_ring(hosts_.size());
    for (auto h : owners_) on_ring[h] = true;
    ring_host_count_ = static_cast<std::size_t>(std::count(on_ring.begin(), on_ring.end(), true));
}

void token_map::set_keyspace(const std::string& keyspace, const replication_options& r) {
    std::shared_ptr<const replica_table> table;
    for (const auto& [name, e] : keyspaces_) {
        if (e.options.strategy == r.strategy && e.options.factor == r.factor &&
            e.options.datacenters == r.datacenters) {
            table = e.table;
            break;
        }
    }
    if (!table) table = compute(r);
    keyspaces_.insert_or_assign(keyspace, keyspace_entry{r, std::move(table)});
}

void token_map::remove_keyspace(std::string_view keyspace) {
    if (auto it = keyspaces_.find(keyspace); it != keyspaces_.end()) keyspaces_.erase(it);
}

const replica_table* token_map::table(std::string_view keyspace) const noexcept {
    const auto it = keyspaces_.find(keyspace);
    return it == keyspaces_.end() ? nullptr : it->second.table.get();
}

const replication_options* token_map::replication(std::string_view keyspace) const noexcept {
    const auto it = keyspaces_.find(keyspace);
    return it == keyspaces_.end() ? nullptr : &it->second.options;
}

std::span<const host_index> token_map::replicas(std::string_view keyspace, std::int64_t token) const noexcept {
    const auto* t = table(keyspace);
    return t ? replicas(*t, token) : std::span<const host_index>{};
}

std::span<const host_index> token_map::replicas(const replica_table& table, std::int64_t token) const noexcept {
    if (tokens_.empty() || table.offsets.size() != tokens_.size() + 1) return {};
    // The range (previous token, ring token] holds `token`; past the last
    // ring token it wraps to the first.
    auto r = static_cast<std::size_t>(std::lower_bound(tokens_.begin(), tokens_.end(), token) - tokens_.begin());
    if (r == tokens_.size()) r = 0;
    return std::span<const host_index>(table.hosts).subspan(table.offsets[r], table.offsets[r + 1] - table.offsets[r]);
}

token_map token_map::with_hosts(std::vector<ring_host> hosts) const {
    token_map m(std::move(hosts));
    for (const auto& [name, e] : keyspaces_) m.set_keyspace(name, e.options);
    return m;
}

std::shared_ptr<const replica_table> token_map::compute(const replication_options& r) const {
    auto t = std::make_shared<replica_table>();
    switch (r.strategy) {
        case replication_strategy::simple: simple(r, *t); break;
        case replication_strategy::everywhere: everywhere(*t); break;
        case replication_strategy::network_topology: network_topology(r, *t); break;
        case replication_strategy::local:
        case replication_strategy::other: t->offsets.assign(tokens_.size() + 1, 0); break;
    }
    return t;
}

// SimpleStrategy: from each range's token clockwise, the first RF distinct
// hosts; Cassandra makes the first `full` of them the full replicas, so
// walking for `full` hosts gives exactly those.
void token_map::simple(const replication_options& r, replica_table& out) const {
    const std::size_t n = tokens_.size();
    const auto want = std::min<std::size_t>(static_cast<std::size_t>(std::max(r.factor.full(), 0)), ring_host_count_);
    out.offsets.reserve(n + 1);
    out.hosts.reserve(n * want);
    // seen[h] == range + 1 marks h as taken for this range: no clearing.
    std::vector<std::uint32_t> seen(hosts_.size(), 0);
    out.offsets.push_back(0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto stamp = static_cast<std::uint32_t>(i + 1);
        std::size_t got = 0;
        for (std::size_t step = 0; step < n && got < want; ++step) {
            const auto h = owners_[(i + step) % n];
            if (seen[h] == stamp) continue;
            seen[h] = stamp;
            out.hosts.push_back(h);
            ++got;
        }
        out.offsets.push_back(static_cast<std::uint32_t>(out.hosts.size()));
    }
}

void token_map::everywhere(replica_table& out) const {
    replication_options all;
    all.factor.all = static_cast<int>(ring_host_count_);
    simple(all, out);
}

// NetworkTopologyStrategy, per datacenter as Cassandra does it: walking
// clockwise, take a host of a rack not seen yet; take a host of a seen rack
// only while the factor exceeds the datacenter's rack count (by that many);
// stop at min(factor, hosts in the datacenter). Datacenters are independent,
// so each walks only its own ring positions; the replicas are then put in
// the order of one walk over the whole ring, as Cassandra returns them.
void token_map::network_topology(const replication_options& r, replica_table& out) const {
    const std::size_t n = tokens_.size();
    struct dc_plan {
        replication_factor factor;
        std::vector<std::uint32_t> positions;  // ring positions owned by this datacenter
        std::vector<std::uint32_t> first;      // ring position -> index in positions of the first >= it
        std::size_t hosts = 0, racks = 0;
    };
    std::vector<dc_plan> plans(dcs_.size());
    for (std::size_t d = 0; d < dcs_.size(); ++d) {
        plans[d].factor = r.factor;  // the default, when 'replication_factor' was given
        for (const auto& [name, f] : r.datacenters)
            if (name == dcs_[d]) plans[d].factor = f;
    }
    {
        std::vector<bool> host_seen(hosts_.size()), rack_seen(rack_count_);
        for (std::size_t p = 0; p < n; ++p) {
            const auto h = owners_[p];
            auto& plan = plans[host_dc_[h]];
            plan.positions.push_back(static_cast<std::uint32_t>(p));
            if (!host_seen[h]) {
                host_seen[h] = true;
                ++plan.hosts;
            }
            if (!rack_seen[host_rack_[h]]) {
                rack_seen[host_rack_[h]] = true;
                ++plan.racks;
            }
        }
    }
    for (auto& plan : plans) {
        if (plan.factor.all <= 0 || plan.positions.empty()) continue;
        plan.first.resize(n);
        std::size_t k = plan.positions.size();  // wraps to index 0 past the last
        for (std::size_t p = n; p-- > 0;) {
            if (k > 0 && plan.positions[k - 1] >= p) --k;
            plan.first[p] = static_cast<std::uint32_t>(k == plan.positions.size() ? 0 : k);
        }
    }

    std::vector<std::uint32_t> host_stamp(hosts_.size(), 0), rack_stamp(rack_count_, 0);
    std::vector<std::pair<std::uint32_t, host_index>> picked;  // (distance from the range, host)
    out.offsets.reserve(n + 1);
    out.offsets.push_back(0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto stamp = static_cast<std::uint32_t>(i + 1);
        picked.clear();
        for (const auto& plan : plans) {
            if (plan.factor.all <= 0 || plan.positions.empty()) continue;
            int left = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(plan.factor.all), plan.hosts));
            int rack_repeats = plan.factor.all - static_cast<int>(plan.racks);
            const std::size_t m = plan.positions.size();
            for (std::size_t s = 0; s < m && left > 0; ++s) {
                const auto p = plan.positions[(plan.first[i] + s) % m];
                const auto h = owners_[p];
                if (host_stamp[h] == stamp) continue;
                const bool full = left > plan.factor.transient;
                if (rack_stamp[host_rack_[h]] != stamp) {
                    rack_stamp[host_rack_[h]] = stamp;
                } else if (rack_repeats > 0) {
                    --rack_repeats;
                } else {
                    continue;  // the remaining replicas must come from unseen racks
                }
                host_stamp[h] = stamp;
                --left;
                if (full) picked.emplace_back(static_cast<std::uint32_t>((p + n - i) % n), h);
            }
        }
        std::sort(picked.begin(), picked.end());
        for (const auto& [dist, h] : picked) out.hosts.push_back(h);
        out.offsets.push_back(static_cast<std::uint32_t>(out.hosts.size()));
    }
}

}  // namespace async_cassandra::detail

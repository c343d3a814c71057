#include "cluster/host_rows.hpp"

#include "cluster/token_map.hpp"

#include <async_cassandra/inet_address.hpp>

#include <exception>
#include <set>

namespace async_cassandra::detail {

namespace {

host_info info_of(const row_view& row, const result_set& rs) {
    host_info next;
    next.datacenter = column<std::string>(row, rs, "data_center").value_or("");
    next.rack = column<std::string>(row, rs, "rack").value_or("");
    next.host_id = column<uuid>(row, rs, "host_id").value_or(uuid{});
    next.release_version = column<std::string>(row, rs, "release_version").value_or("");
    if (auto tokens = column<std::set<std::string>>(row, rs, "tokens"))
        for (const auto& t : *tokens) {
            std::int64_t v = 0;
            if (!parse_token(t, v).empty()) {
                // Not a Murmur3 token (another partitioner): no token awareness
                // for this host rather than a ring with holes.
                next.tokens.clear();
                break;
            }
            next.tokens.push_back(v);
        }
    std::sort(next.tokens.begin(), next.tokens.end());
    return next;
}

}  // namespace

std::string peer_address(const row_view& row, const result_set& rs) {
    for (auto name : {"native_address", "rpc_address", "peer"}) {
        auto a = column<inet_address>(row, rs, name);
        if (!a) continue;
        auto s = a->to_string();
        if (s != "0.0.0.0" && s != "::") return s;
    }
    return {};
}

std::optional<std::uint16_t> peer_port(const row_view& row, const result_set& rs, std::uint16_t fallback) {
    auto port = column<std::int32_t>(row, rs, "native_port");
    if (!port) return fallback;
    if (*port <= 0 || *port > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(*port);
}

host_rows read_host_rows(const result_set& local, const result_set& peers, const std::string& reached_address,
                         std::uint16_t reached_port, std::uint16_t default_port) {
    host_rows out;
    if (local.empty()) {
        out.error = "system.local has no row";
        return out;
    }
    try {
        const auto self = local.first_row();
        auto advertised = peer_address(self, local);
        out.hosts.push_back({reached_address, reached_port, info_of(self, local),
                             advertised.empty() ? reached_address : std::move(advertised), reached_port});
        for (std::size_t i = 0; i < peers.size(); ++i) {
            auto row = peers.row(i);
            auto address = peer_address(row, peers);
            if (address.empty()) continue;  // a peer without an address: nothing to connect to
            auto port = peer_port(row, peers, default_port);
            if (!port) {
                out.warnings.push_back("system.peers row of " + address + " has native_port " +
                                       std::to_string(*column<std::int32_t>(row, peers, "native_port")) +
                                       ", not a port number: that peer is left out");
                continue;
            }
            out.hosts.push_back({address, *port, info_of(row, peers), address, *port});
        }
    } catch (const std::exception& e) {  // a column of an unexpected type, a malformed cell
        out.hosts.clear();
        out.error = e.what();
    }
    return out;
}

}  // namespace async_cassandra::detail

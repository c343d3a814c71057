#include <cql_sim/topology.hpp>

#include <async_cassandra/inet_address.hpp>

#include <array>
#include <limits>
#include <set>

namespace cql_sim {
namespace {

pr::column_spec col(const char* table, const char* name, ac::type_id id) { return column(name, id, "system", table); }

pr::column_spec tokens_col(const char* table) {
    auto c = col(table, "tokens", ac::type_id::set);
    ac::data_type text;
    text.id = ac::type_id::varchar;
    c.type.params.push_back(text);
    return c;
}

ac::uuid schema_version() {
    std::array<std::byte, 16> b{};
    b[6] = std::byte{0x40};
    b[15] = std::byte{0x5c};
    return ac::uuid::from_bytes(b);
}

ac::inet_address inet(int node) { return ac::inet_address::parse(topology::address(node)); }

}  // namespace

ac::inet_address topology::rpc(int node) const { return ac::inet_address::parse(advertised(node)); }

std::string topology::address(int node) { return "127.0.0." + std::to_string(node + 1); }

std::int64_t topology::token(int node) const {
    // Spread evenly over [-2^63, 2^63): unsigned arithmetic wraps, and the
    // conversion back to int64 is modular in C++20.
    const std::uint64_t step = std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(nodes);
    const std::uint64_t min = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::min());
    return static_cast<std::int64_t>(min + static_cast<std::uint64_t>(node) * step);
}

ac::uuid topology::host_id(int node) {
    // A fixed version-4 uuid per node, so host ids are stable across runs.
    std::array<std::byte, 16> b{};
    b[0] = std::byte{0x51};
    b[6] = std::byte{0x40};
    b[8] = std::byte{0x80};
    b[14] = static_cast<std::byte>((node >> 8) & 0xFF);
    b[15] = static_cast<std::byte>(node & 0xFF);
    return ac::uuid::from_bytes(b);
}

const std::string& topology::dc_of(int node) const {
    const auto i = static_cast<std::size_t>(node);
    return i < node_data_centers.size() ? node_data_centers[i] : data_center;
}

std::string topology::advertised(int node) const {
    const auto i = static_cast<std::size_t>(node);
    return i < advertised_addresses.size() ? advertised_addresses[i] : address(node);
}

rows_result topology::local(int node) const {
    using ac::type_id;
    rows_result r;
    const char* t = "local";
    r.columns = {col(t, "key", type_id::varchar),
                 col(t, "bootstrapped", type_id::varchar),
                 col(t, "broadcast_address", type_id::inet),
                 col(t, "cluster_name", type_id::varchar),
                 col(t, "cql_version", type_id::varchar),
                 col(t, "data_center", type_id::varchar),
                 col(t, "host_id", type_id::uuid),
                 col(t, "listen_address", type_id::inet),
                 col(t, "native_protocol_version", type_id::varchar),
                 col(t, "partitioner", type_id::varchar),
                 col(t, "rack", type_id::varchar),
                 col(t, "release_version", type_id::varchar),
                 col(t, "rpc_address", type_id::inet),
                 col(t, "rpc_port", type_id::int_),
                 col(t, "schema_version", type_id::uuid),
                 tokens_col(t)};
    const std::set<std::string> tokens{std::to_string(token(node))};
    r.rows.push_back({ac::encode_value("local"), ac::encode_value("COMPLETED"), ac::encode_value(rpc(node)),
                      ac::encode_value(cluster_name), ac::encode_value("3.4.7"), ac::encode_value(dc_of(node)),
                      ac::encode_value(host_id(node)), ac::encode_value(inet(node)), ac::encode_value("5"),
                      ac::encode_value("org.apache.cassandra.dht.Murmur3Partitioner"), ac::encode_value(rack),
                      ac::encode_value(release_version), ac::encode_value(rpc(node)), ac::encode_value(native_port()),
                      ac::encode_value(schema_version()), ac::encode_value(tokens)});
    return r;
}

rows_result topology::peers(int node) const {
    using ac::type_id;
    rows_result r;
    const char* t = "peers";
    r.columns = {col(t, "peer", type_id::inet),
                 col(t, "data_center", type_id::varchar),
                 col(t, "host_id", type_id::uuid),
                 col(t, "preferred_ip", type_id::inet),
                 col(t, "rack", type_id::varchar),
                 col(t, "release_version", type_id::varchar),
                 col(t, "rpc_address", type_id::inet),
                 col(t, "schema_version", type_id::uuid),
                 tokens_col(t)};
    for (int i = 0; i < nodes; ++i) {
        if (i == node) continue;
        const std::set<std::string> tokens{std::to_string(token(i))};
        r.rows.push_back({ac::encode_value(inet(i)), ac::encode_value(dc_of(i)), ac::encode_value(host_id(i)),
                          ac::encode_value(inet(i)), ac::encode_value(rack), ac::encode_value(release_version),
                          ac::encode_value(rpc(i)), ac::encode_value(schema_version()), ac::encode_value(tokens)});
    }
    return r;
}

rows_result topology::peers_v2(int node) const {
    using ac::type_id;
    rows_result r;
    const char* t = "peers_v2";
    r.columns = {col(t, "peer", type_id::inet),           col(t, "peer_port", type_id::int_),
                 col(t, "data_center", type_id::varchar), col(t, "host_id", type_id::uuid),
                 col(t, "native_address", type_id::inet), col(t, "native_port", type_id::int_),
                 col(t, "preferred_ip", type_id::inet),   col(t, "preferred_port", type_id::int_),
                 col(t, "rack", type_id::varchar),        col(t, "release_version", type_id::varchar),
                 col(t, "schema_version", type_id::uuid), tokens_col(t)};
    for (int i = 0; i < nodes; ++i) {
        if (i == node) continue;
        const std::set<std::string> tokens{std::to_string(token(i))};
        const auto p = native_port();
        r.rows.push_back({ac::encode_value(inet(i)), ac::encode_value(std::int32_t{7000}), ac::encode_value(dc_of(i)),
                          ac::encode_value(host_id(i)), ac::encode_value(rpc(i)), ac::encode_value(p),
                          ac::encode_value(inet(i)), ac::encode_value(std::int32_t{7000}), ac::encode_value(rack),
                          ac::encode_value(release_version), ac::encode_value(schema_version()),
                          ac::encode_value(tokens)});
    }
    return r;
}

response default_response(const topology& t, int node, std::string_view query) {
    // peers_v2 first: "system.peers" is a prefix of it.
    if (query.find("system.peers_v2") != std::string_view::npos) return t.peers_v2(node);
    if (query.find("system.peers") != std::string_view::npos) return t.peers(node);
    if (query.find("system.local") != std::string_view::npos) return t.local(node);
    return void_result{};
}

}  // namespace cql_sim

#include <cql_sim/rules.hpp>

namespace cql_sim {

bool rule::matches(std::string_view text, std::string_view id, int on_node) const {
    if (max_hits && *max_hits <= 0) return false;
    if (node && *node != on_node) return false;
    if (on) return false;  // a handshake rule
    if (prepared_id) return *prepared_id == id;
    if (query.empty()) return true;
    return substring ? text.find(query) != std::string_view::npos : text == query;
}

bool rule::matches_handshake(pr::opcode request, int on_node) const {
    if (max_hits && *max_hits <= 0) return false;
    if (node && *node != on_node) return false;
    return on == request;
}

rule rows_rule(std::string query, std::vector<pr::column_spec> columns,
               std::vector<std::vector<ac::encoded_value>> rows) {
    rule r;
    r.query = std::move(query);
    r.result = rows_result{std::move(columns), std::move(rows), std::nullopt};
    return r;
}

rule error_rule(std::string query, pr::error_response e) {
    rule r;
    r.query = std::move(query);
    r.result = std::move(e);
    return r;
}

pr::column_spec column(std::string name, ac::type_id type, std::string keyspace, std::string table) {
    ac::data_type t;
    t.id = type;
    return {std::move(keyspace), std::move(table), std::move(name), std::move(t)};
}

std::string prepared_id_of(std::string_view query) {
    // Two FNV-1a passes with different seeds: stable across runs and processes,
    // so a client's cached id survives a sim restart like a real server's MD5.
    std::string id;
    for (std::uint64_t seed : {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull}) {
        std::uint64_t h = seed;
        for (char c : query) {
            h ^= static_cast<unsigned char>(c);
            h *= 0x100000001b3ull;
        }
        for (int i = 0; i < 8; ++i) id.push_back(static_cast<char>((h >> (8 * i)) & 0xFF));
    }
    return id;
}

}  // namespace cql_sim

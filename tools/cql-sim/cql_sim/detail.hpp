// State shared by the server and its connections; connections hold it by
// shared_ptr so a connection's last coroutine may outlive server::stop().
#pragma once

#include <cql_sim/server.hpp>

#include <array>
#include <list>
#include <map>

namespace cql_sim {
class sim_connection;
}

namespace cql_sim::detail {

struct shared_state {
    asio::any_io_executor ex;
    config cfg;
    topology topo;
    std::vector<rule> rules;
    std::vector<std::uint64_t> hits;  // by rule
    cql_sim::stats counters;
    std::map<std::string, std::string, std::less<>> prepared;  // id -> query text
    std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;
    std::list<std::weak_ptr<sim_connection>> connections;
    bool stopped = false;
    // Encoded RESULT bodies of void and rows rules, by rule index and
    // skip_metadata, so an answer costs a copy, not an encoding. Cleared
    // whenever the rules change.
    std::vector<std::array<pr::byte_buffer, 2>> bodies;

    // The first rule matching a request to `node` (its hit counted), or nullptr.
    rule* match(std::string_view text, std::string_view id, int node);
    // The first rule for `request` (rule::on) to `node` (its hit counted), or nullptr.
    rule* match_handshake(pr::opcode request, int node);
    // Counts a request on the totals and on its node's.
    void count_request(int node, pr::opcode op);
};

}  // namespace cql_sim::detail

// cql-sim: a scriptable CQL native-protocol server (v4 and v5) for fault
// injection and client-overhead benchmarks. Never a stand-in for the real
// Cassandra in integration tests.
//
//   cql_sim::server srv(io.get_executor(), {.nodes = 3});
//   srv.start();                       // listens on 127.0.0.1..3, same port
//   srv.add_rule(cql_sim::rows_rule("SELECT v FROM ks.t", {...}, {...}));
//   ... run a client against 127.0.0.1:srv.port() ...
//   srv.stop();
//
// Thread safety: distinct objects: safe; shared objects: unsafe. Run the
// server on a single-threaded executor (an io_context run by one thread) and
// call its members from that thread or before the loop runs.
#pragma once

#include <cql_sim/rules.hpp>
#include <cql_sim/topology.hpp>

#include <async_cassandra/protocol/events.hpp>
#include <async_cassandra/protocol/frame.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cql_sim {

struct config {
    std::uint16_t port = 0;        // 0: an ephemeral port (the same one on every node address)
    int nodes = 1;                 // listen on 127.0.0.1 .. 127.0.0.<nodes>
    int max_protocol_version = 5;  // 4 or 5; a higher version is refused like Cassandra does
    // Node i's highest version when set (missing entries: max_protocol_version),
    // e.g. a cluster in the middle of a rolling upgrade.
    std::vector<int> node_max_protocol_versions;
    int max_protocol_version_of(int node) const {
        const auto i = static_cast<std::size_t>(node);
        return i < node_max_protocol_versions.size() ? node_max_protocol_versions[i] : max_protocol_version;
    }
    // PasswordAuthenticator when user is non-empty (SASL PLAIN).
    std::string user;
    std::string password;
    // The class name AUTHENTICATE carries.
    std::string authenticator = "org.apache.cassandra.auth.PasswordAuthenticator";
    // Multi-step SASL: the first AUTH_RESPONSEs (whatever they hold) get
    // these AUTH_CHALLENGE tokens, one each, in order; the one after the last
    // must be "\0user\0password". AUTH_SUCCESS carries auth_success_token
    // (empty: a null token).
    std::vector<std::string> auth_challenges;
    std::string auth_success_token;
    std::string data_center = "datacenter1";
    // Node i's data centre when set (missing entries: data_center), for
    // multi-DC load-balancing tests.
    std::vector<std::string> node_data_centers;
    std::string cql_version = "3.4.7";
    // What the system tables say node i listens on (rpc_address,
    // native_address, broadcast_address; missing entries: its real address),
    // and the native port they give (0: the real one): a cluster behind NAT,
    // reachable only through an address translator.
    std::vector<std::string> advertised_addresses;
    std::uint16_t advertised_port = 0;
    // Keep every statement's default timestamp in stats::timestamps (off:
    // benchmarks send millions).
    bool record_timestamps = false;
};

// What one node (or all of them together) saw.
struct node_stats {
    std::uint64_t connections_accepted = 0;
    std::array<std::uint64_t, 256> requests{};  // by opcode
    std::vector<std::string> auth_tokens;       // every AUTH_RESPONSE token, in order
    // With config::record_timestamps: each QUERY, EXECUTE and BATCH's
    // default timestamp (nullopt: none), in arrival order.
    std::vector<std::optional<std::int64_t>> timestamps;
    std::uint64_t requests_of(pr::opcode op) const { return requests[static_cast<std::uint8_t>(op)]; }
};

// Totals of every node, and each node's own in `nodes` (index 0: 127.0.0.1).
struct stats : node_stats {
    std::vector<node_stats> nodes;
};

namespace detail {
struct shared_state;
}

class server {
public:
    server(asio::any_io_executor ex, config cfg);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds every node address and starts accepting. Throws std::system_error.
    void start();
    // Closes the listeners and every connection; pending answers are dropped.
    void stop();

    std::uint16_t port() const;
    std::vector<asio::ip::tcp::endpoint> endpoints() const;

    // Rules are tried in the order added; the first match answers. Returns
    // the rule's index for hits().
    std::size_t add_rule(rule r);
    void clear_rules();
    // How many requests rule `index` answered (a PREPARE that only read its
    // columns does not count).
    std::uint64_t hits(std::size_t index) const;

    // Resets (TCP RST) every open connection, or those of one node; keeps
    // listening, so clients may reconnect. Returns how many were reset.
    std::size_t reset_connections(std::optional<int> node = std::nullopt);
    // Silences every open connection, or those of one node, like a network
    // partition: they stay open and read requests but send nothing more.
    // Returns how many were silenced.
    std::size_t mute_connections(std::optional<int> node = std::nullopt);
    // Stops reading on every open connection, or those of one node, like a
    // server stuck in a long pause: the client's writes fill the socket
    // buffers and stall; nothing more is answered. Connections opened later
    // read as usual. Returns how many stopped.
    std::size_t stop_reading(std::optional<int> node = std::nullopt);
    // Half-closes every open connection, or those of one node: FIN to the
    // client, nothing more sent, requests still read. Returns how many.
    std::size_t half_close(std::optional<int> node = std::nullopt);
    // Forgets every prepared statement, like a restarted node: the next
    // EXECUTE of any id is answered Unprepared.
    void forget_prepared();

    // Sends EVENT (stream -1) to every connection that REGISTERed for its type.
    // Returns how many connections it was sent to.
    std::size_t push_event(const pr::event_body& e);

    const cql_sim::stats& stats() const;
    // Open connections, of every node or of one.
    std::size_t open_connections(std::optional<int> node = std::nullopt) const;
    // For each open connection (of every node or of one), in the order they
    // were accepted: the QUERY/PREPARE/EXECUTE/BATCH requests it received.
    std::vector<std::uint64_t> statements_per_connection(std::optional<int> node = std::nullopt) const;

private:
    std::shared_ptr<detail::shared_state> state_;
};

}  // namespace cql_sim

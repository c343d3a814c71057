// The hosts that system.local and system.peers(_v2) describe, read from
// their rows by a pure function (no I/O, no cluster state), so that it is
// fuzzed (fuzz/fuzz_host_rows.cpp) and unit-tested apart from a connection.
#pragma once

#include <async_cassandra/host.hpp>
#include <async_cassandra/result_set.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra::detail {

struct host_row {
    // Where to connect: the reached endpoint for the first row, else what
    // the peer row advertises (an address_translator may change it).
    std::string address;
    std::uint16_t port = 0;
    host_info info;
    // What the row says the node listens on (the reached endpoint when it says nothing).
    std::string advertised_address;
    std::uint16_t advertised_port = 0;
};

struct host_rows {
    std::vector<host_row> hosts;        // the node that answered first, then its peers
    std::vector<std::string> warnings;  // peers left out, and why
    std::string error;                  // non-empty: the rows could not be read; `hosts` is empty
};

// `reached` is the address and port the control connection used for the node
// that answered (system.local names it under that endpoint); `default_port`
// is the port of peers whose rows give none. Never throws for bad rows.
host_rows read_host_rows(const result_set& local, const result_set& peers, const std::string& reached_address,
                         std::uint16_t reached_port, std::uint16_t default_port);

inline bool has_column(const result_set& rs, std::string_view name) {
    return std::any_of(rs.columns().begin(), rs.columns().end(), [&](const column_spec& c) { return c.name == name; });
}

// The column's value; nullopt when the table has no such column or the
// cell is null. Throws value_error when the cell is not a T.
template <class T>
std::optional<T> column(const row_view& row, const result_set& rs, std::string_view name) {
    if (!has_column(rs, name)) return std::nullopt;
    return row.get<std::optional<T>>(name);
}

// The address clients use for a peer: native_address (peers_v2) or
// rpc_address, else the peer's own address when those are unset or 0.0.0.0.
std::string peer_address(const row_view& row, const result_set& rs);

// The native port a peer row gives, else `fallback`; none when the value
// is not a port number (the peer is then left out, with a warning).
std::optional<std::uint16_t> peer_port(const row_view& row, const result_set& rs, std::uint16_t fallback);

}  // namespace async_cassandra::detail

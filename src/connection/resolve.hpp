// Name resolution for a connection, bounded by its connect deadline. A
// literal IPv4/IPv6 address is used as it is, without a lookup. A host name
// is looked up on a thread of its own (not Asio's resolver, whose one
// private thread would make every reconnect wait behind a hanging lookup);
// at the deadline the lookup is abandoned and its thread finishes alone.
// At most max_lookup_threads lookups run at once in the process: the rest
// wait in a queue, and one abandoned while queued is never run, so hanging
// lookups cannot pile up threads reconnect after reconnect.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <async_cassandra/detail/error_code.hpp>
#include <vector>

namespace async_cassandra::detail {

using endpoint_list = std::vector<asio::ip::tcp::endpoint>;
// A blocking lookup (getaddrinfo by default); replaceable for tests.
using lookup_fn = std::function<endpoint_list(const std::string& host, std::uint16_t port, error_code& ec)>;

endpoint_list blocking_lookup(const std::string& host, std::uint16_t port, error_code& ec);

inline constexpr std::size_t max_lookup_threads = 4;
// Lookup threads alive now (running a lookup or about to end), for tests.
std::size_t lookup_threads();

// The endpoints of host:port, or an error: asio::error::timed_out when
// `deadline` passes first.
asio::awaitable<error_code> resolve(const std::string& host, std::uint16_t port,
                                    std::chrono::steady_clock::time_point deadline, endpoint_list& out,
                                    const lookup_fn& lookup = blocking_lookup);

}  // namespace async_cassandra::detail

// Compound notations of spec section 3 that several decoders read: string
// lists, addresses, consistency levels. Internal to src/protocol.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/protocol/bytes.hpp>

#include <string>
#include <vector>

namespace async_cassandra::protocol::detail {

// [string list]; each [string] takes at least its 2-byte length.
std::vector<std::string> read_string_list(byte_reader& r, const char* what);

// [inetaddr]: a [byte] size of 4 or 16, then the address; returned as text.
std::string read_inetaddr(byte_reader& r, const char* what);

// [consistency]; values beyond LOCAL_ONE are refused.
consistency read_consistency(byte_reader& r, const char* what);

}  // namespace async_cassandra::protocol::detail

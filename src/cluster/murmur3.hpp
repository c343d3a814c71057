// Cassandra's Murmur3Partitioner token of a partition key: the first half of
// MurmurHash3 x64_128 (seed 0) as Cassandra computes it. Pure, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace async_cassandra::detail {

// The token of a serialized partition key (see routing_key.hpp for composite
// keys). Matches the server bit for bit, including its quirks: tail bytes are
// read as signed, a hash of INT64_MIN becomes INT64_MAX, and the empty key
// has the minimum token INT64_MIN.
std::int64_t murmur3_token(std::span<const std::byte> key) noexcept;

}  // namespace async_cassandra::detail

// The partition key bytes the token is computed from, composed from the
// serialized values of the partition key columns: one column's value as is;
// several as Cassandra's composite: for each, a 2-byte big-endian length,
// the bytes, and a 0 byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace async_cassandra::detail {

using key_component = std::span<const std::byte>;

// A composite component's length field is 16 bits.
inline constexpr std::size_t max_composite_component = 0xFFFF;

// The size of the routing key of these components (0 for none).
std::size_t routing_key_size(std::span<const key_component> components) noexcept;

// Writes the routing key into `out` and returns its size. nullopt when there
// are no components, `out` is shorter than routing_key_size(), or a component
// of a composite key is longer than max_composite_component.
std::optional<std::size_t> write_routing_key(std::span<const key_component> components,
                                             std::span<std::byte> out) noexcept;

// The same into a new vector; nullopt as above.
std::optional<std::vector<std::byte>> make_routing_key(std::span<const key_component> components);

// The Murmur3 token of the routing key of these components, composed on the
// stack when it fits in 256 bytes (no allocation); nullopt as above.
std::optional<std::int64_t> routing_token(std::span<const key_component> components);

}  // namespace async_cassandra::detail

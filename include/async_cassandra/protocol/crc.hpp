// Checksums of the v5 segment format (spec 2.1).
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace async_cassandra::protocol {

// CRC24 over the low `len` bytes of `value`, least significant first,
// initial value 0x875060, polynomial 0x1974F0B.
std::uint32_t crc24(std::uint64_t value, int len) noexcept;

// CRC32 (IEEE) of a segment payload. Cassandra seeds it with the bytes
// FA 2D 55 CA before the payload; the spec text omits this.
inline constexpr std::array<std::byte, 4> segment_crc_seed{std::byte{0xFA}, std::byte{0x2D}, std::byte{0x55},
                                                           std::byte{0xCA}};
std::uint32_t segment_crc32(bytes_view payload) noexcept;
// The same by table lookups (slicing-by-8): the reference the fast one is tested against.
std::uint32_t segment_crc32_portable(bytes_view payload) noexcept;

}  // namespace async_cassandra::protocol

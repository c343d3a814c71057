// [unsigned vint] and [vint] of spec section 3: the leading 1 bits of the
// first byte count the extra bytes; 9 bytes (first 0xFF) carry 64 bits.
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace async_cassandra::detail {

void write_unsigned_vint(protocol::byte_writer& w, std::uint64_t v);
// Reads at `pos` and advances it; throws value_error naming `what` when the
// bytes end inside the vint.
std::uint64_t read_unsigned_vint(std::span<const std::byte> b, std::size_t& pos, const char* what);

constexpr std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

}  // namespace async_cassandra::detail

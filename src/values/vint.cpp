#include <async_cassandra/detail/vint.hpp>
#include <async_cassandra/value_error.hpp>

#include <bit>
#include <string>

namespace async_cassandra::detail {

void write_unsigned_vint(protocol::byte_writer& w, std::uint64_t v) {
    // 7 bits in one byte, then 7 more per extra byte, up to 8 bytes (56 bits);
    // beyond that the 9-byte form carries all 64.
    const int magnitude = std::countl_zero(v | 1);
    const int size = (639 - magnitude * 9) >> 6;
    const int extra = size - 1;
    if (extra == 0) return w.u8(static_cast<std::uint8_t>(v));
    const auto marker = static_cast<std::uint8_t>(0xFF00u >> extra);
    const auto high = extra == 8 ? 0u : static_cast<unsigned>(v >> (8 * extra));
    w.u8(static_cast<std::uint8_t>(marker | high));
    for (int i = extra - 1; i >= 0; --i) w.u8(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t read_unsigned_vint(std::span<const std::byte> b, std::size_t& pos, const char* what) {
    if (pos >= b.size()) throw value_error(std::string(what) + ": vint missing at offset " + std::to_string(pos));
    const auto first = static_cast<std::uint8_t>(b[pos]);
    const auto extra = static_cast<std::size_t>(std::countl_one(first));
    if (extra > b.size() - pos - 1)
        throw value_error(std::string(what) + ": vint at offset " + std::to_string(pos) + " needs " +
                          std::to_string(extra + 1) + " bytes, only " + std::to_string(b.size() - pos) + " left");
    std::uint64_t v = extra == 8 ? 0u : (first & (0xFFu >> extra));
    for (std::size_t i = 1; i <= extra; ++i) v = (v << 8) | static_cast<std::uint8_t>(b[pos + i]);
    pos += extra + 1;
    return v;
}

}  // namespace async_cassandra::detail

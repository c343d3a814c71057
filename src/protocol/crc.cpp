#include <async_cassandra/protocol/crc.hpp>

#include <array>

namespace async_cassandra::protocol {

std::uint32_t crc24(std::uint64_t value, int len) noexcept {
    std::uint32_t crc = 0x875060;
    for (int i = 0; i < len; ++i) {
        crc ^= static_cast<std::uint32_t>(value & 0xFF) << 16;
        value >>= 8;
        for (int bit = 0; bit < 8; ++bit) {
            crc <<= 1;
            if (crc & 0x1000000) crc ^= 0x1974F0B;
        }
    }
    return crc & 0xFFFFFF;
}

namespace {
// Slicing-by-one table for the reflected IEEE polynomial; built at compile time.
constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto table = make_table();

std::uint32_t update(std::uint32_t crc, const std::byte* p, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ static_cast<std::uint8_t>(p[i])) & 0xFF] ^ (crc >> 8);
    return crc;
}
}  // namespace

std::uint32_t segment_crc32(bytes_view payload) noexcept {
    static constexpr std::byte seed[4] = {std::byte{0xFA}, std::byte{0x2D}, std::byte{0x55}, std::byte{0xCA}};
    std::uint32_t crc = 0xFFFFFFFFu;
    crc = update(crc, seed, 4);
    crc = update(crc, payload.data(), payload.size());
    return ~crc;
}

}  // namespace async_cassandra::protocol

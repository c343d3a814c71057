#include "cluster/murmur3.hpp"

#include <limits>

namespace async_cassandra::detail {

namespace {

constexpr std::uint64_t c1 = 0x87c37b91114253d5ULL;
constexpr std::uint64_t c2 = 0x4cf5ad432745937fULL;

constexpr std::uint64_t rotl(std::uint64_t v, int r) noexcept { return (v << r) | (v >> (64 - r)); }

constexpr std::uint64_t fmix(std::uint64_t k) noexcept {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

// Blocks are little-endian words of unsigned bytes.
std::uint64_t block(const std::byte* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
    return v;
}

// Cassandra's tail reads each byte as a Java (signed) byte widened to long,
// so a byte >= 0x80 sets every bit above its position.
std::uint64_t signed_byte(std::byte b, int shift) noexcept {
    const auto widened = static_cast<std::int64_t>(static_cast<std::int8_t>(std::to_integer<std::uint8_t>(b)));
    return static_cast<std::uint64_t>(widened) << shift;
}

std::uint64_t mix_k1(std::uint64_t k) noexcept { return rotl(k * c1, 31) * c2; }
std::uint64_t mix_k2(std::uint64_t k) noexcept { return rotl(k * c2, 33) * c1; }

}  // namespace

std::int64_t murmur3_token(std::span<const std::byte> key) noexcept {
    if (key.empty()) return std::numeric_limits<std::int64_t>::min();
    const std::size_t n = key.size();
    const std::byte* data = key.data();
    std::uint64_t h1 = 0, h2 = 0;

    const std::size_t blocks = n / 16;
    for (std::size_t i = 0; i < blocks; ++i) {
        h1 ^= mix_k1(block(data + i * 16));
        h1 = (rotl(h1, 27) + h2) * 5 + 0x52dce729;
        h2 ^= mix_k2(block(data + i * 16 + 8));
        h2 = (rotl(h2, 31) + h1) * 5 + 0x38495ab5;
    }

    const std::byte* tail = data + blocks * 16;
    const std::size_t rest = n & 15;
    std::uint64_t k1 = 0, k2 = 0;
    for (std::size_t i = rest; i > 8; --i) k2 ^= signed_byte(tail[i - 1], static_cast<int>((i - 9) * 8));
    if (rest > 8) h2 ^= mix_k2(k2);
    for (std::size_t i = rest < 8 ? rest : 8; i > 0; --i) k1 ^= signed_byte(tail[i - 1], static_cast<int>((i - 1) * 8));
    if (rest > 0) h1 ^= mix_k1(k1);

    // Java xors in an int length widened to long; lengths are positive.
    h1 ^= static_cast<std::uint64_t>(n);
    h2 ^= static_cast<std::uint64_t>(n);
    h1 += h2;
    h2 += h1;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 += h2;

    const auto token = static_cast<std::int64_t>(h1);
    return token == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max() : token;
}

}  // namespace async_cassandra::detail

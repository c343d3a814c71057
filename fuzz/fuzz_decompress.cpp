// v4 compressed envelope bodies: LZ4 (length-prefixed block) and Snappy.
// Differential: a body refused must be one the library itself cannot
// decompress to its declared size (the checks made before allocating may
// not refuse more than the library does), or an LZ4 block with a match at
// offset 0, which the format calls corrupt (lz4_Block_format.md) but liblz4
// decodes (zero-filling the match).
#include <async_cassandra/protocol/body_compression.hpp>

#include <lz4.h>
#include <snappy-c.h>

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace async_cassandra::protocol;
using async_cassandra::compression;

namespace {
constexpr std::size_t max_size = 1 << 20;

// Reads a length nibble's further bytes (lz4_Block_format.md): each is
// added, up to one under 255.
std::size_t lz4_length(std::size_t nibble, const std::uint8_t* p, std::size_t n, std::size_t& pos) {
    if (nibble != 15) return nibble;
    while (pos < n) {
        const auto b = p[pos++];
        nibble += b;
        if (b != 255) break;
    }
    return nibble;
}

bool has_offset_zero(const std::uint8_t* p, std::size_t n) {
    for (std::size_t pos = 0; pos < n;) {
        const auto token = p[pos++];
        const auto literals = lz4_length(token >> 4, p, n, pos);
        pos += literals;
        if (pos + 2 > n) return false;
        if (p[pos] == 0 && p[pos + 1] == 0) return true;
        pos += 2;
        (void)lz4_length(token & 15, p, n, pos);
    }
    return false;
}

bool library_decompresses(bytes_view body, compression c) {
    const auto* in = reinterpret_cast<const char*>(body.data());
    if (c == compression::lz4) {
        if (body.size() < 4) return false;
        const auto len = byte_reader(body).i32();
        if (len < 0 || static_cast<std::size_t>(len) > max_size) return false;
        std::vector<char> out(static_cast<std::size_t>(len) + 1);
        return LZ4_decompress_safe(in + 4, out.data(), static_cast<int>(body.size() - 4), len) == len &&
               !has_offset_zero(reinterpret_cast<const std::uint8_t*>(in + 4), body.size() - 4);
    }
    std::size_t len = 0;
    if (snappy_uncompressed_length(in, body.size(), &len) != SNAPPY_OK || len > max_size) return false;
    std::vector<char> out(len + 1);
    std::size_t n = len;
    return snappy_uncompress(in, body.size(), out.data(), &n) == SNAPPY_OK && n == len;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto c = (data[0] & 1) ? compression::snappy : compression::lz4;
    const bytes_view body(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    try {
        auto out = decompress_body(body, c, max_size, "fuzz body");
        if (out.size() > max_size) __builtin_trap();
    } catch (const protocol_error&) {
        if (library_decompresses(body, c)) __builtin_trap();
    }
    return 0;
}

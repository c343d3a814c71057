// v4 compressed envelope bodies: LZ4 (length-prefixed block) and Snappy.
#include <async_cassandra/protocol/body_compression.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;
using async_cassandra::compression;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto c = (data[0] & 1) ? compression::snappy : compression::lz4;
    try {
        auto out = decompress_body(bytes_view(reinterpret_cast<const std::byte*>(data + 1), size - 1), c, 1 << 20,
                                   "fuzz body");
        if (out.size() > (1u << 20)) __builtin_trap();
    } catch (const protocol_error&) {
    }
    return 0;
}

// v4 envelopes through the frame decoder with compression negotiated: bodies
// flagged 0x01 are LZ4 or Snappy, others as they are; from arbitrary bytes
// split at arbitrary points. The first byte picks the algorithm (bit 0) and
// the chunk size. The decoder keeps the protocol's 256 MiB limit, so a body
// that claims far more than it holds shows in the run's memory.
#include <async_cassandra/protocol/frame_decoder.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;
using async_cassandra::compression;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    frame_decoder d(max_envelope_body);
    d.enable_body_compression((data[0] & 1) ? compression::snappy : compression::lz4);
    const std::size_t chunk = 1 + (data[0] >> 1) * 64;
    bytes_view in(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    try {
        for (std::size_t pos = 0; pos < in.size(); pos += chunk) {
            d.feed(in.subspan(pos, std::min(chunk, in.size() - pos)));
            while (auto e = d.next()) {
                if (e->body.size() != e->header.body_length || e->body.size() > max_envelope_body) __builtin_trap();
                if (e->header.flags & frame_flags::compression) __builtin_trap();
            }
        }
    } catch (const protocol_error&) {
    }
    return 0;
}

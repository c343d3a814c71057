// Envelopes and v5 segments from arbitrary bytes, split at arbitrary points.
// The first byte picks the mode (legacy framing, segments, segments + LZ4)
// and the chunk size.
#include <async_cassandra/protocol/frame_decoder.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto mode = data[0] % 3;
    const std::size_t chunk = 1 + (data[0] >> 2);
    frame_decoder d(1 << 20);
    if (mode > 0) d.enable_segments(mode == 2);
    bytes_view in(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    try {
        for (std::size_t pos = 0; pos < in.size(); pos += chunk) {
            d.feed(in.subspan(pos, std::min(chunk, in.size() - pos)));
            while (auto e = d.next()) {
                if (e->body.size() != e->header.body_length) __builtin_trap();
            }
        }
    } catch (const protocol_error&) {
    }
    return 0;
}

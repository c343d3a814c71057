// v5 segment framing (spec 2.1, 2.2): after the handshake every byte on the
// wire is inside a checksummed segment of at most 128 KiB payload.
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <cstdint>
#include <optional>

namespace async_cassandra::protocol {

inline constexpr std::size_t max_segment_payload = (1u << 17) - 1;
inline constexpr std::size_t segment_header_size = 6;             // uncompressed
inline constexpr std::size_t compressed_segment_header_size = 8;  // LZ4
inline constexpr std::size_t segment_trailer_size = 4;            // CRC32

struct segment_header {
    std::size_t payload_length = 0;       // bytes on the wire
    std::size_t uncompressed_length = 0;  // 0: payload is not compressed
    bool self_contained = false;
};

// Appends one segment holding `payload` (at most max_segment_payload bytes).
// With `lz4` the segment uses the compressed header; the payload is compressed
// when that makes it smaller, else sent as-is with uncompressed length 0.
void encode_segment(byte_buffer& out, bytes_view payload, bool self_contained, bool lz4);

// Appends segments carrying `envelopes`: one self-contained segment per
// 128 KiB of whole envelopes, and a run of non-self-contained segments for an
// envelope larger than that. `envelopes` must be whole envelopes back to back.
void encode_segments(byte_buffer& out, bytes_view envelopes, bool lz4);

// Parses a header if `data` holds enough bytes; checks the CRC24.
std::optional<segment_header> decode_segment_header(bytes_view data, bool lz4);

}  // namespace async_cassandra::protocol

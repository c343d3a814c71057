// v4 envelope body compression (v4 spec section 5). Once STARTUP named an
// algorithm, any later envelope may carry flag 0x01 and a compressed body:
//   lz4:    an [int] uncompressed length, then one LZ4 block;
//   snappy: raw Snappy (which declares its own uncompressed length).
// The header is never compressed. v5 compresses segments instead (segment.hpp).
#pragma once

#include <async_cassandra/compression.hpp>
#include <async_cassandra/protocol/bytes.hpp>

#include <string_view>

namespace async_cassandra::protocol {

// Appends `body` compressed with `c` (lz4 or snappy). Throws protocol_error
// (value_too_large) for a body over max_envelope_body.
void compress_body(byte_buffer& out, bytes_view body, compression c);

// Decompresses a body compressed with `c`. A declared uncompressed size over
// `max_size` is refused before anything is allocated (frame_too_large);
// input that does not decompress to exactly that size is decompression_failed,
// refused before the output is allocated when the size is beyond the
// format's ratio (255:1 for LZ4, 64/3:1 for Snappy), or beyond 16:1 for an
// LZ4 block that cannot fill it. `what` names the envelope in error messages.
owned_bytes decompress_body(bytes_view body, compression c, std::size_t max_size, std::string_view what);

// Compresses, in place, the body of the whole envelope that starts at
// out[start] and runs to out.end(): sets flag 0x01 and patches its length.
void compress_envelope(byte_buffer& out, std::size_t start, compression c);

}  // namespace async_cassandra::protocol

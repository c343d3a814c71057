#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/frame.hpp>

#include <lz4.h>
#include <snappy-c.h>

#include <optional>
#include <string>

namespace async_cassandra::protocol {

namespace {

[[noreturn]] void fail(protocol_errc code, std::string_view what, const std::string& detail) {
    throw protocol_error(code, std::string(what) + ": " + detail);
}

void lz4_compress(byte_buffer& out, bytes_view body) {
    byte_writer(out).i32(static_cast<std::int32_t>(body.size()));
    const auto at = out.size();
    const int bound = LZ4_compressBound(static_cast<int>(body.size()));
    out.resize(at + static_cast<std::size_t>(bound));
    const int n = LZ4_compress_default(reinterpret_cast<const char*>(body.data()),
                                       reinterpret_cast<char*>(out.data() + at), static_cast<int>(body.size()), bound);
    if (n <= 0)
        fail(protocol_errc::value_too_large, "lz4 body",
             "LZ4 could not compress " + std::to_string(body.size()) + " bytes");
    out.resize(at + static_cast<std::size_t>(n));
}

void snappy_compress_to(byte_buffer& out, bytes_view body) {
    const auto at = out.size();
    std::size_t n = snappy_max_compressed_length(body.size());
    out.resize(at + n);
    if (snappy_compress(reinterpret_cast<const char*>(body.data()), body.size(),
                        reinterpret_cast<char*>(out.data() + at), &n) != SNAPPY_OK)
        fail(protocol_errc::value_too_large, "snappy body",
             "Snappy could not compress " + std::to_string(body.size()) + " bytes");
    out.resize(at + n);
}

// The most a body can expand, from each format's description: an LZ4
// sequence of n bytes writes at most 255n (each byte of a match length past
// the token adds 255 at the most); a Snappy element of n bytes at most 64n/3
// (a copy with a 2-byte offset: 3 bytes for up to 64).
constexpr std::size_t lz4_max_ratio = 255;
constexpr std::size_t snappy_max_ratio_num = 64, snappy_max_ratio_den = 3;
// The output is allocated, not filled (owned_bytes): a large one is mapped
// lazily, so a body that stops early costs only the pages it wrote. Up to
// 16:1, as much as an honest body of that size costs, it is decompressed at
// once; beyond, LZ4 bodies are walked first, which is cheap for them (few,
// long sequences) but would cost honest bodies of 2-10:1 as much again as
// decoding. Snappy's own 64/3:1 needs no such walk.
constexpr std::size_t lz4_walk_ratio = 16;

// The size an LZ4 block decodes to, from a walk over its sequences (token,
// literals, offset, match length) that writes nothing: nullopt when they do
// not fit the block or a match reaches back before the start. It lets a
// block that cannot fill the output be refused before the output is
// allocated; LZ4_decompress_safe remains the judge of the rest.
std::optional<std::size_t> lz4_block_size(bytes_view block) {
    const auto n = block.size();
    std::size_t pos = 0, out = 0;
    auto at = [&](std::size_t i) { return static_cast<std::size_t>(block[i]); };
    // A length nibble of 15 goes on in bytes, each added, up to one under 255.
    auto extend = [&](std::size_t& len) {
        if (len != 15) return true;
        for (;;) {
            if (pos == n) return false;
            const auto b = at(pos++);
            len += b;
            if (b != 255) return true;
        }
    };
    while (pos < n) {
        const auto token = at(pos++);
        std::size_t literals = token >> 4;
        if (!extend(literals) || literals > n - pos) return std::nullopt;
        pos += literals;
        out += literals;
        if (pos == n) return out;  // the last sequence is literals only
        if (n - pos < 2) return std::nullopt;
        const auto offset = at(pos) | (at(pos + 1) << 8);  // little-endian
        pos += 2;
        if (offset == 0 || offset > out) return std::nullopt;
        std::size_t match = token & 15;
        if (!extend(match)) return std::nullopt;
        out += match + 4;
    }
    return std::nullopt;  // empty, or ended on a match
}

void check_declared(std::size_t len, std::size_t max_size, std::string_view what, const char* format) {
    if (len > max_size)
        fail(protocol_errc::frame_too_large, what,
             std::string(format) + " body declares " + std::to_string(len) + " uncompressed bytes; the limit is " +
                 std::to_string(max_size));
}

owned_bytes lz4_decompress(bytes_view body, std::size_t max_size, std::string_view what) {
    if (body.size() < 4)
        fail(protocol_errc::truncated, what,
             "lz4 uncompressed length needs 4 bytes at offset 0, only " + std::to_string(body.size()) + " left");
    const auto declared = byte_reader(body).i32("lz4 uncompressed length");
    if (declared < 0)
        fail(protocol_errc::malformed, what, "lz4 uncompressed length " + std::to_string(declared) + " at offset 0");
    const auto len = static_cast<std::size_t>(declared);
    check_declared(len, max_size, what, "lz4");
    const auto block = body.subspan(4);
    if (len > block.size() * lz4_max_ratio)
        fail(protocol_errc::decompression_failed, what,
             "lz4 body declares " + std::to_string(len) + " uncompressed bytes from a block of " +
                 std::to_string(block.size()) + " bytes; LZ4 expands at most " + std::to_string(lz4_max_ratio) + ":1");
    auto refuse = [&] {
        fail(protocol_errc::decompression_failed, what,
             "lz4 block of " + std::to_string(block.size()) +
                 " bytes at offset 4 does not decompress to its declared " + std::to_string(len) + " bytes");
    };
    if (len > block.size() * lz4_walk_ratio && lz4_block_size(block) != len) refuse();
    auto out = owned_bytes::for_overwrite(len);
    char empty = 0;  // LZ4 wants a real destination even for 0 bytes
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(block.data()),
                                      len ? reinterpret_cast<char*>(out.data()) : &empty,
                                      static_cast<int>(block.size()), static_cast<int>(len));
    if (n < 0 || static_cast<std::size_t>(n) != len) refuse();
    return out;
}

owned_bytes snappy_decompress(bytes_view body, std::size_t max_size, std::string_view what) {
    const auto* in = reinterpret_cast<const char*>(body.data());
    std::size_t len = 0;
    if (snappy_uncompressed_length(in, body.size(), &len) != SNAPPY_OK)
        fail(protocol_errc::decompression_failed, what, "snappy length preamble at offset 0 is unreadable");
    check_declared(len, max_size, what, "snappy");
    if (len * snappy_max_ratio_den > body.size() * snappy_max_ratio_num)
        fail(protocol_errc::decompression_failed, what,
             "snappy body declares " + std::to_string(len) + " uncompressed bytes from " + std::to_string(body.size()) +
                 " bytes; Snappy expands at most 64/3:1");
    auto out = owned_bytes::for_overwrite(len);
    char empty = 0;
    std::size_t n = len;
    if (snappy_uncompress(in, body.size(), len ? reinterpret_cast<char*>(out.data()) : &empty, &n) != SNAPPY_OK ||
        n != len)
        fail(protocol_errc::decompression_failed, what,
             "snappy body of " + std::to_string(body.size()) + " bytes does not decompress to its declared " +
                 std::to_string(len) + " bytes");
    return out;
}

}  // namespace

void compress_body(byte_buffer& out, bytes_view body, compression c) {
    if (body.size() > max_envelope_body)
        fail(protocol_errc::value_too_large, "compress body",
             std::to_string(body.size()) + " bytes exceed the envelope limit of " + std::to_string(max_envelope_body));
    switch (c) {
        case compression::lz4: lz4_compress(out, body); return;
        case compression::snappy: snappy_compress_to(out, body); return;
        case compression::none: break;
    }
    out.insert(out.end(), body.begin(), body.end());
}

owned_bytes decompress_body(bytes_view body, compression c, std::size_t max_size, std::string_view what) {
    switch (c) {
        case compression::lz4: return lz4_decompress(body, max_size, what);
        case compression::snappy: return snappy_decompress(body, max_size, what);
        case compression::none: break;
    }
    fail(protocol_errc::malformed, what, "compressed body, but no compression was negotiated");
}

void compress_envelope(byte_buffer& out, std::size_t start, compression c) {
    if (c == compression::none) return;
    const auto body_at = start + envelope_header_size;
    byte_buffer compressed;
    compress_body(compressed, bytes_view(out).subspan(body_at), c);
    out.resize(body_at);
    out.insert(out.end(), compressed.begin(), compressed.end());
    out[start + 1] |= std::byte{frame_flags::compression};
    byte_writer(out).patch_i32(start + 5, static_cast<std::int32_t>(compressed.size()));
}

}  // namespace async_cassandra::protocol

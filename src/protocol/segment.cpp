#include <async_cassandra/protocol/crc.hpp>
#include <async_cassandra/protocol/frame.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <lz4.h>

#include <algorithm>
#include <array>

namespace async_cassandra::protocol {

namespace {
void put_le(byte_buffer& out, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
std::uint64_t get_le(bytes_view b, int n) noexcept {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(b[static_cast<std::size_t>(i)]);
    return v;
}
void put_payload(byte_buffer& out, bytes_view payload) {
    out.insert(out.end(), payload.begin(), payload.end());
    put_le(out, segment_crc32(payload), 4);
}
}  // namespace

void encode_segment(byte_buffer& out, bytes_view payload, bool self_contained, bool lz4) {
    if (payload.size() > max_segment_payload)
        throw protocol_error(protocol_errc::value_too_large,
                             "segment payload of " + std::to_string(payload.size()) + " bytes exceeds 128 KiB");
    const std::uint64_t sc = self_contained ? 1 : 0;
    if (!lz4) {
        std::uint64_t h = payload.size() | (sc << 17);
        put_le(out, h, 3);
        put_le(out, crc24(h, 3), 3);
        put_payload(out, payload);
        return;
    }
    // Compress straight after room for the header; keep the compressed form
    // only if it is smaller, else send the payload as-is (uncompressed length 0).
    const auto header_at = out.size();
    const auto bound = static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(payload.size())));
    out.resize(header_at + compressed_segment_header_size + bound);
    auto* dst = reinterpret_cast<char*>(out.data() + header_at + compressed_segment_header_size);
    const int n = payload.empty() ? 0
                                  : LZ4_compress_default(reinterpret_cast<const char*>(payload.data()), dst,
                                                         static_cast<int>(payload.size()), static_cast<int>(bound));
    const bool compressed = n > 0 && static_cast<std::size_t>(n) < payload.size();
    const std::uint64_t clen = compressed ? static_cast<std::uint64_t>(n) : payload.size();
    const std::uint64_t ulen = compressed ? payload.size() : 0;
    const std::uint64_t h = clen | (ulen << 17) | (sc << 34);
    std::array<std::byte, compressed_segment_header_size> header{};
    const std::uint64_t packed = h | (static_cast<std::uint64_t>(crc24(h, 5)) << 40);
    for (std::size_t i = 0; i < header.size(); ++i) header[i] = static_cast<std::byte>(packed >> (8 * i));
    if (!compressed) {
        out.resize(header_at);
        out.insert(out.end(), header.begin(), header.end());
        put_payload(out, payload);
        return;
    }
    std::copy(header.begin(), header.end(), out.begin() + static_cast<std::ptrdiff_t>(header_at));
    const auto body_at = header_at + compressed_segment_header_size;
    out.resize(body_at + static_cast<std::size_t>(n));
    put_le(out, segment_crc32(bytes_view(out).subspan(body_at, static_cast<std::size_t>(n))), 4);
}

void encode_segments(byte_buffer& out, bytes_view envelopes, bool lz4) {
    std::size_t pos = 0;
    while (pos < envelopes.size()) {
        // Gather whole envelopes up to the segment limit.
        std::size_t end = pos;
        while (end < envelopes.size()) {
            if (envelopes.size() - end < envelope_header_size)
                throw protocol_error(protocol_errc::malformed, "encode_segments: partial envelope header");
            auto h = decode_envelope_header(envelopes.subspan(end, envelope_header_size));
            std::size_t len = envelope_header_size + h.body_length;
            if (end + len > envelopes.size())
                throw protocol_error(protocol_errc::malformed, "encode_segments: partial envelope body");
            if (end - pos + len > max_segment_payload) break;
            end += len;
        }
        if (end > pos) {
            encode_segment(out, envelopes.subspan(pos, end - pos), true, lz4);
            pos = end;
            continue;
        }
        // One envelope larger than a segment: split it across non-self-contained segments.
        auto h = decode_envelope_header(envelopes.subspan(pos, envelope_header_size));
        std::size_t len = envelope_header_size + h.body_length;
        for (std::size_t off = 0; off < len; off += max_segment_payload) {
            auto n = std::min(max_segment_payload, len - off);
            encode_segment(out, envelopes.subspan(pos + off, n), false, lz4);
        }
        pos += len;
    }
}

std::optional<segment_header> decode_segment_header(bytes_view data, bool lz4) {
    const std::size_t hs = lz4 ? compressed_segment_header_size : segment_header_size;
    if (data.size() < hs) return std::nullopt;
    const int n = lz4 ? 5 : 3;
    auto h = get_le(data, n);
    auto crc = static_cast<std::uint32_t>(get_le(data.subspan(static_cast<std::size_t>(n)), 3));
    if (crc24(h, n) != crc) throw protocol_error(protocol_errc::bad_header_crc, "v5 segment header CRC24 mismatch");
    segment_header s;
    s.payload_length = h & 0x1FFFF;
    if (lz4) {
        s.uncompressed_length = (h >> 17) & 0x1FFFF;
        s.self_contained = ((h >> 34) & 1) != 0;
    } else {
        s.self_contained = ((h >> 17) & 1) != 0;
    }
    return s;
}

}  // namespace async_cassandra::protocol

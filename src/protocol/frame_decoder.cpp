#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/crc.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <lz4.h>

#include <algorithm>
#include <cstring>

namespace async_cassandra::protocol {

std::span<std::byte> frame_decoder::prepare(std::size_t min) {
    // Move unread bytes to the front when that makes room; grow otherwise.
    if (buf_.size() - end_ < min) {
        if (begin_ > 0) {
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (buf_.size() - end_ < min) buf_.resize(end_ + std::max(min, buf_.size()));
    }
    return {buf_.data() + end_, buf_.size() - end_};
}

void frame_decoder::feed(bytes_view data) {
    auto space = prepare(data.size());
    std::memcpy(space.data(), data.data(), data.size());
    commit(data.size());
}

std::optional<envelope> frame_decoder::next() {
    if (!segments_) return next_legacy();
    for (;;) {
        if (auto e = take_from_payload()) return e;
        if (!read_segment()) return std::nullopt;
    }
}

std::optional<envelope> frame_decoder::next_legacy() {
    if (end_ - begin_ < envelope_header_size) return std::nullopt;
    auto h = decode_envelope_header({buf_.data() + begin_, envelope_header_size}, max_body_);
    if (end_ - begin_ < envelope_header_size + h.body_length) return std::nullopt;
    auto* body = buf_.data() + begin_ + envelope_header_size;
    envelope e{h, {}};
    if (h.flags & frame_flags::compression) {
        auto what = std::string(to_string(h.opcode)) + " envelope on stream " + std::to_string(h.stream);
        if (body_compression_ == compression::none)
            throw protocol_error(protocol_errc::malformed, what + ": compression flag set, but no compression was negotiated");
        e.body = decompress_body({body, h.body_length}, body_compression_, max_body_, what);
        e.header.flags &= static_cast<std::uint8_t>(~frame_flags::compression);
        e.header.body_length = static_cast<std::uint32_t>(e.body.size());
    } else {
        e.body.assign(body, body + h.body_length);
    }
    begin_ += envelope_header_size + h.body_length;
    if (begin_ == end_) begin_ = end_ = 0;
    return e;
}

// Moves one whole segment's payload (verified, decompressed) into payload_.
bool frame_decoder::read_segment() {
    bytes_view raw{buf_.data() + begin_, end_ - begin_};
    auto h = decode_segment_header(raw, lz4_);
    if (!h) return false;
    const std::size_t hs = lz4_ ? compressed_segment_header_size : segment_header_size;
    const std::size_t total = hs + h->payload_length + segment_trailer_size;
    if (raw.size() < total) return false;
    auto payload = raw.subspan(hs, h->payload_length);
    auto trailer = raw.subspan(hs + h->payload_length, 4);
    std::uint32_t crc = 0;
    for (int i = 3; i >= 0; --i) crc = (crc << 8) | static_cast<std::uint8_t>(trailer[static_cast<std::size_t>(i)]);
    if (segment_crc32(payload) != crc)
        throw protocol_error(protocol_errc::bad_payload_crc, "v5 segment payload CRC32 mismatch (" +
                                                                  std::to_string(h->payload_length) + " bytes)");
    bool incomplete = payload_pos_ < payload_.size();
    if (h->self_contained && incomplete)
        throw protocol_error(protocol_errc::malformed,
                             "self-contained v5 segment arrived while a large envelope was incomplete");
    if (!incomplete) {
        payload_.clear();
        payload_pos_ = 0;
    }
    if (h->uncompressed_length == 0) {
        payload_.insert(payload_.end(), payload.begin(), payload.end());
    } else {
        auto at = payload_.size();
        payload_.resize(at + h->uncompressed_length);
        int n = LZ4_decompress_safe(reinterpret_cast<const char*>(payload.data()),
                                    reinterpret_cast<char*>(payload_.data() + at), static_cast<int>(payload.size()),
                                    static_cast<int>(h->uncompressed_length));
        if (n < 0 || static_cast<std::size_t>(n) != h->uncompressed_length)
            throw protocol_error(protocol_errc::decompression_failed,
                                 "LZ4 segment does not decompress to its declared " +
                                     std::to_string(h->uncompressed_length) + " bytes");
    }
    begin_ += total;
    if (begin_ == end_) begin_ = end_ = 0;
    return true;
}

std::optional<envelope> frame_decoder::take_from_payload() {
    std::size_t avail = payload_.size() - payload_pos_;
    if (avail < envelope_header_size) return std::nullopt;
    auto h = decode_envelope_header({payload_.data() + payload_pos_, envelope_header_size}, max_body_);
    if (avail < envelope_header_size + h.body_length) return std::nullopt;
    auto* body = payload_.data() + payload_pos_ + envelope_header_size;
    envelope e{h, byte_buffer(body, body + h.body_length)};
    payload_pos_ += envelope_header_size + h.body_length;
    if (payload_pos_ == payload_.size()) {
        payload_.clear();
        payload_pos_ = 0;
    }
    return e;
}

}  // namespace async_cassandra::protocol

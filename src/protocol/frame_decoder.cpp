#include <async_cassandra/protocol/body_compression.hpp>
#include <async_cassandra/protocol/crc.hpp>
#include <async_cassandra/protocol/frame_decoder.hpp>
#include <async_cassandra/protocol/segment.hpp>

#include <lz4.h>

#include <algorithm>
#include <cstring>

namespace async_cassandra::protocol {

std::span<std::byte> frame_decoder::prepare(std::size_t min) {
    // While a large v5 envelope streams in, segment after segment, a read
    // mostly ends inside a segment, whose bytes are moved to the front
    // before the next read: room for several segments makes that rare.
    if (large_) min = std::max(min, large_read_room);
    // Move unread bytes to the front when that makes room; grow otherwise.
    // The current segment's payload counts as unread until it is cut up.
    if (buf_.size() - end_ < min) {
        const std::size_t keep = cur_in_buf_ && cur_pos_ < cur_end_ ? std::min(cur_pos_, begin_) : begin_;
        if (keep > 0) {
            std::memmove(buf_.data(), buf_.data() + keep, end_ - keep);
            end_ -= keep;
            begin_ -= keep;
            if (cur_in_buf_) {
                cur_pos_ -= std::min(cur_pos_, keep);
                cur_end_ -= std::min(cur_end_, keep);
            }
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
        if (cur_pos_ == cur_end_ && !read_segment()) return std::nullopt;
        if (auto e = cut()) return e;
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
            throw protocol_error(protocol_errc::malformed,
                                 what + ": compression flag set, but no compression was negotiated");
        e.body = decompress_body({body, h.body_length}, body_compression_, max_body_, what);
        e.header.flags &= static_cast<std::uint8_t>(~frame_flags::compression);
        e.header.body_length = static_cast<std::uint32_t>(e.body.size());
    } else {
        e.body = owned_bytes(bytes_view{body, h.body_length});
    }
    begin_ += envelope_header_size + h.body_length;
    if (begin_ == end_) begin_ = end_ = 0;
    return e;
}

// Verifies the next whole segment and makes its payload current: in place
// in buf_, or decompressed into scratch_. Envelopes are then cut from it
// with one copy each (a v4 envelope's body is copied once too).
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
        throw protocol_error(protocol_errc::bad_payload_crc,
                             "v5 segment payload CRC32 mismatch (" + std::to_string(h->payload_length) + " bytes)");
    if (h->self_contained && (large_ || header_len_ > 0))
        throw protocol_error(protocol_errc::malformed,
                             "self-contained v5 segment arrived while a large envelope was incomplete");
    cur_self_contained_ = h->self_contained;
    if (h->uncompressed_length == 0) {
        cur_in_buf_ = true;
        cur_pos_ = begin_ + hs;
        cur_end_ = cur_pos_ + h->payload_length;
    } else {
        scratch_.resize_for_overwrite(h->uncompressed_length);
        int n = LZ4_decompress_safe(reinterpret_cast<const char*>(payload.data()),
                                    reinterpret_cast<char*>(scratch_.data()), static_cast<int>(payload.size()),
                                    static_cast<int>(h->uncompressed_length));
        if (n < 0 || static_cast<std::size_t>(n) != h->uncompressed_length)
            throw protocol_error(
                protocol_errc::decompression_failed,
                "LZ4 segment does not decompress to its declared " + std::to_string(h->uncompressed_length) + " bytes");
        cur_in_buf_ = false;
        cur_pos_ = 0;
        cur_end_ = h->uncompressed_length;
    }
    begin_ += total;
    return true;
}

// The next envelope the current payload completes, or nullopt once all of
// it went into an envelope still incomplete (a large one spans segments).
std::optional<envelope> frame_decoder::cut() {
    const std::byte* src = cur_in_buf_ ? buf_.data() : scratch_.data();
    auto take = [&](std::size_t n) {
        const std::byte* p = src + cur_pos_;
        cur_pos_ += n;
        return p;
    };
    if (large_) {
        auto& body = large_->body;
        const std::size_t n = std::min(cur_end_ - cur_pos_, large_->header.body_length - body.size());
        const auto* p = take(n);
        if (body.capacity() - body.size() < n)  // doubling, up to the declared length
            body.reserve(
                std::min<std::size_t>(large_->header.body_length, std::max(body.size() + n, body.capacity() * 2)));
        body.append({p, n});
        if (body.size() < large_->header.body_length) return std::nullopt;
        auto e = std::move(*large_);
        large_.reset();
        return e;
    }
    // The envelope header; a segment may end inside it, unless self-contained.
    const std::byte* hp;
    if (header_len_ == 0 && cur_end_ - cur_pos_ >= envelope_header_size) {
        hp = take(envelope_header_size);
    } else {
        const std::size_t n = std::min(envelope_header_size - header_len_, cur_end_ - cur_pos_);
        std::memcpy(header_.data() + header_len_, take(n), n);
        header_len_ += n;
        if (header_len_ < envelope_header_size) {
            if (cur_self_contained_)
                throw protocol_error(protocol_errc::malformed,
                                     "self-contained v5 segment ends inside an envelope header");
            return std::nullopt;
        }
        header_len_ = 0;
        hp = header_.data();
    }
    auto h = decode_envelope_header({hp, envelope_header_size}, max_body_);
    const std::size_t here = cur_end_ - cur_pos_;
    if (here >= h.body_length) {
        const auto* p = take(h.body_length);
        return envelope{h, owned_bytes(bytes_view{p, h.body_length})};
    }
    if (cur_self_contained_)
        throw protocol_error(protocol_errc::malformed, "self-contained v5 segment ends inside an envelope (" +
                                                           std::to_string(here) + " of " +
                                                           std::to_string(h.body_length) + " body bytes)");
    // A large envelope: its body is gathered straight from the segments
    // (room for the declared length up to a bound: the length alone must
    // not make a small input allocate much).
    constexpr std::size_t reserve_limit = 4 << 20;
    large_.emplace(envelope{h, {}});
    large_->body.reserve(std::min<std::size_t>(h.body_length, reserve_limit));
    const auto* p = take(here);
    large_->body.append({p, here});
    return std::nullopt;
}

}  // namespace async_cassandra::protocol

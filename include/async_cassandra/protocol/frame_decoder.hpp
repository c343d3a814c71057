// Incremental decoder of received bytes into envelopes, before and after the
// switch to v5 segments. Bytes may arrive split at any point, or many
// envelopes in one read. Sans-io: the caller reads into prepare()/commit().
#pragma once

#include <async_cassandra/compression.hpp>
#include <async_cassandra/protocol/frame.hpp>

#include <array>
#include <optional>
#include <span>

namespace async_cassandra::protocol {

class frame_decoder {
public:
    explicit frame_decoder(std::size_t max_body = max_envelope_body) : max_body_(max_body) {}

    // Free space to read into, at least `min` bytes; then commit what was read.
    std::span<std::byte> prepare(std::size_t min = 16 * 1024);
    void commit(std::size_t n) noexcept { end_ += n; }
    // Copies `data` in; for tests and in-process peers.
    void feed(bytes_view data);

    // From the next byte on, input is v5 segments (after READY or AUTHENTICATE).
    void enable_segments(bool lz4) noexcept {
        segments_ = true;
        lz4_ = lz4;
    }
    bool segments_enabled() const noexcept { return segments_; }

    // v4: envelopes with flag 0x01 carry bodies compressed with `c` (set when
    // STARTUP offers it; the answer to STARTUP may already be compressed).
    // next() returns them decompressed, with the flag cleared. Without it a
    // set flag is refused. Inside v5 segments the flag is deprecated and ignored.
    void enable_body_compression(compression c) noexcept { body_compression_ = c; }

    // The next whole envelope, or nullopt when more bytes are needed.
    // Throws protocol_error on malformed input; the stream is then unusable.
    std::optional<envelope> next();

    std::size_t buffered() const noexcept { return end_ - begin_; }

private:
    static constexpr std::size_t large_read_room = 1 << 20;
    std::optional<envelope> next_legacy();
    bool read_segment();
    std::optional<envelope> cut();

    byte_buffer buf_;  // raw bytes from the socket, [begin_, end_) unread
    std::size_t begin_ = 0, end_ = 0;
    // v5: the verified payload envelopes are being cut from, [cur_pos_,
    // cur_end_) of buf_ (uncompressed) or of scratch_ (decompressed).
    owned_bytes scratch_;
    std::size_t cur_pos_ = 0, cur_end_ = 0;
    bool cur_in_buf_ = false;
    bool cur_self_contained_ = false;
    std::optional<envelope> large_;                         // an envelope spanning segments, its body so far
    std::array<std::byte, envelope_header_size> header_{};  // an envelope header split by a segment end
    std::size_t header_len_ = 0;
    std::size_t max_body_;
    bool segments_ = false;
    bool lz4_ = false;
    compression body_compression_ = compression::none;
};

// Appends one envelope: header, then whatever `body` writes, then patches the length.
template <class BodyFn>
void write_envelope(byte_buffer& out, std::uint8_t version, std::uint8_t flags, std::int16_t stream, opcode op,
                    BodyFn&& body) {
    byte_writer w(out);
    auto start = out.size();
    encode_envelope_header(w, {version, false, flags, stream, op, 0});
    body(w);
    w.patch_i32(start + 5, static_cast<std::int32_t>(out.size() - start - envelope_header_size));
}

}  // namespace async_cassandra::protocol

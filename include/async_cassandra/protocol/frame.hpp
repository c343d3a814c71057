// Envelope header (spec 2.4): the 9 bytes before every message body.
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <cstdint>

namespace async_cassandra::protocol {

enum class opcode : std::uint8_t {
    error = 0x00,
    startup = 0x01,
    ready = 0x02,
    authenticate = 0x03,
    options = 0x05,
    supported = 0x06,
    query = 0x07,
    result = 0x08,
    prepare = 0x09,
    execute = 0x0A,
    register_ = 0x0B,
    event = 0x0C,
    batch = 0x0D,
    auth_challenge = 0x0E,
    auth_response = 0x0F,
    auth_success = 0x10,
};

const char* to_string(opcode op) noexcept;

namespace frame_flags {
inline constexpr std::uint8_t compression = 0x01;
inline constexpr std::uint8_t tracing = 0x02;
inline constexpr std::uint8_t custom_payload = 0x04;
inline constexpr std::uint8_t warning = 0x08;
inline constexpr std::uint8_t use_beta = 0x10;
}  // namespace frame_flags

inline constexpr std::size_t envelope_header_size = 9;
inline constexpr std::uint8_t response_bit = 0x80;
// The spec caps an envelope body at 256 MB.
inline constexpr std::size_t max_envelope_body = 256u * 1024 * 1024;

struct envelope_header {
    std::uint8_t version = 0;  // without the response bit
    bool is_response = false;
    std::uint8_t flags = 0;
    std::int16_t stream = 0;
    protocol::opcode opcode = opcode::error;
    std::uint32_t body_length = 0;
};

// Parses exactly envelope_header_size bytes; rejects bodies over max_body.
envelope_header decode_envelope_header(bytes_view nine_bytes, std::size_t max_body = max_envelope_body);
void encode_envelope_header(byte_writer& w, const envelope_header& h);

// A whole received envelope; body is owned so results can keep views into it.
struct envelope {
    envelope_header header;
    owned_bytes body;
};

}  // namespace async_cassandra::protocol

#include <async_cassandra/protocol/frame.hpp>

namespace async_cassandra::protocol {

const char* to_string(opcode op) noexcept {
    switch (op) {
        case opcode::error: return "ERROR";
        case opcode::startup: return "STARTUP";
        case opcode::ready: return "READY";
        case opcode::authenticate: return "AUTHENTICATE";
        case opcode::options: return "OPTIONS";
        case opcode::supported: return "SUPPORTED";
        case opcode::query: return "QUERY";
        case opcode::result: return "RESULT";
        case opcode::prepare: return "PREPARE";
        case opcode::execute: return "EXECUTE";
        case opcode::register_: return "REGISTER";
        case opcode::event: return "EVENT";
        case opcode::batch: return "BATCH";
        case opcode::auth_challenge: return "AUTH_CHALLENGE";
        case opcode::auth_response: return "AUTH_RESPONSE";
        case opcode::auth_success: return "AUTH_SUCCESS";
    }
    return "UNKNOWN";
}

envelope_header decode_envelope_header(bytes_view nine, std::size_t max_body) {
    byte_reader r(nine);
    envelope_header h;
    auto v = r.u8("envelope version");
    h.is_response = (v & response_bit) != 0;
    h.version = v & 0x7F;
    h.flags = r.u8("envelope flags");
    h.stream = static_cast<std::int16_t>(r.u16("envelope stream"));
    auto op = r.u8("envelope opcode");
    if (op > 0x10 || op == 0x04)
        throw protocol_error(protocol_errc::malformed, "envelope header: unknown opcode " + std::to_string(op));
    h.opcode = static_cast<opcode>(op);
    auto len = r.i32("envelope length");
    if (len < 0 || static_cast<std::size_t>(len) > max_body)
        throw protocol_error(protocol_errc::frame_too_large, std::string("envelope ") + to_string(h.opcode) +
                                                                 " declares a body of " + std::to_string(len) +
                                                                 " bytes; the limit is " + std::to_string(max_body));
    h.body_length = static_cast<std::uint32_t>(len);
    return h;
}

void encode_envelope_header(byte_writer& w, const envelope_header& h) {
    w.u8(static_cast<std::uint8_t>(h.version | (h.is_response ? response_bit : 0)));
    w.u8(h.flags);
    w.u16(static_cast<std::uint16_t>(h.stream));
    w.u8(static_cast<std::uint8_t>(h.opcode));
    w.i32(static_cast<std::int32_t>(h.body_length));
}

}  // namespace async_cassandra::protocol

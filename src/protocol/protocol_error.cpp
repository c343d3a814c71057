#include <async_cassandra/protocol/protocol_error.hpp>

#include "common/category.hpp"

namespace async_cassandra::protocol {

namespace {
std::string describe(int ev) {
    switch (static_cast<protocol_errc>(ev)) {
        case protocol_errc::truncated: return "message truncated";
        case protocol_errc::malformed: return "malformed message";
        case protocol_errc::bad_header_crc: return "segment header CRC24 mismatch";
        case protocol_errc::bad_payload_crc: return "segment payload CRC32 mismatch";
        case protocol_errc::unexpected_opcode: return "unexpected response opcode";
        case protocol_errc::unsupported_version: return "unsupported protocol version";
        case protocol_errc::frame_too_large: return "frame too large";
        case protocol_errc::value_too_large: return "value too large";
        case protocol_errc::decompression_failed: return "decompression failed";
    }
    return "unknown protocol error";
}
}  // namespace

const error_category& protocol_category() noexcept {
    static const detail::enum_category c("cql.protocol", describe);
    return c;
}

}  // namespace async_cassandra::protocol

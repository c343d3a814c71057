// Errors raised while encoding or decoding protocol bytes.
#pragma once

#include <async_cassandra/detail/error_code.hpp>

#include <stdexcept>
#include <string>
#include <system_error>

namespace async_cassandra::protocol {

enum class protocol_errc {
    truncated = 1,         // a message ended before a field it declares
    malformed,             // a field holds a value the spec forbids
    bad_header_crc,        // v5 segment header CRC24 mismatch
    bad_payload_crc,       // v5 segment payload CRC32 mismatch
    unexpected_opcode,     // a response that does not answer the request
    unsupported_version,   // an envelope of another protocol version
    frame_too_large,       // an envelope beyond the configured maximum
    value_too_large,       // a value too long for its length prefix
    decompression_failed,  // an LZ4/Snappy body that does not decompress
};

const error_category& protocol_category() noexcept;

inline error_code make_error_code(protocol_errc e) noexcept { return {static_cast<int>(e), protocol_category()}; }

// Thrown by decoders: the code says what kind, the message says what and where.
class protocol_error : public system_error {
public:
    protocol_error(protocol_errc code, const std::string& what) : system_error(make_error_code(code), what) {}
};

}  // namespace async_cassandra::protocol

template <>
struct std::is_error_code_enum<async_cassandra::protocol::protocol_errc> : std::true_type {};
#ifdef ASYNC_CASSANDRA_BOOST_ASIO
template <>
struct boost::system::is_error_code_enum<async_cassandra::protocol::protocol_errc> : std::true_type {};
#endif

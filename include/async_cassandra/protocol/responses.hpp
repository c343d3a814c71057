// Decoders of the small responses (spec 4.2.2-4.2.4, 4.2.7, 4.2.8) and of the
// optional prefix every response body may start with. Each reads from a
// byte_reader positioned at the message and throws protocol_error naming
// the field and offset when the body is truncated or malformed. Bytes after
// the described fields are left unread: the spec reserves them for later use.
#pragma once

#include <async_cassandra/protocol/bytes.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace async_cassandra::protocol {

using string_multimap = std::map<std::string, std::vector<std::string>, std::less<>>;

// Tracing id, warnings and custom payload that precede a response body.
struct response_prefix {
    std::optional<std::array<std::byte, 16>> tracing_id;
    std::vector<std::string> warnings;
    // [bytes map]; values view into the body, nullopt for null.
    std::vector<std::pair<std::string, std::optional<bytes_view>>> custom_payload;
};
// Reads the optional prefix selected by the envelope `flags`; the reader then
// sits on the message.
response_prefix decode_response_prefix(byte_reader& r, std::uint8_t flags);

// READY: an empty body; nothing to read.
inline void decode_ready(byte_reader&) noexcept {}

// AUTHENTICATE: the [string] class name of the server's IAuthenticator.
std::string decode_authenticate(byte_reader& r);

// SUPPORTED: a [string multimap] of STARTUP options and their values.
string_multimap decode_supported(byte_reader& r);

// AUTH_CHALLENGE and AUTH_SUCCESS: one [bytes] token, viewing into the body;
// nullopt when the server sent null.
std::optional<bytes_view> decode_auth_challenge(byte_reader& r);
std::optional<bytes_view> decode_auth_success(byte_reader& r);

}  // namespace async_cassandra::protocol

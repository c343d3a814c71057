// The answers a connection reads before it is ready: SUPPORTED,
// AUTHENTICATE, AUTH_CHALLENGE, AUTH_SUCCESS, READY and ERROR (v4 and v5),
// each after the optional prefix (tracing id, warnings, custom payload).
// The first byte picks the message (bits 0-2) and the prefix flags (bits 1-3
// of the envelope flags, from bits 3-5).
#include <async_cassandra/protocol/messages.hpp>

#include <cstddef>
#include <cstdint>

using namespace async_cassandra::protocol;

namespace {
// A token must view into the body it was read from.
void check_inside(const std::optional<bytes_view>& token, bytes_view body) {
    if (token && !token->empty() &&
        (token->data() < body.data() || token->data() + token->size() > body.data() + body.size()))
        __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto message = data[0] & 7;
    const auto flags = static_cast<std::uint8_t>((data[0] >> 2) & 0x0E);
    const bytes_view body(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    try {
        byte_reader r(body);
        (void)decode_response_prefix(r, flags);
        switch (message) {
            case 0: (void)decode_supported(r); break;
            case 1: (void)decode_authenticate(r); break;
            case 2: check_inside(decode_auth_challenge(r), body); break;
            case 3: check_inside(decode_auth_success(r), body); break;
            case 4: decode_ready(r); break;
            default: (void)decode_error(r, message == 5 ? 4 : 5); break;
        }
    } catch (const protocol_error&) {
    }
    return 0;
}

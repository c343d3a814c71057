#include <async_cassandra/protocol/frame.hpp>
#include <async_cassandra/protocol/responses.hpp>

#include "notation.hpp"

#include <algorithm>

namespace async_cassandra::protocol {

response_prefix decode_response_prefix(byte_reader& r, std::uint8_t flags) {
    response_prefix p;
    if (flags & frame_flags::tracing) {
        auto id = r.raw(16, "tracing id");
        p.tracing_id.emplace();
        std::copy(id.begin(), id.end(), p.tracing_id->begin());
    }
    if (flags & frame_flags::warning) p.warnings = detail::read_string_list(r, "warnings");
    if (flags & frame_flags::custom_payload) {
        // Each entry is at least a [string] length and a [bytes] length.
        auto n = r.count(r.u16("custom payload size"), 6, "custom payload size");
        p.custom_payload.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::string key(r.string("custom payload key"));
            p.custom_payload.emplace_back(std::move(key), r.bytes("custom payload value"));
        }
    }
    return p;
}

std::string decode_authenticate(byte_reader& r) { return std::string(r.string("authenticator class")); }

string_multimap decode_supported(byte_reader& r) {
    string_multimap m;
    auto n = r.u16("supported map size");
    for (std::uint16_t i = 0; i < n; ++i) {
        std::string key(r.string("supported key"));
        m[std::move(key)] = detail::read_string_list(r, "supported values");
    }
    return m;
}

std::optional<bytes_view> decode_auth_challenge(byte_reader& r) { return r.bytes("auth challenge token"); }
std::optional<bytes_view> decode_auth_success(byte_reader& r) { return r.bytes("auth success token"); }

}  // namespace async_cassandra::protocol

// CQL inet (spec 5.10): an IPv4 (4 bytes) or IPv6 (16 bytes) address.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace async_cassandra {

class inet_address {
public:
    inet_address() noexcept = default;  // 0.0.0.0

    // Throws value_error unless `bytes` holds 4 or 16 bytes.
    static inet_address from_bytes(std::span<const std::byte> bytes);
    // Reads dotted IPv4 or RFC 4291 IPv6 text; throws value_error otherwise.
    static inet_address parse(std::string_view text);

    bool is_v4() const noexcept { return size_ == 4; }
    bool is_v6() const noexcept { return size_ == 16; }
    // The 4 or 16 address bytes, network order.
    std::span<const std::byte> bytes() const noexcept { return {bytes_.data(), size_}; }
    // Dotted IPv4, or RFC 5952 IPv6 ("::1").
    std::string to_string() const;

    // IPv4 before IPv6, then byte-wise.
    friend auto operator<=>(const inet_address&, const inet_address&) noexcept = default;

private:
    std::uint8_t size_ = 4;  // first, so that ordering puts IPv4 first
    std::array<std::byte, 16> bytes_{};
};

}  // namespace async_cassandra

// CQL uuid and timeuuid (spec 5.19, 5.22): 16 bytes, as RFC 4122 lays them out.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace async_cassandra {

class uuid {
public:
    constexpr uuid() noexcept = default;  // the nil uuid
    constexpr explicit uuid(const std::array<std::byte, 16>& bytes) noexcept : bytes_(bytes) {}

    // Throws value_error unless `bytes` holds exactly 16 bytes.
    static uuid from_bytes(std::span<const std::byte> bytes);
    // Reads the canonical 8-4-4-4-12 hex form (either case); throws value_error otherwise.
    static uuid parse(std::string_view text);

    constexpr const std::array<std::byte, 16>& bytes() const noexcept { return bytes_; }
    // The RFC 4122 version nibble: 1 for a timeuuid, 4 for a random uuid.
    constexpr int version() const noexcept { return static_cast<int>(bytes_[6] >> 4); }
    // Lower-case 8-4-4-4-12 form.
    std::string to_string() const;

    // Byte-wise order (not Cassandra's timeuuid order).
    friend constexpr auto operator<=>(const uuid&, const uuid&) noexcept = default;

private:
    std::array<std::byte, 16> bytes_{};
};

}  // namespace async_cassandra

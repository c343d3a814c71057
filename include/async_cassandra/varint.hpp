// CQL varint (spec 5.24): an integer of any size, kept as its minimal
// big-endian two's complement bytes, the wire form.
#pragma once

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra {

class varint {
public:
    varint() : bytes_(1, std::byte{0}) {}
    template <std::integral I>
        requires(!std::same_as<I, bool>)
    varint(I v) {  // NOLINT: implicit, any integer is a varint
        if constexpr (std::is_signed_v<I>)
            assign(static_cast<std::int64_t>(v));
        else
            assign_unsigned(static_cast<std::uint64_t>(v));
    }

    // Two's complement big-endian bytes (redundant sign bytes are dropped);
    // throws value_error when empty.
    static varint from_bytes(std::span<const std::byte> bytes);
    // Decimal text, optionally signed ("-12345678901234567890"); throws value_error otherwise.
    static varint parse(std::string_view text);

    // Minimal two's complement form: what goes on the wire.
    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    bool is_negative() const noexcept { return (bytes_.front() & std::byte{0x80}) != std::byte{0}; }
    bool fits_int64() const noexcept { return bytes_.size() <= 8; }
    // Throws value_error when the value needs more than 64 bits.
    std::int64_t to_int64() const;
    std::string to_string() const;

    friend bool operator==(const varint&, const varint&) = default;
    friend std::strong_ordering operator<=>(const varint& a, const varint& b) noexcept;

private:
    void assign(std::int64_t v);
    void assign_unsigned(std::uint64_t v);

    std::vector<std::byte> bytes_;  // never empty
};

}  // namespace async_cassandra

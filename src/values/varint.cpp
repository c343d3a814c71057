#include <async_cassandra/value_error.hpp>
#include <async_cassandra/varint.hpp>

#include <algorithm>
#include <cstdint>

namespace async_cassandra {

namespace {
using byte_vector = std::vector<std::byte>;

// Drops leading bytes that only repeat the sign.
void normalize(byte_vector& b) {
    std::size_t skip = 0;
    while (skip + 1 < b.size()) {
        const auto lead = b[skip];
        const bool next_negative = (b[skip + 1] & std::byte{0x80}) != std::byte{0};
        if ((lead == std::byte{0x00} && !next_negative) || (lead == std::byte{0xFF} && next_negative))
            ++skip;
        else
            break;
    }
    b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(skip));
}

// Two's complement negation in place, big-endian.
void negate(byte_vector& b) {
    unsigned carry = 1;
    for (auto it = b.rbegin(); it != b.rend(); ++it) {
        const unsigned v = (~static_cast<unsigned>(*it) & 0xFFu) + carry;
        *it = static_cast<std::byte>(v & 0xFFu);
        carry = v >> 8;
    }
}

// b = b * mul + add, b an unsigned big-endian magnitude that grows as needed.
void mul_add(byte_vector& b, std::uint32_t mul, std::uint32_t add) {
    std::uint64_t carry = add;
    for (auto it = b.rbegin(); it != b.rend(); ++it) {
        const std::uint64_t cur = static_cast<std::uint64_t>(*it) * mul + carry;
        *it = static_cast<std::byte>(cur & 0xFF);
        carry = cur >> 8;
    }
    while (carry) {
        b.insert(b.begin(), static_cast<std::byte>(carry & 0xFF));
        carry >>= 8;
    }
}

// b = b / div, returning the remainder; b an unsigned big-endian magnitude.
std::uint32_t div_mod(byte_vector& b, std::uint32_t div) {
    std::uint64_t rem = 0;
    for (auto& x : b) {
        const std::uint64_t cur = (rem << 8) | static_cast<std::uint64_t>(x);
        x = static_cast<std::byte>(cur / div);
        rem = cur % div;
    }
    return static_cast<std::uint32_t>(rem);
}
}  // namespace

void varint::assign(std::int64_t v) {
    bytes_.resize(8);
    const auto u = static_cast<std::uint64_t>(v);
    for (std::size_t i = 0; i < 8; ++i) bytes_[i] = static_cast<std::byte>(u >> (56 - 8 * i));
    normalize(bytes_);
}

void varint::assign_unsigned(std::uint64_t v) {
    bytes_.assign(9, std::byte{0});  // a leading 0x00 keeps values >= 2^63 positive
    for (std::size_t i = 0; i < 8; ++i) bytes_[i + 1] = static_cast<std::byte>(v >> (56 - 8 * i));
    normalize(bytes_);
}

varint varint::from_bytes(std::span<const std::byte> b) {
    if (b.empty()) throw value_error("a varint needs at least 1 byte, the cell is empty");
    varint v;
    v.bytes_.assign(b.begin(), b.end());
    normalize(v.bytes_);
    return v;
}

varint varint::parse(std::string_view text) {
    std::string_view digits = text;
    const bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw value_error("'" + std::string(text) + "' is not a decimal integer");
    byte_vector mag(1, std::byte{0});
    // Nine digits at a time: 10^9 * 255 plus a carry fits in 64 bits.
    for (std::size_t i = 0; i < digits.size(); i += 9) {
        const auto chunk = digits.substr(i, 9);
        std::uint32_t value = 0, scale = 1;
        for (char c : chunk) {
            value = value * 10 + static_cast<std::uint32_t>(c - '0');
            scale *= 10;
        }
        mul_add(mag, scale, value);
    }
    mag.insert(mag.begin(), std::byte{0});  // room for the sign bit
    if (negative) negate(mag);
    varint v;
    v.bytes_ = std::move(mag);
    normalize(v.bytes_);
    return v;
}

std::int64_t varint::to_int64() const {
    if (!fits_int64()) throw value_error("varint " + to_string() + " does not fit in 64 bits");
    std::uint64_t u = is_negative() ? ~std::uint64_t{0} : 0;
    for (auto b : bytes_) u = (u << 8) | static_cast<std::uint8_t>(b);
    return static_cast<std::int64_t>(u);
}

std::string varint::to_string() const {
    byte_vector mag = bytes_;
    const bool negative = is_negative();
    if (negative) {
        mag.insert(mag.begin(), std::byte{0xFF});  // -2^(8n-1) needs one more byte as a magnitude
        negate(mag);
    }
    std::string out;
    for (;;) {
        auto rem = div_mod(mag, 1'000'000'000);
        const bool zero = std::all_of(mag.begin(), mag.end(), [](std::byte b) { return b == std::byte{0}; });
        for (int i = 0; i < 9 && (!zero || rem != 0 || i == 0); ++i) {
            out += static_cast<char>('0' + rem % 10);
            rem /= 10;
        }
        if (zero) break;
    }
    if (negative) out += '-';
    std::reverse(out.begin(), out.end());
    return out;
}

std::strong_ordering operator<=>(const varint& a, const varint& b) noexcept {
    const bool an = a.is_negative(), bn = b.is_negative();
    if (an != bn) return an ? std::strong_ordering::less : std::strong_ordering::greater;
    // Minimal forms of the same sign: the longer one is further from zero.
    if (a.bytes_.size() != b.bytes_.size())
        return (a.bytes_.size() < b.bytes_.size()) != an ? std::strong_ordering::less : std::strong_ordering::greater;
    return std::lexicographical_compare_three_way(a.bytes_.begin(), a.bytes_.end(), b.bytes_.begin(), b.bytes_.end());
}

}  // namespace async_cassandra

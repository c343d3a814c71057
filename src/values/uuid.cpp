#include <async_cassandra/uuid.hpp>
#include <async_cassandra/value_error.hpp>

#include <algorithm>

namespace async_cassandra {

uuid uuid::from_bytes(std::span<const std::byte> bytes) {
    if (bytes.size() != 16) throw value_error("a uuid has 16 bytes, the cell has " + std::to_string(bytes.size()));
    std::array<std::byte, 16> a{};
    std::copy(bytes.begin(), bytes.end(), a.begin());
    return uuid(a);
}

namespace {
int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

uuid uuid::parse(std::string_view text) {
    auto fail = [&] {
        throw value_error("'" + std::string(text) + "' is not a uuid (expected 8-4-4-4-12 hex digits)");
    };
    if (text.size() != 36) fail();
    std::array<std::byte, 16> a{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') fail();
            ++i;
            continue;
        }
        const int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
        if (hi < 0 || lo < 0) fail();
        a[n++] = static_cast<std::byte>(hi * 16 + lo);
        i += 2;
    }
    return uuid(a);
}

std::string uuid::to_string() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        const auto b = static_cast<unsigned>(bytes_[i]);
        s += digits[b >> 4];
        s += digits[b & 0xF];
    }
    return s;
}

}  // namespace async_cassandra

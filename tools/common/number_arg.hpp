// A command-line number: an unsigned integer in [lo, hi], else nullopt (the
// caller names the option in its message).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tools {

inline std::optional<std::uint64_t> number(std::string_view v, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || out < lo || out > hi) return std::nullopt;
    return out;
}

}  // namespace tools

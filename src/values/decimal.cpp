#include <async_cassandra/decimal.hpp>
#include <async_cassandra/value_error.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace async_cassandra {

decimal decimal::parse(std::string_view text) {
    auto fail = [&] { throw value_error("'" + std::string(text) + "' is not a decimal number"); };
    std::string_view s = text;
    std::string digits;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        if (s.front() == '-') digits += '-';
        s.remove_prefix(1);
    }
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t i = 0, int_digits = 0, frac_digits = 0;
    for (; i < s.size() && is_digit(s[i]); ++i, ++int_digits) digits += s[i];
    if (i < s.size() && s[i] == '.')
        for (++i; i < s.size() && is_digit(s[i]); ++i, ++frac_digits) digits += s[i];
    if (int_digits + frac_digits == 0) fail();
    std::int64_t exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
        if (i == s.size()) fail();
        for (; i < s.size() && is_digit(s[i]); ++i) {
            exponent = exponent * 10 + (s[i] - '0');
            if (exponent > std::int64_t{1} << 40) fail();
        }
        if (negative) exponent = -exponent;
    }
    if (i != s.size()) fail();
    const std::int64_t scale = static_cast<std::int64_t>(frac_digits) - exponent;
    if (scale < std::numeric_limits<std::int32_t>::min() || scale > std::numeric_limits<std::int32_t>::max())
        throw value_error("'" + std::string(text) + "': the scale does not fit in 32 bits");
    return decimal{varint::parse(digits), static_cast<std::int32_t>(scale)};
}

std::string decimal::to_string() const {
    std::string coeff = unscaled.to_string();
    const bool negative = coeff.front() == '-';
    if (negative) coeff.erase(0, 1);
    const auto len = static_cast<std::int64_t>(coeff.size());
    const std::int64_t adjusted = -std::int64_t{scale} + (len - 1);
    std::string out = negative ? "-" : "";
    if (scale >= 0 && adjusted >= -6) {
        if (scale == 0) {
            out += coeff;
        } else if (len > scale) {
            out += coeff.substr(0, static_cast<std::size_t>(len - scale)) + "." +
                   coeff.substr(static_cast<std::size_t>(len - scale));
        } else {
            out += "0." + std::string(static_cast<std::size_t>(scale - len), '0') + coeff;
        }
        return out;
    }
    out += coeff.substr(0, 1);
    if (len > 1) {
        // Appended in place: `"." + coeff.substr(1)` trips g++ 12's -Wrestrict at -O3.
        out += '.';
        out.append(coeff, 1);
    }
    out += "E";
    if (adjusted >= 0) out += '+';
    return out + std::to_string(adjusted);
}

}  // namespace async_cassandra

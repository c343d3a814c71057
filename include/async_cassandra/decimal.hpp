// CQL decimal (spec 5.6): unscaled * 10^-scale, exactly.
#pragma once

#include <async_cassandra/varint.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace async_cassandra {

// Like Java's BigDecimal, 1.5 (15, scale 1) and 1.50 (150, scale 2) are
// different values for operator==.
struct decimal {
    varint unscaled;
    std::int32_t scale = 0;

    // "123.45", "-0.001", "1.5E-7", "12E+3"; throws value_error otherwise.
    static decimal parse(std::string_view text);
    // Java BigDecimal.toString: plain ("123.45") unless the exponent is
    // large, then scientific ("1.2345E+10", "1E-9").
    std::string to_string() const;

    friend bool operator==(const decimal&, const decimal&) = default;
};

}  // namespace async_cassandra

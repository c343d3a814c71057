// CQL date and time (spec 5.5, 5.17). Dates also map to std::chrono::sys_days,
// times to std::chrono::nanoseconds and timestamps to
// std::chrono::sys_time<std::chrono::milliseconds>; these types keep the
// raw wire form and the checks.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>

namespace async_cassandra {

// A CQL date as on the wire: days, with 1970-01-01 at 2^31 so that the
// whole uint32 range is usable (-5877641-06-23 .. 5881580-07-11).
struct date {
    static constexpr std::uint32_t epoch = std::uint32_t{1} << 31;
    std::uint32_t raw = epoch;

    // Throws value_error when d lies outside the CQL date range.
    static date from_sys_days(std::chrono::sys_days d);
    std::int64_t days_since_epoch() const noexcept { return std::int64_t{raw} - epoch; }
    std::chrono::sys_days to_sys_days() const noexcept {
        return std::chrono::sys_days(std::chrono::days(days_since_epoch()));
    }
    // "2024-02-29", "-5877641-06-23".
    std::string to_string() const;

    friend auto operator<=>(const date&, const date&) noexcept = default;
};

// CQL time: nanoseconds since midnight, 0 .. 86'399'999'999'999.
inline constexpr std::chrono::nanoseconds max_time_of_day{86'399'999'999'999};
// Throws value_error when t is outside [0, max_time_of_day].
void check_time_of_day(std::chrono::nanoseconds t);

}  // namespace async_cassandra

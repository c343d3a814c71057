#include <async_cassandra/date_time.hpp>
#include <async_cassandra/duration.hpp>
#include <async_cassandra/value_error.hpp>

#include <cstdio>

namespace async_cassandra {

date date::from_sys_days(std::chrono::sys_days d) {
    const auto days = static_cast<std::int64_t>(d.time_since_epoch().count());
    const auto raw = days + std::int64_t{epoch};
    if (raw < 0 || raw > std::int64_t{0xFFFFFFFF})
        throw value_error("day " + std::to_string(days) + " since 1970-01-01 is outside the CQL date range");
    return date{static_cast<std::uint32_t>(raw)};
}

std::string date::to_string() const {
    // Civil-from-days (H. Hinnant's algorithm) in 64 bits: the CQL range
    // exceeds std::chrono::year's +-32767.
    const std::int64_t z = days_since_epoch() + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%s%04lld-%02lld-%02lld", y < 0 ? "-" : "", static_cast<long long>(y < 0 ? -y : y),
                  static_cast<long long>(m), static_cast<long long>(d));
    return buf;
}

void check_time_of_day(std::chrono::nanoseconds t) {
    if (t.count() < 0 || t > max_time_of_day)
        throw value_error("time " + std::to_string(t.count()) +
                          " ns is outside a day (0 .. 86399999999999 ns since midnight)");
}

std::string to_string(const duration& d) {
    if (d.months == 0 && d.days == 0 && d.nanoseconds == 0) return "0s";
    const bool negative = d.months < 0 || d.days < 0 || d.nanoseconds < 0;
    // Magnitudes in 64 bits: -INT32_MIN and -INT64_MIN do not fit their own types.
    auto mag = [](std::int64_t v) { return v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v); };
    std::string s = negative ? "-" : "";
    auto part = [&](std::uint64_t v, const char* unit) {
        if (v) s += std::to_string(v) + unit;
    };
    const auto months = mag(d.months);
    part(months / 12, "y");
    part(months % 12, "mo");
    part(mag(d.days), "d");
    auto ns = mag(d.nanoseconds);
    constexpr std::uint64_t us = 1000, ms = 1000 * us, sec = 1000 * ms, min = 60 * sec, hour = 60 * min;
    part(ns / hour, "h");
    ns %= hour;
    part(ns / min, "m");
    ns %= min;
    part(ns / sec, "s");
    ns %= sec;
    part(ns / ms, "ms");
    ns %= ms;
    part(ns / us, "us");
    part(ns % us, "ns");
    return s;
}

}  // namespace async_cassandra

// The soak's pass criteria as pure functions over what it measured, so that
// they are unit-tested apart from a cluster.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace soak {

// Successful requests per bucket of `bucket_s` seconds since the start.
struct throughput_series {
    std::vector<std::uint32_t> ok;
    double bucket_s = 0.1;

    double rate(double from_s, double to_s) const;  // requests/s over [from, to)
};

// Seconds from `at_s` to the end of the first 500 ms window (stepped by one
// bucket, starting at `at_s`) whose rate reaches half of `baseline`; nullopt
// if none does within `horizon_s`.
std::optional<double> recovery_after(const throughput_series& s, double at_s, double baseline, double horizon_s);

// |after - before| <= percent % of before.
bool within_percent(double before, double after, double percent);

}  // namespace soak

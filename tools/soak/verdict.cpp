#include "verdict.hpp"

#include <algorithm>
#include <cmath>

namespace soak {

double throughput_series::rate(double from_s, double to_s) const {
    if (to_s <= from_s) return 0;
    double n = 0;
    const auto first = static_cast<std::size_t>(std::max(0.0, std::round(from_s / bucket_s)));
    const auto last = static_cast<std::size_t>(std::max(0.0, std::round(to_s / bucket_s)));
    for (auto i = first; i < last && i < ok.size(); ++i) n += ok[i];
    return n / (to_s - from_s);
}

std::optional<double> recovery_after(const throughput_series& s, double at_s, double baseline, double horizon_s) {
    constexpr double window = 0.5;
    for (double w = at_s; w + window <= at_s + horizon_s + 1e-9; w += s.bucket_s)
        if (s.rate(w, w + window) >= baseline / 2) return w + window - at_s;
    return std::nullopt;
}

bool within_percent(double before, double after, double percent) {
    return std::abs(after - before) <= before * percent / 100.0;
}

}  // namespace soak

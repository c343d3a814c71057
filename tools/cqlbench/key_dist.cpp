#include "key_dist.hpp"

#include <algorithm>
#include <cmath>

namespace cqlbench {
namespace {
// log1p(x)/x and expm1(x)/x, continuous at 0 (where both are 1).
double log1p_over(double x) noexcept { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x / 2; }
double expm1_over(double x) noexcept { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x / 2; }
}  // namespace

zipf_sampler::zipf_sampler(std::uint64_t n, double s) : n_(std::max<std::uint64_t>(n, 1)), s_(s) {
    h_x1_ = big_h(1.5) - 1.0;
    h_n_ = big_h(static_cast<double>(n_) + 0.5);
    threshold_ = 2.0 - big_h_inverse(big_h(2.5) - h(2.0));
}

double zipf_sampler::h(double x) const noexcept { return std::exp(-s_ * std::log(x)); }

// (x^(1-s) - 1) / (1-s), and log(x) at s = 1, computed without cancellation.
double zipf_sampler::big_h(double x) const noexcept {
    const double lx = std::log(x);
    return expm1_over((1.0 - s_) * lx) * lx;
}

double zipf_sampler::big_h_inverse(double y) const noexcept {
    double t = y * (1.0 - s_);
    t = std::max(t, -1.0);
    return std::exp(log1p_over(t) * y);
}

std::uint64_t zipf_sampler::sample(rng& r) const noexcept {
    for (;;) {
        // u runs from H(n + 1/2) down to H(3/2) - 1; k is the rank whose
        // interval holds H^-1(u), accepted with probability h(k) / area.
        const double u = h_n_ + r.unit() * (h_x1_ - h_n_);
        const double x = big_h_inverse(u);
        double k = std::floor(x + 0.5);
        k = std::clamp(k, 1.0, static_cast<double>(n_));
        if (k - x <= threshold_ || u >= big_h(k + 0.5) - h(k)) return static_cast<std::uint64_t>(k);
    }
}

}  // namespace cqlbench

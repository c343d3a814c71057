// Keys for each op: uniform, Zipf (by rejection-inversion sampling, O(1) per
// key for any key count) or sequential.
#pragma once

#include "options.hpp"

#include <cstdint>

namespace cqlbench {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

// splitmix64: small, fast, and good enough for picking keys.
class rng {
public:
    explicit rng(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1).
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, n), n > 0 (multiply-shift, no modulo bias worth noting).
    std::uint64_t below(std::uint64_t n) noexcept {
        return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
    }

private:
    std::uint64_t state_;
};

// Zipf over ranks 1..n with exponent s > 0: P(k) proportional to k^-s.
// Rejection-inversion after Hörmann and Derflinger (1996).
class zipf_sampler {
public:
    zipf_sampler(std::uint64_t n, double s);
    std::uint64_t sample(rng& r) const noexcept;  // 1..n

private:
    double h(double x) const noexcept;      // x^-s
    double big_h(double x) const noexcept;  // an antiderivative of h
    double big_h_inverse(double y) const noexcept;

    std::uint64_t n_;
    double s_;
    double h_x1_, h_n_, threshold_;
};

// The key of op number `op` for one worker's generator.
class key_chooser {
public:
    key_chooser(const options& o)
        : dist_(o.dist), keys_(o.keys), zipf_(o.dist == key_distribution::zipf ? o.keys : 2, o.zipf_s) {}
    std::int64_t next(rng& r, std::uint64_t op) const noexcept {
        switch (dist_) {
            case key_distribution::seq: return static_cast<std::int64_t>(op % keys_);
            case key_distribution::zipf: return static_cast<std::int64_t>(zipf_.sample(r) - 1);
            default: return static_cast<std::int64_t>(r.below(keys_));
        }
    }

private:
    key_distribution dist_;
    std::uint64_t keys_;
    zipf_sampler zipf_;
};

}  // namespace cqlbench

#include "report.hpp"

#include "progress.hpp"

#include <algorithm>
#include <cstdio>

namespace demo {

namespace ac = async_cassandra;

ac::histogram_snapshot difference(const ac::histogram_snapshot& later, const ac::histogram_snapshot& earlier) {
    ac::histogram_snapshot d = later;
    if (!earlier.counts.empty()) {
        for (std::size_t i = 0; i < d.counts.size() && i < earlier.counts.size(); ++i) d.counts[i] -= earlier.counts[i];
    }
    d.count = later.count - earlier.count;
    d.sum_ns = later.sum_ns - earlier.sum_ns;
    return d;
}

namespace {
double ms(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1e6; }
}  // namespace

void print_phases(const std::vector<phase_result>& phases) {
    std::printf("\n%-8s %9s %11s %11s %9s %9s %9s %9s %9s\n", "phase", "seconds", "rows", "rows/s", "requests",
                "p50 ms", "p95 ms", "p99 ms", "p99.9 ms");
    double total = 0;
    for (const auto& p : phases) {
        total += p.took.count();
        std::printf("%-8s %9.2f", p.name.c_str(), p.took.count());
        if (p.rows) {
            const double rate = p.took.count() > 0 ? static_cast<double>(p.rows) / p.took.count() : 0;
            std::printf(" %11s %11s", with_commas(p.rows).c_str(),
                        with_commas(static_cast<std::uint64_t>(rate)).c_str());
        }
        if (p.rows && p.latency.count) {
            const auto& h = p.latency;
            std::printf(" %9s %9.3f %9.3f %9.3f %9.3f", with_commas(h.count).c_str(), ms(h.percentile(50)),
                        ms(h.percentile(95)), ms(h.percentile(99)), ms(h.percentile(99.9)));
        }
        std::printf("\n");
    }
    std::printf("%-8s %9.2f\n", "total", total);
}

void print_counters(const ac::metrics_snapshot& m) {
    const auto& r = m.requests;
    std::printf(
        "\ndriver: %s requests, %s errors, %s retries, %s client timeouts, %s connections open, "
        "%s MB sent, %s MB received\n",
        with_commas(r.requests).c_str(), with_commas(r.errors_total()).c_str(), with_commas(r.retries).c_str(),
        with_commas(r.timeouts).c_str(), with_commas(r.connections_open).c_str(),
        with_commas(r.bytes_sent >> 20).c_str(), with_commas(r.bytes_received >> 20).c_str());
}

}  // namespace demo

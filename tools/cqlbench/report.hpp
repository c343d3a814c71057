// The figures of one run, and their two renderings: a table for people and
// one JSON object per run for scripts.
#pragma once

#include "histogram.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace cqlbench {

struct run_result {
    std::string mode = "client";  // "client" or "ceiling"
    std::string workload;
    std::size_t concurrency = 0;
    int protocol_version = 0;
    std::uint64_t ops = 0;  // measured ops, failed ones included
    std::uint64_t errors = 0;
    std::uint64_t rows = 0;  // rows read (select, mixed, scan)
    double duration_s = 0;
    double cpu_s = 0;   // this process, user + system, while measuring
    histogram latency;  // nanoseconds, every measured op
    std::map<std::string, std::uint64_t, std::less<>> errors_by_kind;

    double ops_per_s() const noexcept { return duration_s > 0 ? static_cast<double>(ops) / duration_s : 0; }
    double cpu_us_per_op() const noexcept { return ops ? cpu_s * 1e6 / static_cast<double>(ops) : 0; }
    double percentile_us(double p) const noexcept { return static_cast<double>(latency.percentile(p)) / 1000.0; }
};

// One line: {"mode":...,"ops_per_s":...,"p50_us":...,...}
std::string to_json(const run_result& r);
std::string to_table(const run_result& r);

// The JSON string literal for s.
std::string json_quote(const std::string& s);

}  // namespace cqlbench

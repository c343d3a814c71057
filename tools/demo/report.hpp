// The demo's summary: a table of phases with throughput and the driver's
// latency percentiles, and the driver's own counters.
#pragma once

#include <async_cassandra/metrics.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace demo {

// The values recorded between two snapshots of one histogram (its counts
// only ever grow). The maximum is the later one's: an upper bound.
async_cassandra::histogram_snapshot difference(const async_cassandra::histogram_snapshot& later,
                                               const async_cassandra::histogram_snapshot& earlier);

struct phase_result {
    std::string name;
    std::chrono::duration<double> took{};
    std::uint64_t rows = 0;                         // 0: not a data phase (no rows/s)
    async_cassandra::histogram_snapshot latency{};  // the driver's requests during the phase; empty: none shown
};

// Prints the phases as a table on stdout.
void print_phases(const std::vector<phase_result>& phases);
// Prints the cluster-wide counters of a snapshot on stdout.
void print_counters(const async_cassandra::metrics_snapshot& m);

}  // namespace demo

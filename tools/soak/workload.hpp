// The soak's load: requests started at a fixed rate (not a fixed
// concurrency, so that a stall shows as requests piling up rather than as a
// slower loop), idempotent INSERTs at QUORUM and SELECTs at ONE. What grows
// with the run is allocated up front, so that the process's RSS measures the
// client, not the soak's own bookkeeping.
#pragma once

#include "verdict.hpp"

#include <async_cassandra/async_cassandra.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace soak {

struct load_config {
    std::size_t rate = 300;
    unsigned write_percent = 70;
    std::chrono::seconds max_run{3600};  // sizes the key space and the throughput series
    std::chrono::milliseconds hang_limit{5000};
    std::size_t max_in_flight = 4096;  // beyond: a request is not started ("shed")
};

class workload {
public:
    using clock_type = std::chrono::steady_clock;

    workload(async_cassandra::session& s, async_cassandra::prepared_statement insert,
             async_cassandra::prepared_statement select, load_config cfg, clock_type::time_point t0);

    // Starts requests at the rate until stop() (then returns at once).
    asio::awaitable<void> run();
    void stop() { stopping_ = true; }
    bool running() const { return running_; }  // run() has not returned yet
    // Marks requests older than the hang limit as hung (each once).
    void check_hung();
    // Reads back every acknowledged write at QUORUM, `concurrency` at once.
    asio::awaitable<void> verify(std::size_t concurrency);

    std::size_t in_flight() const { return in_flight_; }
    std::uint64_t ok() const { return ok_; }
    std::uint64_t failed() const { return failed_; }
    std::uint64_t shed() const { return shed_; }
    std::uint64_t hung() const { return hung_; }
    std::uint64_t acked() const { return acked_count_; }
    std::uint64_t missing() const { return missing_; }
    std::uint64_t unverified() const { return unverified_; }
    double max_latency_s() const { return max_latency_s_; }
    const std::map<std::string, std::uint64_t>& errors() const { return errors_; }
    const throughput_series& series() const { return series_; }

private:
    asio::awaitable<void> one(bool write, std::int64_t key);
    asio::awaitable<void> verify_worker(std::int64_t& next);
    std::int64_t random_key();

    async_cassandra::session& session_;
    async_cassandra::prepared_statement insert_, select_;
    load_config cfg_;
    clock_type::time_point t0_;
    bool stopping_ = false, running_ = false;
    // Requests in flight: a slot each, with its start time.
    std::vector<clock_type::time_point> slot_start_;
    std::vector<std::uint8_t> slot_hung_;
    std::vector<std::size_t> free_slots_;
    std::size_t in_flight_ = 0;
    std::vector<std::uint8_t> acked_;  // per key: 1 once its INSERT succeeded
    std::int64_t next_key_ = 0;
    std::uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
    std::uint64_t ok_ = 0, failed_ = 0, shed_ = 0, hung_ = 0, acked_count_ = 0, missing_ = 0, unverified_ = 0;
    double max_latency_s_ = 0;
    std::map<std::string, std::uint64_t> errors_;
    throughput_series series_;
};

// The value written with `key`, so that a row read back with another's value shows.
std::int64_t value_of(std::int64_t key);

}  // namespace soak

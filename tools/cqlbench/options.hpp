// cqlbench's command line: every knob of a run, and a parser that names the
// bad option and the values it accepts instead of failing obscurely.
#pragma once

#include <async_cassandra/compression.hpp>
#include <async_cassandra/consistency.hpp>
#include <security_args.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cqlbench {

enum class workload { insert, select, mixed, scan };
enum class key_distribution { uniform, zipf, seq };

const char* to_string(workload w) noexcept;

struct options {
    workload work = workload::insert;
    // --- Where ---
    std::vector<std::string> hosts = {"127.0.0.1"};
    std::uint16_t port = 9042;
    int protocol = 5;
    async_cassandra::compression compression = async_cassandra::compression::none;
    // --tls, --ca, --cert, --key, --user, ...: the options every tool shares
    // (tools/common), applied to the cluster_config in client.cpp.
    tools::security_args security;

    // --- How much ---
    std::size_t concurrency = 64;  // requests in flight
    // cluster_config::io_threads: with more than 1 the cluster's shards (a
    // thread each) run the workers and their connections; the bench's own
    // coroutine keeps one thread.
    std::size_t threads = 1;
    std::size_t connections = 1;  // cluster_config::connections_per_host
    double rate = 0;              // ops/s over all workers; 0: as fast as possible
    double duration_s = 10;       // used when ops is not set
    std::optional<std::uint64_t> ops;
    double warmup_s = 0;  // run this long first, unmeasured

    // --- What ---
    std::uint64_t keys = 100000;
    key_distribution dist = key_distribution::uniform;
    double zipf_s = 0.99;
    std::size_t row_size = 100;   // bytes of the blob column
    unsigned read_percent = 80;   // mixed: reads out of 100
    std::size_t scan_rows = 100;  // scan: rows one range holds on average
    std::int32_t page_size = 5000;
    std::string keyspace = "cqlbench";
    std::string table = "kv";
    bool create = false;         // create keyspace and table first
    int replication_factor = 1;  // with create
    async_cassandra::consistency consistency = async_cassandra::consistency::local_one;

    // --- Output ---
    bool json = false;
    bool ceiling = false;          // raw-socket wire limit instead of the client
    bool metrics = true;           // the client's cluster_config::metrics (off: measure their cost)
    std::optional<bool> progress;  // default: when stderr is a terminal
};

struct parse_result {
    options opts;
    bool help = false;
    std::string error;  // empty when the arguments were good
};

// Parses argv[1..]: `--name value` or `--name=value`.
parse_result parse_options(std::span<const std::string_view> args);

std::string usage();

}  // namespace cqlbench

// The demo's command line: where the node is, how many rows, how many
// requests in flight. Bad input gets a message naming the option.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace demo {

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 9042;
    std::uint64_t rows = 1'000'000;
    std::size_t concurrency = 512;  // INSERTs in flight at once
    std::int32_t page_size = 5000;  // rows per page when streaming back
    std::string keyspace = "async_cassandra_demo";
    bool keep = false;                 // leave the table for inspection instead of dropping it
    bool prometheus = true;            // print the Prometheus text snapshot at the end
    std::optional<bool> progress_tty;  // bar (true) or plain lines (false); default: stderr is a terminal
};

// What parse() found: options, or a message for the user (help or error).
struct parse_result {
    options opts;
    std::string message;  // non-empty: print it and exit
    bool help = false;    // the message is --help's (exit 0), not an error
};

parse_result parse(std::span<char* const> args);

}  // namespace demo

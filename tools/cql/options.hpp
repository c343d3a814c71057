// The command line of `cql`: parsed into a plain struct, with errors that
// name the option at fault.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <security_args.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cql_tool {

enum class output_format { table, csv, json };

// A bad command line: the message says which option and why.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct shell_options {
    // --- connection ---
    std::vector<std::string> hosts = {"127.0.0.1"};
    std::uint16_t port = 9042;
    std::string keyspace;
    int protocol = 5;  // highest version offered; 4 skips v5
    std::optional<async_cassandra::consistency> consistency;
    std::optional<std::int32_t> page_size;  // unset: 100 for tables, 5000 for csv/json and exports
    std::optional<std::chrono::milliseconds> timeout;
    // --tls, --ca, --cert, --key, --user, ...: the options every tool shares
    // (tools/common), applied in make_cluster_config (connect.cpp).
    tools::security_args security;

    // --- what to run ---
    std::optional<output_format> format;  // unset: table, or csv for --export
    std::vector<std::string> execute;     // -e, in order
    std::string file;                     // -f ("-" for standard input)
    std::string export_table;             // --export KS.TABLE
    std::string output;                   // -o FILE instead of standard output
    bool continue_on_error = false;
    bool progress = true;  // --no-progress turns the export's progress bar off
    bool help = false;
    bool version = false;

    output_format effective_format() const {
        return format.value_or(export_table.empty() ? output_format::table : output_format::csv);
    }
    std::int32_t effective_page_size() const {
        return page_size.value_or(effective_format() == output_format::table && export_table.empty() ? 100 : 5000);
    }
};

// Throws usage_error for unknown options, missing or malformed values and
// combinations that make no sense (-e with -f, ...).
shell_options parse_options(const std::vector<std::string>& args);

// "10" (seconds), "10s", "500ms", "2m"; throws usage_error otherwise.
std::chrono::milliseconds parse_duration(const std::string& option, const std::string& text);
// "quorum", "LOCAL_ONE", ...; throws usage_error otherwise.
async_cassandra::consistency parse_consistency(const std::string& text);
output_format parse_format(const std::string& text);

std::string usage_text();

}  // namespace cql_tool

// cqlbench: load generator for a real cluster and client-overhead benchmark
// against cql-sim. See `cqlbench --help` and docs/benchmarks.md.
#include "bench.hpp"

#include <asio/io_context.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto parsed = cqlbench::parse_options(args);
    if (parsed.help) {
        std::cout << cqlbench::usage();
        return 0;
    }
    if (!parsed.error.empty()) {
        std::cerr << "cqlbench: " << parsed.error << '\n';
        return 2;
    }
    const auto& o = parsed.opts;
    try {
        // --cert without --key, --user without a password, ...: a usage
        // error now rather than a failed run later.
        async_cassandra::cluster_config check;
        o.security.apply(check);
    } catch (const std::invalid_argument& e) {
        std::cerr << "cqlbench: " << e.what() << '\n';
        return 2;
    }
    asio::io_context io(1);  // one thread; --threads are the cluster's own
    auto out = cqlbench::run_blocking(io, o);
    if (!out.result) {
        std::cerr << "cqlbench: " << out.failure << '\n';
        return 1;
    }
    const auto& result = out.result;
    std::cout << (o.json ? cqlbench::to_json(*result) + "\n" : cqlbench::to_table(*result));
    return result->errors > 0 ? 3 : 0;
}

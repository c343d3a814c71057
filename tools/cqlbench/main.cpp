// cqlbench: load generator for a real cluster and client-overhead benchmark
// against cql-sim. See `cqlbench --help` and docs/benchmarks.md.
#include "bench.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
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
    asio::io_context io(1);
    std::optional<cqlbench::run_result> result;
    std::string failure;
    asio::co_spawn(io, cqlbench::run(o), [&](std::exception_ptr e, cqlbench::run_result r) {
        if (!e) {
            result = std::move(r);
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            failure = x.what();
        }
    });
    try {
        io.run();
    } catch (const std::exception& x) {
        failure = x.what();
    }
    if (!result) {
        std::cerr << "cqlbench: " << (failure.empty() ? "the run did not finish" : failure) << '\n';
        return 1;
    }
    std::cout << (o.json ? cqlbench::to_json(*result) + "\n" : cqlbench::to_table(*result));
    return result->errors > 0 ? 3 : 0;
}

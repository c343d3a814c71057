// A full scan of bench.scan (SELECT k, v: bigint, 100-byte blob) through
// execute_stream, page by page with the next page in flight while this one
// is read: the same work and the same JSON keys as the C/C++ driver's
// paging loop in ../shared/peers/cpp_scan.cpp, for ../shared/peers/compare
// --scan. Reads every row's key and blob.
//
//   scan_bench [--protocol 4|5] [--page 5000] [--host 127.0.0.1]
#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

namespace ac = async_cassandra;

namespace {

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct options {
    int protocol = 5;
    int page = 5000;
    std::string host = "127.0.0.1";
};

asio::awaitable<void> scan(const options& o) {
    ac::cluster_config cfg;
    cfg.contact_points = {o.host};
    cfg.protocol_version = o.protocol;
    cfg.request_timeout = std::chrono::seconds(300);
    auto cluster = co_await ac::cluster::connect(cfg);
    auto session = co_await cluster.open_session();
    ac::stream_config sc;
    sc.page_size = o.page;
    long rows = 0, bytes = 0;
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    auto stream = co_await session.execute_stream(ac::statement("SELECT k, v FROM bench.scan"), sc);
    while (auto page = co_await stream.next_page()) {
        for (auto row : *page) {
            const auto k = row.get<std::int64_t>(0);
            const auto v = row.get<std::span<const std::byte>>(1);
            ++rows;
            bytes += (k & 1) + static_cast<long>(v.size());
        }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double c = cpu_seconds() - c0;
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    std::printf(
        "{\"client\":\"async-cassandra v%d\",\"rows\":%ld,\"bytes\":%ld,\"rows_per_s\":%.0f,\"cpu_us_per_row\":%.3f,"
        "\"maxrss_mb\":%.1f}\n",
        o.protocol, rows, bytes, static_cast<double>(rows) / s, rows ? c * 1e6 / static_cast<double>(rows) : 0.0,
        static_cast<double>(u.ru_maxrss) / 1024.0);
    co_await session.close();
    co_await cluster.close();
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "scan_bench: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (!std::strcmp(argv[i], "--protocol"))
            o.protocol = std::atoi(value("--protocol"));
        else if (!std::strcmp(argv[i], "--page"))
            o.page = std::atoi(value("--page"));
        else if (!std::strcmp(argv[i], "--host"))
            o.host = value("--host");
        else {
            std::fprintf(stderr, "scan_bench: unknown option %s (--protocol 4|5, --page N, --host ADDRESS)\n", argv[i]);
            return 2;
        }
    }
    if ((o.protocol != 4 && o.protocol != 5) || o.page <= 0) {
        std::fprintf(stderr, "scan_bench: --protocol must be 4 or 5 and --page positive\n");
        return 2;
    }
    asio::io_context io;
    int rc = 0;
    asio::co_spawn(io, scan(o), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            std::fprintf(stderr, "scan_bench: %s\n", x.what());
            rc = 1;
        }
    });
    io.run();
    return rc;
}

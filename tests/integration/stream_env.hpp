// Shared by the streaming and lifecycle tests: a table of a million rows,
// filled once per node and reused, and small measuring helpers.
#pragma once

#include "test_env.hpp"

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

namespace stream_env {

namespace ac = async_cassandra;

inline constexpr int partitions = 1000;
inline constexpr int rows_per_partition = 1000;
inline constexpr int total_rows = partitions * rows_per_partition;
inline const std::string keyspace = "ac_stream_data";
inline const std::string table = keyspace + ".rows";
// Every value is this long, so a page's size in bytes is predictable.
inline constexpr std::size_t value_size = 64;

inline std::string value_of(int p, int c) {
    std::string v = "p" + std::to_string(p) + "c" + std::to_string(c) + "-";
    v.resize(value_size, 'x');
    return v;
}

// Resident set size of this process, from /proc/self/statm.
inline std::size_t rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    if (n != 2) return 0;
    return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

inline double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Suspends the calling coroutine for `d` without blocking the loop.
inline asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    ac::error_code ignored;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Creates and fills the table unless a finished earlier run left it: rows
// go in as single-partition UNLOGGED BATCHes of 100, 64 at a time.
inline asio::awaitable<void> ensure_table(ac::session& s) {
    co_await s.execute("CREATE KEYSPACE IF NOT EXISTS " + keyspace +
                       " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    co_await s.execute("CREATE TABLE IF NOT EXISTS " + table + " (p int, c int, v text, PRIMARY KEY (p, c))");
    co_await s.execute("CREATE TABLE IF NOT EXISTS " + keyspace + ".meta (k text PRIMARY KEY, n int)");
    auto marker = co_await s.execute("SELECT n FROM " + keyspace + ".meta WHERE k = 'filled'");
    if (!marker.empty() && marker.first_row().get<std::int32_t>(0) == total_rows) co_return;

    const auto start = std::chrono::steady_clock::now();
    constexpr int batch_rows = 100;
    constexpr int batches = total_rows / batch_rows;
    constexpr int window = 64;
    int next = 0, done = 0, failed = 0;
    std::string first_error;
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
    std::function<void()> launch = [&] {
        const int b = next++;
        const int p = b / (rows_per_partition / batch_rows);
        const int c0 = (b % (rows_per_partition / batch_rows)) * batch_rows;
        std::string q = "BEGIN UNLOGGED BATCH\n";
        for (int c = c0; c < c0 + batch_rows; ++c)
            q += "INSERT INTO " + table + " (p, c, v) VALUES (" + std::to_string(p) + ", " + std::to_string(c) + ", '" +
                 value_of(p, c) + "');\n";
        q += "APPLY BATCH";
        ac::statement st(std::move(q));
        st.set_timeout(std::chrono::seconds(60));
        s.async_execute(std::move(st), [&](ac::error_code ec, ac::result_set) {
            if (ec && failed++ == 0) first_error = ec.message();
            if (++done == batches) all_done.cancel();
            if (next < batches) launch();
        });
    };
    for (int i = 0; i < window && next < batches; ++i) launch();
    ac::error_code ignored;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (failed) throw std::runtime_error(std::to_string(failed) + " batches failed, first: " + first_error);
    co_await s.execute("INSERT INTO " + keyspace + ".meta (k, n) VALUES ('filled', " + std::to_string(total_rows) +
                       ")");
    std::cout << "[stream_env] filled " << table << " with " << total_rows << " rows in "
              << ms(std::chrono::steady_clock::now() - start) / 1000 << " s" << std::endl;
}

// Percentile of a sample (sorts it).
inline double percentile(std::vector<double>& v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    return v[i];
}

}  // namespace stream_env

// Streams a table to standard output as CSV, a page at a time, with progress
// on standard error: memory stays at two pages however large the table.
#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <cstdlib>
#include <iostream>

namespace ac = async_cassandra;

asio::awaitable<void> run(std::string host) {
    ac::cluster_config config;
    config.contact_points = {host};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();

    ac::stream_config sc;  // a named variable: g++ 12 mishandles braced temporaries inside co_await
    sc.page_size = 100;
    sc.prefetch = 1;  // the next page's request flies while this one is written out
    sc.timeout = std::chrono::minutes(1);
    sc.on_progress = [](const ac::stream_progress& p) {
        std::cerr << "page " << p.pages << ": " << p.rows << " rows, " << p.bytes << " bytes so far\n";
    };
    auto stream = co_await session.execute_stream(
        "SELECT keyspace_name, table_name, column_name, type FROM system_schema.columns", sc);
    std::cout << "keyspace,table,column,type\n";
    while (auto row = co_await stream.next()) {  // valid until the next call
        std::cout << row->get<std::string_view>(0) << ',' << row->get<std::string_view>(1) << ','
                  << row->get<std::string_view>(2) << ',' << row->get<std::string_view>(3) << '\n';
    }
    std::cerr << stream.progress().rows << " rows exported\n";
    co_await session.close();
    co_await cluster.close();
}

int main(int argc, char** argv) {
    asio::io_context io;
    int status = EXIT_SUCCESS;
    asio::co_spawn(io, run(argc > 1 ? argv[1] : "127.0.0.1"), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "stream_export: " << ex.what() << '\n';
            status = EXIT_FAILURE;
        }
    });
    io.run();
    return status;
}

// Streams a table to standard output as CSV (RFC 4180), a page at a time,
// with progress on standard error: memory stays at two pages however large
// the table.
//   stream_export [host] > columns.csv   (default 127.0.0.1)
#include "example_common.hpp"

#include <async_cassandra/async_cassandra.hpp>


#include <iostream>
#include <string_view>

namespace ac = async_cassandra;

// One CSV field: quoted when it holds a comma, quote or line break (types
// such as "map<text, int>" do), with quotes doubled.
void write_field(std::ostream& out, std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
        out << v;
        return;
    }
    out << '"';
    for (char c : v) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

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
    std::cout << "keyspace,table,column,type\r\n";  // RFC 4180 ends records with CRLF
    while (auto row = co_await stream.next()) {     // valid until the next call
        for (std::size_t i = 0; i < 4; ++i) {
            if (i) std::cout << ',';
            write_field(std::cout, row->get<std::string_view>(i));
        }
        std::cout << "\r\n";
    }
    std::cerr << stream.progress().rows << " rows exported\n";
    co_await session.close();
    co_await cluster.close();
}

int main(int argc, char** argv) { return run_example("stream_export", run(argc > 1 ? argv[1] : "127.0.0.1")); }

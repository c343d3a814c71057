// The smallest complete program: connect, query the server version, close.
#include <async_cassandra/async_cassandra.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstdlib>
#include <iostream>

namespace ac = async_cassandra;

asio::awaitable<void> run(std::string host) {
    // A named config: g++ 12 mishandles braced temporaries inside co_await.
    const ac::cluster_config config{.contact_points = {host}};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    auto rs = co_await session.execute("SELECT release_version FROM system.local");
    std::cout << "Cassandra " << rs.first_row().get<std::string_view>(0) << " (protocol v" << cluster.protocol_version()
              << ")\n";
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
            std::cerr << "hello: " << ex.what() << '\n';
            status = EXIT_FAILURE;
        }
    });
    io.run();
    return status;
}

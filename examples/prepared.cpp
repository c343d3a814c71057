// Prepared statements: the server parses the CQL once, each execution sends
// only the statement's id and its values, and the driver checks every value's
// C++ type against its marker's CQL type before anything goes on the wire.
//   prepared [host [keyspace]]   (default 127.0.0.1, examples)
#include "example_common.hpp"

#include <async_cassandra/async_cassandra.hpp>


#include <cstdint>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

namespace ac = async_cassandra;

asio::awaitable<void> run(std::string host, std::string keyspace) {
    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {host};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    co_await create_keyspace(session, keyspace);
    const std::string table = keyspace + ".users";
    co_await session.execute("CREATE TABLE IF NOT EXISTS " + table +
                             " (id int PRIMARY KEY, name text, email text, logins bigint)");

    // Prepare once, execute many times. prepare() is cached per cluster, so
    // preparing the same text again costs no request.
    auto insert = co_await session.prepare("INSERT INTO " + table + " (id, name, email, logins) VALUES (?, ?, ?, ?)");
    auto select = co_await session.prepare("SELECT name, email, logins FROM " + table + " WHERE id = ?");

    // Values by position, in marker order. std::nullopt writes a null.
    co_await session.execute(insert.bind(1, "ann", "ann@example.com", std::int64_t{3}));
    co_await session.execute(insert.bind(2, "bo", std::nullopt, std::int64_t{0}));
    // Or by name: markers left out stay unset, so the row keeps what it has
    // (here: bo's logins stay 0, only the email changes).
    co_await session.execute(insert.bind().bind_named("id", 2).bind_named("email", "bo@example.com"));

    for (int id : {1, 2}) {
        auto rs = co_await session.execute(select.bind(id));
        const auto row = rs.first_row();
        std::cout << id << ": " << row.get<std::string>("name") << " <" << row.get<std::string_view>(1) << ">, "
                  << row.get<std::int64_t>(2) << " logins\n";
    }
    auto bo = co_await session.execute(select.bind(2));
    if (bo.first_row().get<std::string>("email") != "bo@example.com" || bo.first_row().get<std::int64_t>(2) != 0)
        throw std::runtime_error("bo's row is not what was written");

    // A value whose type does not fit its marker is refused before sending:
    // `id` is an int (32 bits), not a string.
    try {
        select.bind("one");
        throw std::runtime_error("binding a string to an int marker was accepted");
    } catch (const ac::value_error& e) {
        std::cout << "refused as expected: " << e.what() << '\n';
    }

    // A missing row is an empty result, not an error.
    auto none = co_await session.execute(select.bind(404));
    if (!none.empty()) throw std::runtime_error("row 404 should not exist");

    // Preparing the same text again is answered from the cluster's cache.
    co_await session.prepare("SELECT name, email, logins FROM " + table + " WHERE id = ?");
    const auto stats = cluster.prepared_stats();
    if (stats.hits < 1) throw std::runtime_error("the second prepare of the same text was not a cache hit");
    std::cout << "prepared: ok (" << stats.prepare_requests << " PREPAREs sent, " << stats.hits << " cache hits)\n";
    co_await session.close();
    co_await cluster.close();
}

int main(int argc, char** argv) {
    return run_example("prepared", run(argc > 1 ? argv[1] : "127.0.0.1", argc > 2 ? argv[2] : "examples"));
}

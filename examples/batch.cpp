// Batches: several writes in one request. A logged batch makes writes to
// different partitions (or tables) all happen or none; an unlogged batch of
// one partition is a single atomic mutation and the cheapest way to write many
// rows of it; a conditional batch applies only if its IF holds.
//   batch [host [keyspace]]   (default 127.0.0.1, examples)
#include "example_common.hpp"

#include <async_cassandra/async_cassandra.hpp>


#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>

namespace ac = async_cassandra;

// Throws unless `query` returns `expected` rows.
asio::awaitable<void> expect_rows(ac::session& session, std::string query, std::size_t expected) {
    auto rs = co_await session.execute(std::move(query));
    if (rs.size() != expected)
        throw std::runtime_error(std::to_string(expected) + " rows expected, " + std::to_string(rs.size()) + " found");
}

asio::awaitable<void> run(std::string host, std::string keyspace) {
    ac::cluster_config config;  // a named config: g++ 12 mishandles braced temporaries inside co_await
    config.contact_points = {host};
    auto cluster = co_await ac::cluster::connect(config);
    auto session = co_await cluster.open_session();
    co_await create_keyspace(session, keyspace);
    // The same orders twice: by id, and by customer (a denormalized copy).
    const std::string by_id = keyspace + ".orders_by_id", by_customer = keyspace + ".orders_by_customer";
    co_await session.execute("CREATE TABLE IF NOT EXISTS " + by_id + " (id int PRIMARY KEY, customer text, total int)");
    co_await session.execute("CREATE TABLE IF NOT EXISTS " + by_customer +
                             " (customer text, id int, total int, PRIMARY KEY (customer, id))");
    co_await session.execute("TRUNCATE " + by_id);
    co_await session.execute("TRUNCATE " + by_customer);

    auto insert_by_id = co_await session.prepare("INSERT INTO " + by_id + " (id, customer, total) VALUES (?, ?, ?)");
    auto insert_by_customer = co_await session.prepare("INSERT INTO " + by_customer +
                                                       " (customer, id, total) VALUES (?, ?, ?)");

    // Logged: both tables get order 1, or neither does (the batch log
    // replays it if the coordinator fails half way).
    ac::batch logged(ac::batch_type::logged);
    logged.add(insert_by_id.bind(1, "ann", 30)).add(insert_by_customer.bind("ann", 1, 30));
    co_await session.execute(std::move(logged));

    // Unlogged, one partition ("bo"): ten rows in one request and one
    // mutation. Statements with and without preparing can be mixed.
    ac::batch unlogged(ac::batch_type::unlogged);
    for (int id = 100; id < 110; ++id) unlogged.add(insert_by_customer.bind("bo", id, id - 95));
    unlogged.add(ac::statement("DELETE FROM " + by_customer + " WHERE customer = ? AND id = ?").bind("bo", 109));
    co_await session.execute(std::move(unlogged));
    co_await expect_rows(session, "SELECT id FROM " + by_customer + " WHERE customer = 'bo'", 9);
    co_await expect_rows(session, "SELECT id FROM " + by_id + " WHERE id = 1", 1);

    // Conditional (a lightweight transaction over one partition): applied
    // only if order 1 of ann still totals 30. The second attempt sees 40
    // and is not applied; the result shows the current row instead.
    for (int attempt = 1; attempt <= 2; ++attempt) {
        ac::batch conditional(ac::batch_type::logged);
        const std::string update = "UPDATE " + by_customer +
                                   " SET total = 40 WHERE customer = ? AND id = ? IF total = ?";
        conditional.add(ac::statement(update).bind("ann", 1, 30));
        conditional.add(insert_by_customer.bind("ann", 2, 15));
        auto rs = co_await session.execute(std::move(conditional));
        std::cout << "conditional batch, attempt " << attempt << ": " << (rs.was_applied() ? "applied" : "not applied")
                  << '\n';
        if (rs.was_applied() != (attempt == 1))
            throw std::runtime_error("the conditional batch should apply only on the first attempt");
    }
    auto ann = co_await session.execute("SELECT id, total FROM " + by_customer + " WHERE customer = 'ann'");
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < ann.size(); ++i) sum += ann.row(i).get<std::int32_t>("total");
    if (ann.size() != 2 || sum != 55) throw std::runtime_error("ann's orders should be 40 + 15");

    std::cout << "batch: ok (ann has " << ann.size() << " orders totalling " << sum << ", bo has 9)\n";
    co_await session.close();
    co_await cluster.close();
}

int main(int argc, char** argv) {
    return run_example("batch", run(argc > 1 ? argv[1] : "127.0.0.1", argc > 2 ? argv[2] : "examples"));
}

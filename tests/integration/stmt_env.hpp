// Set-up shared by the statement tests (prepared_test, batch_test).
#pragma once

#include "test_env.hpp"

#include <optional>
#include <string>
#include <typeinfo>

namespace stmt_env {

namespace ac = async_cassandra;
using asio::awaitable;

struct connected {
    ac::cluster cluster;
    ac::session admin;    // no keyspace
    ac::session session;  // in the test keyspace
};

// Connects, creates `ks` if needed and (re)creates `table` from its CQL.
inline awaitable<connected> setup(int version, const std::string& ks, const std::string& table_cql = {}) {
    connected c;
    c.cluster = co_await ac::cluster::connect(test_env::config(version));
    c.admin = co_await c.cluster.open_session();
    co_await c.admin.execute("CREATE KEYSPACE IF NOT EXISTS " + ks +
                             " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    c.session = co_await c.cluster.open_session(ks);
    if (!table_cql.empty()) {
        const auto name = table_cql.substr(0, table_cql.find(' '));
        co_await c.session.execute("DROP TABLE IF EXISTS " + name);
        co_await c.session.execute("CREATE TABLE " + table_cql);
    }
    co_return c;
}

// Runs `fn` and returns the exception it throws, as the class E (null if it
// throws nothing or something else).
template <class E, class Fn>
awaitable<std::optional<E>> thrown(Fn fn) {
    try {
        co_await fn();
    } catch (const E& e) {
        co_return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception " << typeid(e).name() << ": " << e.what();
    }
    co_return std::nullopt;
}

}  // namespace stmt_env

// CQL types by hand for the cql tool's tests.
#pragma once

#include <async_cassandra/data_type.hpp>

#include <utility>
#include <vector>

namespace cql_test {

inline async_cassandra::data_type type(async_cassandra::type_id id,
                                       std::vector<async_cassandra::data_type> params = {}) {
    async_cassandra::data_type t;
    t.id = id;
    t.params = std::move(params);
    return t;
}

}  // namespace cql_test

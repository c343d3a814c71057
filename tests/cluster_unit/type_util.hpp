// Building expected data_types in tests.
#pragma once

#include <async_cassandra/data_type.hpp>

#include <vector>

inline async_cassandra::data_type of(async_cassandra::type_id id, std::vector<async_cassandra::data_type> params = {}) {
    async_cassandra::data_type t;
    t.id = id;
    t.params = std::move(params);
    return t;
}

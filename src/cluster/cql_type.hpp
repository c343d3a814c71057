// CQL type strings as system_schema stores them, e.g.
//   frozen<map<text, list<int>>>    vector<float, 3>    address    "MyType"
//   'org.apache.cassandra.db.marshal.DynamicCompositeType(...)'
// into the library's data_type. (The marshal class-name form of custom
// types in result metadata is protocol::parse_marshal_type.)
#pragma once

#include <async_cassandra/data_type.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace async_cassandra::detail {

struct cql_type_result {
    data_type type;
    std::string error;  // empty on success; quotes the text and says where and why
    explicit operator bool() const noexcept { return error.empty(); }
};

// Resolves a user type by keyspace (empty when the name was not qualified)
// and name (unquoted and case-folded as CQL does); nullopt when unknown.
using udt_resolver = std::function<std::optional<data_type>(std::string_view keyspace, std::string_view name)>;

// Parses a CQL type; never throws for bad text. Without a resolver a user
// type becomes a udt data_type with its name only (no fields); with one, an
// unknown user type is an error. frozen<> is accepted and not tracked.
cql_type_result parse_cql_type(std::string_view text, const udt_resolver& resolve = {});

}  // namespace async_cassandra::detail

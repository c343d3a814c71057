// Schema metadata from the rows of system_schema's keyspaces, tables,
// columns, types, views, indexes, functions and aggregates tables. Pure: the caller runs the queries (every page)
// and hands over the results.
#pragma once

#include <async_cassandra/result_set.hpp>
#include <async_cassandra/schema.hpp>

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace async_cassandra::detail {

// The whole schema.
inline constexpr std::string_view schema_keyspaces_query = "SELECT * FROM system_schema.keyspaces";
inline constexpr std::string_view schema_tables_query = "SELECT * FROM system_schema.tables";
inline constexpr std::string_view schema_columns_query = "SELECT * FROM system_schema.columns";
inline constexpr std::string_view schema_types_query = "SELECT * FROM system_schema.types";
inline constexpr std::string_view schema_views_query = "SELECT * FROM system_schema.views";
inline constexpr std::string_view schema_indexes_query = "SELECT * FROM system_schema.indexes";
inline constexpr std::string_view schema_functions_query = "SELECT * FROM system_schema.functions";
inline constexpr std::string_view schema_aggregates_query = "SELECT * FROM system_schema.aggregates";
// One keyspace (bind its name), e.g. after a SCHEMA_CHANGE event.
inline constexpr std::string_view keyspace_keyspaces_query =
    "SELECT * FROM system_schema.keyspaces WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_tables_query = "SELECT * FROM system_schema.tables WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_columns_query =
    "SELECT * FROM system_schema.columns WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_types_query = "SELECT * FROM system_schema.types WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_views_query = "SELECT * FROM system_schema.views WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_indexes_query =
    "SELECT * FROM system_schema.indexes WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_functions_query =
    "SELECT * FROM system_schema.functions WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_aggregates_query =
    "SELECT * FROM system_schema.aggregates WHERE keyspace_name = ?";

// The pages of each query's result (one result_set per page). The last four
// may be empty (a server without them: no views, indexes, functions or aggregates).
struct schema_rows {
    std::span<const result_set> keyspaces, tables, columns, types;
    std::span<const result_set> views = {}, indexes = {}, functions = {}, aggregates = {};
};

struct schema_build_result {
    std::map<std::string, keyspace_metadata, std::less<>> keyspaces;
    // What was left out and why, one message each, naming the row's
    // keyspace and object. A table or view with a column that cannot be read
    // is left out whole (a partial key would route wrongly); a user type that
    // cannot be read is left out, and so are the tables, views, functions and
    // aggregates using it. An index, function or aggregate with a bad field is
    // left out alone.
    std::vector<std::string> errors;
};

// Columns of tables in neither `tables` nor `views` are ignored. Never throws for bad rows.
schema_build_result build_schema(const schema_rows& rows);

}  // namespace async_cassandra::detail

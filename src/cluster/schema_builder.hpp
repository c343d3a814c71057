// Schema metadata from the rows of system_schema's keyspaces, tables,
// columns and types tables. Pure: the caller runs the queries (every page)
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
// One keyspace (bind its name), e.g. after a SCHEMA_CHANGE event.
inline constexpr std::string_view keyspace_keyspaces_query =
    "SELECT * FROM system_schema.keyspaces WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_tables_query = "SELECT * FROM system_schema.tables WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_columns_query =
    "SELECT * FROM system_schema.columns WHERE keyspace_name = ?";
inline constexpr std::string_view keyspace_types_query = "SELECT * FROM system_schema.types WHERE keyspace_name = ?";

struct schema_build_result {
    std::map<std::string, keyspace_metadata, std::less<>> keyspaces;
    // What was left out and why, one message each, naming the row's
    // keyspace, table or type. A table with a column that cannot be read is
    // left out whole (a partial key would route wrongly); a user type that
    // cannot be read is left out, and so are the tables using it.
    std::vector<std::string> errors;
};

// Each argument: the pages of one query's result (one result_set per page).
// Columns of tables not in `tables` (materialized views) are ignored.
// Never throws for bad rows.
schema_build_result build_schema(std::span<const result_set> keyspaces, std::span<const result_set> tables,
                                 std::span<const result_set> columns, std::span<const result_set> types);

}  // namespace async_cassandra::detail

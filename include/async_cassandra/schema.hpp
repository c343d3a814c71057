// Schema metadata: keyspaces, their tables and user types, as read from
// system_schema. Plain values: copy or share them freely.
#pragma once

#include <async_cassandra/data_type.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace async_cassandra {

struct column_metadata {
    std::string name;
    data_type type;

    bool operator==(const column_metadata&) const = default;
};

enum class clustering_order { ascending, descending };

struct clustering_column_metadata {
    std::string name;
    data_type type;
    clustering_order order = clustering_order::ascending;

    bool operator==(const clustering_column_metadata&) const = default;
};

struct table_metadata {
    std::string name;
    // In key order.
    std::vector<column_metadata> partition_key;
    std::vector<clustering_column_metadata> clustering_columns;
    // By name, as Cassandra lists them.
    std::vector<column_metadata> static_columns;
    std::vector<column_metadata> regular_columns;

    bool operator==(const table_metadata&) const = default;
};

struct udt_metadata {
    std::string name;
    std::vector<std::string> field_names;
    std::vector<data_type> field_types;  // one per name

    bool operator==(const udt_metadata&) const = default;
};

struct keyspace_metadata {
    std::string name;
    // system_schema.keyspaces.replication, e.g. {class: ...SimpleStrategy, replication_factor: 3}.
    std::map<std::string, std::string> replication;
    bool durable_writes = true;
    std::map<std::string, table_metadata, std::less<>> tables;
    std::map<std::string, udt_metadata, std::less<>> user_types;

    bool operator==(const keyspace_metadata&) const = default;
};

}  // namespace async_cassandra

// Schema metadata: keyspaces, their tables, materialized views, secondary
// indexes, user types, user functions and aggregates, as read from
// system_schema. Plain values: copy or share them freely.
#pragma once

#include <async_cassandra/data_type.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// system_schema.indexes.kind.
enum class index_kind { keys, composites, custom };

// A secondary index (system_schema.indexes), listed on its table.
struct index_metadata {
    std::string name;
    index_kind kind = index_kind::composites;
    // options["target"]: the indexed column, e.g. "v", "keys(m)", "values(l)".
    std::string target;
    // All of system_schema.indexes.options (class_name for custom indexes).
    std::map<std::string, std::string> options;

    bool operator==(const index_metadata&) const = default;
};

struct table_metadata {
    std::string name;
    // In key order.
    std::vector<column_metadata> partition_key;
    std::vector<clustering_column_metadata> clustering_columns;
    // By name, as Cassandra lists them.
    std::vector<column_metadata> static_columns;
    std::vector<column_metadata> regular_columns;
    // Secondary indexes on this table, by index name.
    std::map<std::string, index_metadata, std::less<>> indexes;
    // Names of the materialized views of this table (keys of keyspace_metadata::views), sorted.
    std::vector<std::string> views;

    bool operator==(const table_metadata&) const = default;
};

// A materialized view (system_schema.views): its columns as a table's.
struct view_metadata {
    std::string name;
    std::string base_table;  // in the same keyspace
    // The view's WHERE clause as the server stores it, e.g. "v IS NOT NULL AND k IS NOT NULL".
    std::string where_clause;
    bool include_all_columns = false;  // SELECT *
    std::vector<column_metadata> partition_key;
    std::vector<clustering_column_metadata> clustering_columns;
    std::vector<column_metadata> static_columns;
    std::vector<column_metadata> regular_columns;

    bool operator==(const view_metadata&) const = default;
};

// A user-defined function (system_schema.functions).
struct function_metadata {
    std::string name;
    // name(type,type): the key in keyspace_metadata::functions (functions are
    // overloaded by argument types): the argument types as system_schema
    // writes them, joined by ',', e.g. "f(int,map<text, int>)".
    std::string signature;
    std::vector<std::string> argument_names;
    std::vector<data_type> argument_types;  // one per name
    data_type return_type;
    std::string language;  // e.g. "java"
    std::string body;
    // false: RETURNS NULL ON NULL INPUT.
    bool called_on_null_input = false;

    bool operator==(const function_metadata&) const = default;
};

// A user-defined aggregate (system_schema.aggregates).
struct aggregate_metadata {
    std::string name;
    std::string signature;  // as function_metadata's
    std::vector<data_type> argument_types;
    std::string state_function;  // a function of this keyspace taking (state_type, argument_types...)
    data_type state_type;
    std::string final_function;  // empty when there is none
    // INITCOND as a CQL literal, e.g. "(0, 0)"; nullopt when there is none.
    std::optional<std::string> initial_condition;
    data_type return_type;

    bool operator==(const aggregate_metadata&) const = default;
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
    std::map<std::string, view_metadata, std::less<>> views;
    // By signature, e.g. functions.at("plus(int,point)").
    std::map<std::string, function_metadata, std::less<>> functions;
    std::map<std::string, aggregate_metadata, std::less<>> aggregates;

    // Every overload named `function`, in signature order (none: empty).
    std::vector<const function_metadata*> functions_named(std::string_view function) const {
        return overloads(functions, function);
    }
    std::vector<const aggregate_metadata*> aggregates_named(std::string_view aggregate) const {
        return overloads(aggregates, aggregate);
    }

    bool operator==(const keyspace_metadata&) const = default;

private:
    // The signatures of `name` sort together: they all begin "name(".
    template <class T>
    static std::vector<const T*> overloads(const std::map<std::string, T, std::less<>>& by_signature,
                                           std::string_view wanted) {
        std::vector<const T*> out;
        const auto prefix = std::string(wanted) + '(';
        for (auto it = by_signature.lower_bound(prefix);
             it != by_signature.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
            if (it->second.name == wanted) out.push_back(&it->second);
        return out;
    }
};

}  // namespace async_cassandra

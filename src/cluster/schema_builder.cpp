#include "cluster/schema_builder.hpp"

#include "cluster/cql_type.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

namespace async_cassandra::detail {

namespace {

// Calls fn(row) for every row of every page; a value_error (a column
// missing or of another type) becomes an error naming the table and row.
template <class Fn>
void each_row(std::span<const result_set> pages, std::string_view table, std::vector<std::string>& errors, Fn fn) {
    std::size_t n = 0;
    for (const auto& page : pages) {
        for (std::size_t i = 0; i < page.size(); ++i, ++n) {
            try {
                fn(page.row(i));
            } catch (const value_error& e) {
                errors.push_back("system_schema." + std::string(table) + " row " + std::to_string(n) + ": " + e.what());
            }
        }
    }
}

struct raw_type {
    std::vector<std::string> field_names, field_types;
};

// A keyspace's user types, parsed on demand (a type's fields may use other
// types of the keyspace), each once.
class udt_set {
public:
    udt_set(std::string keyspace, std::map<std::string, raw_type> raw) : keyspace_(std::move(keyspace)), raw_(std::move(raw)) {}

    std::optional<data_type> resolve(std::string_view keyspace, std::string_view name) {
        if (!keyspace.empty() && keyspace != keyspace_) return std::nullopt;  // types are keyspace-local
        const std::string key(name);
        if (auto it = done_.find(key); it != done_.end()) return it->second;
        const auto raw = raw_.find(key);
        if (raw == raw_.end() || failed_.count(key) || !in_progress_.insert(key).second) return std::nullopt;
        data_type t;
        t.id = type_id::udt;
        t.keyspace = keyspace_;
        t.name = key;
        t.field_names = raw->second.field_names;
        std::string error;
        if (raw->second.field_names.size() != raw->second.field_types.size())
            error = std::to_string(raw->second.field_names.size()) + " field names but " +
                    std::to_string(raw->second.field_types.size()) + " field types";
        for (std::size_t i = 0; error.empty() && i < raw->second.field_types.size(); ++i) {
            auto r = parse_cql_type(raw->second.field_types[i], resolver());
            if (!r) error = "field '" + raw->second.field_names[i] + "': " + r.error;
            t.params.push_back(std::move(r.type));
        }
        in_progress_.erase(key);
        if (!error.empty()) {
            failed_.insert(key);
            errors_.push_back("user type " + keyspace_ + "." + key + " left out: " + error);
            return std::nullopt;
        }
        done_.emplace(key, t);
        return t;
    }

    udt_resolver resolver() {
        return [this](std::string_view ks, std::string_view name) { return resolve(ks, name); };
    }

    // Parses every type; returns their metadata and adds what failed to `errors`.
    std::map<std::string, udt_metadata, std::less<>> all(std::vector<std::string>& errors) {
        std::map<std::string, udt_metadata, std::less<>> out;
        for (const auto& [name, raw] : raw_) {
            if (auto t = resolve({}, name)) out.emplace(name, udt_metadata{name, t->field_names, t->params});
        }
        errors.insert(errors.end(), errors_.begin(), errors_.end());
        errors_.clear();
        return out;
    }

private:
    std::string keyspace_;
    std::map<std::string, raw_type> raw_;
    std::map<std::string, data_type> done_;
    std::set<std::string> in_progress_, failed_;  // in_progress_ stops a cycle
    std::vector<std::string> errors_;
};

struct raw_column {
    std::string name, kind, order, type;
    std::int32_t position = -1;
};

// Fills the table from its columns; returns why it cannot, or empty.
std::string fill_table(table_metadata& t, std::vector<raw_column> cols, udt_set& udts) {
    auto by_position = [](const raw_column& a, const raw_column& b) {
        return std::tie(a.position, a.name) < std::tie(b.position, b.name);
    };
    std::sort(cols.begin(), cols.end(), by_position);
    for (auto& c : cols) {
        auto r = parse_cql_type(c.type, udts.resolver());
        if (!r) return "column '" + c.name + "': " + r.error;
        if (c.kind == "partition_key") {
            t.partition_key.push_back({c.name, std::move(r.type)});
        } else if (c.kind == "clustering") {
            if (c.order != "asc" && c.order != "desc")
                return "clustering column '" + c.name + "' has clustering_order '" + c.order + "'";
            t.clustering_columns.push_back(
                {c.name, std::move(r.type), c.order == "desc" ? clustering_order::descending : clustering_order::ascending});
        } else if (c.kind == "static") {
            t.static_columns.push_back({c.name, std::move(r.type)});
        } else if (c.kind == "regular") {
            t.regular_columns.push_back({c.name, std::move(r.type)});
        } else {
            return "column '" + c.name + "' has kind '" + c.kind + "'";
        }
    }
    if (t.partition_key.empty()) return "no partition key column";
    auto by_name = [](const column_metadata& a, const column_metadata& b) { return a.name < b.name; };
    std::sort(t.static_columns.begin(), t.static_columns.end(), by_name);
    std::sort(t.regular_columns.begin(), t.regular_columns.end(), by_name);
    return {};
}

}  // namespace

schema_build_result build_schema(std::span<const result_set> keyspaces, std::span<const result_set> tables,
                                 std::span<const result_set> columns, std::span<const result_set> types) {
    schema_build_result out;
    auto& errors = out.errors;

    each_row(keyspaces, "keyspaces", errors, [&](const row_view& row) {
        keyspace_metadata ks;
        ks.name = row.get<std::string>("keyspace_name");
        ks.durable_writes = row.get<std::optional<bool>>("durable_writes").value_or(true);
        ks.replication = row.get<std::map<std::string, std::string>>("replication");
        out.keyspaces.insert_or_assign(ks.name, std::move(ks));
    });

    std::map<std::string, std::map<std::string, raw_type>> raw_types;
    each_row(types, "types", errors, [&](const row_view& row) {
        const auto ks = row.get<std::string>("keyspace_name");
        raw_type t{row.get<std::vector<std::string>>("field_names"), row.get<std::vector<std::string>>("field_types")};
        raw_types[ks].insert_or_assign(row.get<std::string>("type_name"), std::move(t));
    });
    std::map<std::string, udt_set> udts;
    for (auto& [name, ks] : out.keyspaces) {
        auto raw = raw_types.extract(name);
        auto& set = udts.try_emplace(name, name, raw ? std::move(raw.mapped()) : std::map<std::string, raw_type>{}).first->second;
        ks.user_types = set.all(errors);
    }
    for (const auto& [ks, _] : raw_types)
        errors.push_back("user types of keyspace " + ks + " left out: the keyspace is not in system_schema.keyspaces");

    std::map<std::pair<std::string, std::string>, std::vector<raw_column>> table_columns;
    each_row(tables, "tables", errors, [&](const row_view& row) {
        table_columns[{row.get<std::string>("keyspace_name"), row.get<std::string>("table_name")}];
    });
    each_row(columns, "columns", errors, [&](const row_view& row) {
        auto it = table_columns.find({row.get<std::string>("keyspace_name"), row.get<std::string>("table_name")});
        if (it == table_columns.end()) return;  // a view's column
        raw_column c;
        c.name = row.get<std::string>("column_name");
        c.kind = row.get<std::string>("kind");
        c.order = row.get<std::optional<std::string>>("clustering_order").value_or("none");
        c.type = row.get<std::string>("type");
        c.position = row.get<std::optional<std::int32_t>>("position").value_or(-1);
        it->second.push_back(std::move(c));
    });

    for (auto& [key, cols] : table_columns) {
        const auto& [ks_name, table_name] = key;
        const auto where = ks_name + "." + table_name;
        const auto ks = out.keyspaces.find(ks_name);
        if (ks == out.keyspaces.end()) {
            errors.push_back("table " + where + " left out: its keyspace is not in system_schema.keyspaces");
            continue;
        }
        table_metadata t;
        t.name = table_name;
        if (auto e = fill_table(t, std::move(cols), udts.at(ks_name)); !e.empty()) {
            errors.push_back("table " + where + " left out: " + e);
            continue;
        }
        ks->second.tables.insert_or_assign(table_name, std::move(t));
    }
    return out;
}

}  // namespace async_cassandra::detail

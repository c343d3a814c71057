#include "cluster/schema_builder.hpp"

#include "cluster/cql_type.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

namespace async_cassandra::detail {

namespace {

// The row's "keyspace.name" for messages, as far as it can be read.
std::string row_object(const row_view& row, std::string_view name_column) {
    std::string out;
    try {
        out = row.get<std::optional<std::string>>("keyspace_name").value_or("?");
        if (!name_column.empty()) out += "." + row.get<std::optional<std::string>>(name_column).value_or("?");
    } catch (const value_error&) {
        out += out.empty() ? "?" : ".?";
    }
    return out;
}

// Calls fn(row) for every row of every page; a value_error (a column
// missing or of another type) becomes an error naming the table, the row
// and, when it can be read, the object (keyspace_name.<name_column>).
template <class Fn>
void each_row(std::span<const result_set> pages, std::string_view table, std::string_view name_column,
              std::vector<std::string>& errors, Fn fn) {
    std::size_t n = 0;
    for (const auto& page : pages) {
        for (std::size_t i = 0; i < page.size(); ++i, ++n) {
            try {
                fn(page.row(i));
            } catch (const value_error& e) {
                errors.push_back("system_schema." + std::string(table) + " row " + std::to_string(n) + " (" +
                                 row_object(page.row(i), name_column) + "): " + e.what());
            }
        }
    }
}

struct raw_type {
    std::vector<std::string> field_names, field_types;
};

// Limits on one user type, counted through the types its fields use:
// - 64 levels of nesting, as the protocol's decoder allows in result
//   metadata (a deeper type could not be read back anyway);
// - 65,536 type nodes: a type holds copies of the types its fields use, so
//   types that each use the one before twice double at every level.
constexpr std::size_t max_udt_depth = 64;
constexpr std::size_t max_udt_nodes = 1 << 16;

struct type_size {
    std::size_t depth = 0, nodes = 1;
};
type_size measure(const data_type& t) {
    type_size s;
    for (const auto& p : t.params) {
        const auto ps = measure(p);
        s.depth = std::max(s.depth, ps.depth + 1);
        s.nodes += ps.nodes;
    }
    return s;
}

// The user types a CQL type text names (parsed without resolving them).
void names_used(const data_type& t, std::vector<std::string>& out) {
    if (t.id == type_id::udt) out.push_back(t.name);
    for (const auto& p : t.params) names_used(p, out);
}

// A keyspace's user types (a type's fields may use other types of the
// keyspace). Each is built once its fields' types are, in an order found
// without recursion: a chain of user types is as long as the rows make it.
class udt_set {
public:
    udt_set(std::string keyspace, std::map<std::string, raw_type> raw)
        : keyspace_(std::move(keyspace)), raw_(std::move(raw)) {
        for (const auto& name : dependency_order()) build(name);
    }

    // A type built already; nullopt when unknown or left out.
    std::optional<data_type> resolve(std::string_view keyspace, std::string_view name) {
        if (!keyspace.empty() && keyspace != keyspace_) return std::nullopt;  // types are keyspace-local
        if (auto it = done_.find(name); it != done_.end()) return it->second;
        missing_ = name;
        return std::nullopt;
    }

    udt_resolver resolver() {
        return [this](std::string_view ks, std::string_view name) { return resolve(ks, name); };
    }

    // Every type built; adds the reasons of those left out to `errors`.
    std::map<std::string, udt_metadata, std::less<>> all(std::vector<std::string>& errors) {
        std::map<std::string, udt_metadata, std::less<>> out;
        for (const auto& [name, t] : done_) out.emplace(name, udt_metadata{name, t.field_names, t.params});
        errors.insert(errors.end(), errors_.begin(), errors_.end());
        errors_.clear();
        return out;
    }

private:
    // Each type after the types its fields use (a cycle's members in any
    // order: they fail), by a depth-first walk on a stack of its own.
    std::vector<std::string> dependency_order() const {
        struct step {
            std::string name;
            std::vector<std::string> uses;
            std::size_t next = 0;
        };
        std::vector<std::string> order;
        std::set<std::string, std::less<>> seen;
        std::vector<step> stack;
        for (const auto& [root, _] : raw_) {
            if (!seen.insert(root).second) continue;
            stack.push_back({root, uses(root)});
            while (!stack.empty()) {
                if (stack.back().next == stack.back().uses.size()) {
                    order.push_back(std::move(stack.back().name));
                    stack.pop_back();
                    continue;
                }
                auto used = stack.back().uses[stack.back().next++];
                if (raw_.count(used) && seen.insert(used).second) stack.push_back({used, uses(used)});
            }
        }
        return order;
    }

    std::vector<std::string> uses(const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& text : raw_.at(name).field_types) names_used(parse_cql_type(text).type, out);
        return out;
    }

    void build(const std::string& key) {
        const auto& raw = raw_.at(key);
        data_type t;
        t.id = type_id::udt;
        t.keyspace = keyspace_;
        t.name = key;
        t.field_names = raw.field_names;
        std::string error;
        if (raw.field_names.size() != raw.field_types.size())
            error = std::to_string(raw.field_names.size()) + " field names but " +
                    std::to_string(raw.field_types.size()) + " field types";
        type_size size;
        for (std::size_t i = 0; error.empty() && i < raw.field_types.size(); ++i) {
            missing_.clear();
            auto r = parse_cql_type(raw.field_types[i], resolver());
            const auto field = "field '" + raw.field_names[i] + "'";
            if (!r && raw_.count(missing_)) {
                error = field + " uses user type " + keyspace_ + "." + missing_ + ", which " +
                        (failed_.count(missing_) ? "is left out" : "uses it in turn");
            } else if (!r) {
                error = field + ": " + r.error;
            } else {
                const auto s = measure(r.type);
                size.depth = std::max(size.depth, s.depth + 1);
                size.nodes += s.nodes;
                if (size.depth > max_udt_depth)
                    error = "nested more than " + std::to_string(max_udt_depth) + " levels (" + field + ")";
                else if (size.nodes > max_udt_nodes)
                    error = "more than " + std::to_string(max_udt_nodes) + " type nodes (" + field + ")";
            }
            t.params.push_back(std::move(r.type));
        }
        if (!error.empty()) {
            failed_.insert(key);
            errors_.push_back("user type " + keyspace_ + "." + key + " left out: " + error);
            return;
        }
        done_.emplace(key, std::move(t));
    }

    std::string keyspace_;
    std::map<std::string, raw_type> raw_;
    std::map<std::string, data_type, std::less<>> done_;
    std::set<std::string> failed_;
    std::string missing_;  // the last name resolve() did not find
    std::vector<std::string> errors_;
};

struct raw_column {
    std::string name, kind, order, type;
    std::int32_t position = -1;
};

// Fills the table or view from its columns; returns why it cannot, or empty.
template <class T>
std::string fill_table(T& t, std::vector<raw_column> cols, udt_set& udts) {
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
                {c.name, std::move(r.type),
                 c.order == "desc" ? clustering_order::descending : clustering_order::ascending});
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

// Parses `text` into `out`; returns why it cannot ("<what>: ..."), or empty.
std::string parse_into(data_type& out, const std::string& text, std::string_view what, udt_set& udts) {
    auto r = parse_cql_type(text, udts.resolver());
    if (!r) return std::string(what) + ": " + r.error;
    out = std::move(r.type);
    return {};
}

std::string parse_all(std::vector<data_type>& out, const std::vector<std::string>& texts, udt_set& udts) {
    out.resize(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i)
        if (auto e = parse_into(out[i], texts[i], "argument type " + std::to_string(i + 1), udts); !e.empty()) return e;
    return {};
}

std::string signature_of(const std::string& name, const std::vector<std::string>& types) {
    auto out = name + '(';
    for (std::size_t i = 0; i < types.size(); ++i) out += (i ? "," : "") + types[i];
    return out + ')';
}

struct raw_view {
    std::string base, where;
    bool all = false;
};

// The parts after keyspaces, user types and tables: they only add to
// keyspaces already built, each object alone.
class object_builder {
public:
    object_builder(schema_build_result& out, std::map<std::string, udt_set>& udts) : out_(out), udts_(udts) {}

    void index(const row_view& row) {
        const auto ks = row.get<std::string>("keyspace_name");
        const auto table = row.get<std::string>("table_name");
        index_metadata ix;
        ix.name = row.get<std::string>("index_name");
        const auto where = "index " + ks + "." + ix.name;
        const auto kind = row.get<std::optional<std::string>>("kind").value_or("");
        ix.options = row.get<std::optional<std::map<std::string, std::string>>>("options").value_or(
            std::map<std::string, std::string>{});
        if (auto t = ix.options.find("target"); t != ix.options.end()) ix.target = t->second;
        if (kind == "KEYS")
            ix.kind = index_kind::keys;
        else if (kind == "COMPOSITES")
            ix.kind = index_kind::composites;
        else if (kind == "CUSTOM")
            ix.kind = index_kind::custom;
        else
            return fail(where, "kind '" + kind + "'");
        auto* k = keyspace(ks, where);
        if (!k) return;
        auto t = k->tables.find(table);
        if (t == k->tables.end()) return fail(where, "its table " + ks + "." + table + " is not in the metadata");
        t->second.indexes.insert_or_assign(ix.name, std::move(ix));
    }

    void function(const row_view& row) {
        const auto ks = row.get<std::string>("keyspace_name");
        function_metadata f;
        f.name = row.get<std::string>("function_name");
        const auto types = strings(row, "argument_types");
        f.signature = signature_of(f.name, types);
        f.argument_names = strings(row, "argument_names");
        f.language = row.get<std::optional<std::string>>("language").value_or("");
        f.body = row.get<std::optional<std::string>>("body").value_or("");
        f.called_on_null_input = row.get<std::optional<bool>>("called_on_null_input").value_or(false);
        const auto return_type = row.get<std::optional<std::string>>("return_type").value_or("");
        const auto where = "function " + ks + "." + f.signature;
        auto* k = keyspace(ks, where);
        if (!k) return;
        std::string e;
        if (f.argument_names.size() != types.size())
            e = std::to_string(f.argument_names.size()) + " argument names but " + std::to_string(types.size()) +
                " argument types";
        if (e.empty()) e = parse_all(f.argument_types, types, udts_.at(ks));
        if (e.empty()) e = parse_into(f.return_type, return_type, "return type", udts_.at(ks));
        if (!e.empty()) return fail(where, e);
        k->functions.insert_or_assign(f.signature, std::move(f));
    }

    void aggregate(const row_view& row) {
        const auto ks = row.get<std::string>("keyspace_name");
        aggregate_metadata a;
        a.name = row.get<std::string>("aggregate_name");
        const auto types = strings(row, "argument_types");
        a.signature = signature_of(a.name, types);
        a.state_function = row.get<std::optional<std::string>>("state_func").value_or("");
        a.final_function = row.get<std::optional<std::string>>("final_func").value_or("");
        a.initial_condition = row.get<std::optional<std::string>>("initcond");
        const auto state_type = row.get<std::optional<std::string>>("state_type").value_or("");
        const auto return_type = row.get<std::optional<std::string>>("return_type").value_or("");
        const auto where = "aggregate " + ks + "." + a.signature;
        auto* k = keyspace(ks, where);
        if (!k) return;
        auto e = parse_all(a.argument_types, types, udts_.at(ks));
        if (e.empty()) e = parse_into(a.state_type, state_type, "state type", udts_.at(ks));
        if (e.empty()) e = parse_into(a.return_type, return_type, "return type", udts_.at(ks));
        if (e.empty() && a.state_function.empty()) e = "no state function";
        if (!e.empty()) return fail(where, e);
        k->aggregates.insert_or_assign(a.signature, std::move(a));
    }

    keyspace_metadata* keyspace(const std::string& ks, const std::string& where) {
        auto it = out_.keyspaces.find(ks);
        if (it != out_.keyspaces.end()) return &it->second;
        fail(where, "its keyspace is not in system_schema.keyspaces");
        return nullptr;
    }

    void fail(const std::string& where, const std::string& why) { out_.errors.push_back(where + " left out: " + why); }

private:
    static std::vector<std::string> strings(const row_view& row, std::string_view column) {
        return row.get<std::optional<std::vector<std::string>>>(column).value_or(std::vector<std::string>{});
    }

    schema_build_result& out_;
    std::map<std::string, udt_set>& udts_;
};

}  // namespace

schema_build_result build_schema(const schema_rows& in) {
    schema_build_result out;
    auto& errors = out.errors;

    each_row(in.keyspaces, "keyspaces", "", errors, [&](const row_view& row) {
        keyspace_metadata ks;
        ks.name = row.get<std::string>("keyspace_name");
        ks.durable_writes = row.get<std::optional<bool>>("durable_writes").value_or(true);
        ks.replication = row.get<std::map<std::string, std::string>>("replication");
        out.keyspaces.insert_or_assign(ks.name, std::move(ks));
    });

    std::map<std::string, std::map<std::string, raw_type>> raw_types;
    each_row(in.types, "types", "type_name", errors, [&](const row_view& row) {
        const auto ks = row.get<std::string>("keyspace_name");
        raw_type t{row.get<std::vector<std::string>>("field_names"), row.get<std::vector<std::string>>("field_types")};
        raw_types[ks].insert_or_assign(row.get<std::string>("type_name"), std::move(t));
    });
    std::map<std::string, udt_set> udts;
    for (auto& [name, ks] : out.keyspaces) {
        auto raw = raw_types.extract(name);
        auto& set = udts.try_emplace(name, name, raw ? std::move(raw.mapped()) : std::map<std::string, raw_type>{})
                        .first->second;
        ks.user_types = set.all(errors);
    }
    for (const auto& [ks, _] : raw_types)
        errors.push_back("user types of keyspace " + ks + " left out: the keyspace is not in system_schema.keyspaces");

    // Tables and views alike: their columns are in system_schema.columns.
    std::map<std::pair<std::string, std::string>, std::vector<raw_column>> table_columns;
    std::map<std::pair<std::string, std::string>, raw_view> views;
    each_row(in.tables, "tables", "table_name", errors, [&](const row_view& row) {
        table_columns[{row.get<std::string>("keyspace_name"), row.get<std::string>("table_name")}];
    });
    each_row(in.views, "views", "view_name", errors, [&](const row_view& row) {
        std::pair<std::string, std::string> key{row.get<std::string>("keyspace_name"),
                                                row.get<std::string>("view_name")};
        raw_view v{row.get<std::string>("base_table_name"),
                   row.get<std::optional<std::string>>("where_clause").value_or(""),
                   row.get<std::optional<bool>>("include_all_columns").value_or(false)};
        table_columns[key];
        views.insert_or_assign(std::move(key), std::move(v));
    });
    each_row(in.columns, "columns", "table_name", errors, [&](const row_view& row) {
        auto it = table_columns.find({row.get<std::string>("keyspace_name"), row.get<std::string>("table_name")});
        if (it == table_columns.end()) return;  // of a table or view we do not know
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
        const auto view = views.find(key);
        const auto where = (view == views.end() ? "table " : "view ") + ks_name + "." + table_name;
        const auto ks = out.keyspaces.find(ks_name);
        if (ks == out.keyspaces.end()) {
            errors.push_back(where + " left out: its keyspace is not in system_schema.keyspaces");
            continue;
        }
        if (view != views.end()) {
            view_metadata v;
            v.name = table_name;
            v.base_table = std::move(view->second.base);
            v.where_clause = std::move(view->second.where);
            v.include_all_columns = view->second.all;
            if (auto e = fill_table(v, std::move(cols), udts.at(ks_name)); !e.empty()) {
                errors.push_back(where + " left out: " + e);
                continue;
            }
            ks->second.views.insert_or_assign(table_name, std::move(v));
            continue;
        }
        table_metadata t;
        t.name = table_name;
        if (auto e = fill_table(t, std::move(cols), udts.at(ks_name)); !e.empty()) {
            errors.push_back(where + " left out: " + e);
            continue;
        }
        ks->second.tables.insert_or_assign(table_name, std::move(t));
    }
    // Each view on its base table (a base table left out has reported why).
    for (auto& [_, ks] : out.keyspaces)
        for (const auto& [name, v] : ks.views)
            if (auto t = ks.tables.find(v.base_table); t != ks.tables.end()) t->second.views.push_back(name);

    object_builder objects(out, udts);
    each_row(in.indexes, "indexes", "index_name", errors, [&](const row_view& row) { objects.index(row); });
    each_row(in.functions, "functions", "function_name", errors, [&](const row_view& row) { objects.function(row); });
    each_row(in.aggregates, "aggregates", "aggregate_name", errors,
             [&](const row_view& row) { objects.aggregate(row); });
    return out;
}

}  // namespace async_cassandra::detail

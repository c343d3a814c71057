#include "cluster/replication.hpp"

#include <charconv>

namespace async_cassandra::detail {

namespace {

constexpr std::string_view locator_package = "org.apache.cassandra.locator.";
// Well beyond any real cluster; stops absurd values from sizing anything.
constexpr int max_factor = 1000;

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string_view short_class(std::string_view name) noexcept {
    if (name.starts_with(locator_package)) name.remove_prefix(locator_package.size());
    return name;
}

bool parse_count(std::string_view s, int& out) {
    if (s.empty()) return false;
    const auto* end = s.data() + s.size();
    const auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc{} && p == end && out >= 0 && out <= max_factor;
}

}  // namespace

std::string parse_replication_factor(const std::string& value, replication_factor& out) {
    const std::string_view v = value;
    const auto slash = v.find('/');
    int all = 0, transient = 0;
    if (!parse_count(v.substr(0, slash), all) ||
        (slash != std::string_view::npos && !parse_count(v.substr(slash + 1), transient)))
        return "replication factor " + quoted(value) + " is not a count from 0 to " + std::to_string(max_factor) +
               " or '<all>/<transient>'";
    if (transient > 0 && transient >= all)
        return "replication factor " + quoted(value) + " has " + std::to_string(transient) +
               " transient replicas; there must be fewer than all (" + std::to_string(all) + ")";
    out = {all, transient};
    return {};
}

replication_parse_result parse_replication(const std::map<std::string, std::string>& options) {
    replication_parse_result r;
    auto& o = r.options;
    const auto cls = options.find("class");
    if (cls == options.end()) {
        r.error = "replication options have no 'class'";
        return r;
    }
    o.class_name = cls->second;
    const auto name = short_class(cls->second);
    if (name == "SimpleStrategy")
        o.strategy = replication_strategy::simple;
    else if (name == "NetworkTopologyStrategy")
        o.strategy = replication_strategy::network_topology;
    else if (name == "LocalStrategy")
        o.strategy = replication_strategy::local;
    else if (name == "EverywhereStrategy" || name == "com.datastax.bdp.db.EverywhereStrategy")
        o.strategy = replication_strategy::everywhere;
    else
        return r;  // other: options are that class's own business

    bool has_factor = false;
    for (const auto& option : options) {
        // Named, not structured bindings: clang 14 cannot capture those.
        const std::string& key = option.first;
        const std::string& value = option.second;
        if (key == "class") continue;
        auto fail = [&](const std::string& why) {
            r.error = "replication option " + quoted(key) + " = " + quoted(value) + ": " + why;
            r.options.datacenters.clear();
            return r;
        };
        if (o.strategy == replication_strategy::local || o.strategy == replication_strategy::everywhere)
            return fail("unexpected for " + std::string(name));
        replication_factor f;
        if (auto e = parse_replication_factor(value, f); !e.empty()) return fail(e);
        if (key == "replication_factor") {
            o.factor = f;
            has_factor = true;
        } else if (o.strategy == replication_strategy::simple) {
            return fail("unexpected for SimpleStrategy (only 'replication_factor')");
        } else if (key.empty()) {
            return fail("an empty datacenter name");
        } else {
            o.datacenters.emplace_back(key, f);  // the map is sorted by key
        }
    }
    if (o.strategy == replication_strategy::simple && !has_factor)
        r.error = "SimpleStrategy replication options have no 'replication_factor'";
    return r;
}

}  // namespace async_cassandra::detail

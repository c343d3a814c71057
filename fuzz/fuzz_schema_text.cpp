// Schema text: the first byte picks the parser. 0: a CQL type string (with
// and without a user type resolver; a type that parses and holds no user
// or custom type must print back to text that parses to the same type).
// 1: replication options, one "key=value" per line.
#include "cluster/cql_type.hpp"
#include "cluster/replication.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

using namespace async_cassandra;

namespace {

int depth(const data_type& t) {
    int d = 0;
    for (const auto& p : t.params) d = std::max(d, depth(p));
    return d + 1;
}

bool plain(const data_type& t) {
    if (t.id == type_id::custom || t.id == type_id::udt) return false;
    for (const auto& p : t.params)
        if (!plain(p)) return false;
    return true;
}

void cql_type(std::string_view text) {
    const detail::udt_resolver resolve = [](std::string_view ks, std::string_view name) -> std::optional<data_type> {
        if (!ks.empty() || name != "point") return std::nullopt;
        data_type t;
        t.id = type_id::udt;
        t.name = "point";
        t.field_names = {"x"};
        t.params.resize(1);
        t.params[0].id = type_id::int_;
        return t;
    };
    for (const auto* r : {&resolve, static_cast<const detail::udt_resolver*>(nullptr)}) {
        const auto parsed = r ? detail::parse_cql_type(text, *r) : detail::parse_cql_type(text);
        if (!parsed && parsed.error.empty()) std::abort();
        // Marshal classes in quotes nest on their own count: the printed
        // text may nest deeper than the parser takes.
        if (!parsed || !plain(parsed.type) || depth(parsed.type) > 60) continue;
        const auto again = detail::parse_cql_type(to_string(parsed.type));
        if (!again || !(again.type == parsed.type)) std::abort();
    }
}

void replication(std::string_view text) {
    std::map<std::string, std::string> options;
    while (!text.empty()) {
        const auto line = text.substr(0, text.find('\n'));
        text.remove_prefix(std::min(text.size(), line.size() + 1));
        const auto eq = line.find('=');
        options[std::string(line.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1));
    }
    const auto r = detail::parse_replication(options);
    if (r) {
        for (const auto& [dc, f] : r.options.datacenters)
            if (f.full() < 0 || f.all > 1000) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1)
        replication(text);
    else
        cql_type(text);
    return 0;
}

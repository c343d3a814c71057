// What the fuzz targets over system-table rows share: their inputs are rows
// as text, one a line, fields split at a separator, cells typed by name.
#pragma once

#include <async_cassandra/data_type.hpp>

#include <string_view>
#include <utility>
#include <vector>

namespace fuzz_rows {

inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

inline async_cassandra::data_type of(async_cassandra::type_id id, std::vector<async_cassandra::data_type> params = {}) {
    async_cassandra::data_type t;
    t.id = id;
    t.params = std::move(params);
    return t;
}

}  // namespace fuzz_rows

// CQL values: a marshal class name (up to the first newline) parsed into a
// type, then the rest as a cell of that type, walked and decoded every way.
#include <async_cassandra/protocol/messages.hpp>
#include <async_cassandra/value_view.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

using namespace async_cassandra;

namespace {
template <class T>
void try_as(const value_view& v) {
    try {
        (void)v.as<std::optional<T>>();
    } catch (const value_error&) {
    }
}

void walk(const value_view& v) {
    try_as<std::int8_t>(v);
    try_as<std::int16_t>(v);
    try_as<std::int32_t>(v);
    try_as<std::int64_t>(v);
    try_as<bool>(v);
    try_as<float>(v);
    try_as<double>(v);
    try_as<std::string_view>(v);
    try_as<uuid>(v);
    try_as<inet_address>(v);
    try_as<duration>(v);
    try_as<decimal>(v);
    try_as<date>(v);
    try_as<std::chrono::nanoseconds>(v);
    try_as<std::chrono::sys_time<std::chrono::milliseconds>>(v);
    try {
        if (auto x = v.as<std::optional<varint>>()) (void)x->to_string();
    } catch (const value_error&) {
    }
    try_as<std::vector<std::optional<std::string>>>(v);
    try_as<std::map<std::int32_t, std::vector<std::optional<std::int32_t>>>>(v);
    try_as<std::tuple<std::optional<std::int32_t>, std::optional<std::string>>>(v);
    try_as<std::array<float, 3>>(v);
    try {
        switch (v.type().id) {
            case type_id::map:
                for (const auto& [k, e] : v.entries()) {
                    walk(k);
                    walk(e);
                }
                break;
            case type_id::list:
            case type_id::set:
            case type_id::tuple:
            case type_id::udt:
            case type_id::vector: {
                for (auto e : v.elements()) walk(e);
                const auto n = v.size();
                if (n > 0) walk(v[n - 1]);
                if (v.type().id == type_id::udt && n > 0) walk(v.field(v.type().field_names[0]));
                break;
            }
            default: break;
        }
    } catch (const value_error&) {
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const auto name = input.substr(0, newline);
    const auto cell = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    data_type type;
    try {
        type = protocol::parse_marshal_type(name);
    } catch (const protocol::protocol_error&) {
        return 0;
    }
    walk(value_view(type, protocol::as_bytes(cell)));
    walk(value_view(type, std::nullopt));
    return 0;
}

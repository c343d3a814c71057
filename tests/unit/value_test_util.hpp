// Helpers for the value codec tests: types by hand, bytes from hex.
#pragma once

#include <async_cassandra/value_view.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace value_test {

using async_cassandra::data_type;
using async_cassandra::type_id;
using bytes = std::vector<std::byte>;

inline data_type type(type_id id) {
    data_type t;
    t.id = id;
    return t;
}
inline data_type of(type_id id, std::vector<data_type> params) {
    data_type t;
    t.id = id;
    t.params = std::move(params);
    return t;
}
inline data_type list_of(data_type e) { return of(type_id::list, {std::move(e)}); }
inline data_type set_of(data_type e) { return of(type_id::set, {std::move(e)}); }
inline data_type map_of(data_type k, data_type v) { return of(type_id::map, {std::move(k), std::move(v)}); }
inline data_type tuple_of(std::vector<data_type> ps) { return of(type_id::tuple, std::move(ps)); }
inline data_type vector_of(data_type e, std::int32_t dim) {
    auto t = of(type_id::vector, {std::move(e)});
    t.dimension = dim;
    return t;
}
inline data_type udt_of(std::string name, std::vector<std::pair<std::string, data_type>> fields) {
    data_type t;
    t.id = type_id::udt;
    t.keyspace = "ks";
    t.name = std::move(name);
    for (auto& [n, ft] : fields) {
        t.field_names.push_back(n);
        t.params.push_back(ft);
    }
    return t;
}

// "00 01 ff" or "0001ff" to bytes.
inline bytes hex(std::string_view s) {
    bytes out;
    int hi = -1;
    for (char c : s) {
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) continue;
        if (hi < 0) {
            hi = d;
        } else {
            out.push_back(static_cast<std::byte>(hi * 16 + d));
            hi = -1;
        }
    }
    return out;
}
inline std::string to_hex(std::span<const std::byte> b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (auto x : b) {
        s += digits[static_cast<unsigned>(x) >> 4];
        s += digits[static_cast<unsigned>(x) & 0xF];
    }
    return s;
}

// The cell bytes of a C++ value, as hex.
template <class T>
std::string encoded(const T& v) {
    auto e = async_cassandra::encode_value(v);
    EXPECT_EQ(e.get_kind(), async_cassandra::encoded_value::kind::bytes);
    return to_hex(e.bytes());
}

// Reads a cell of type t as T.
template <class T>
T decoded(const data_type& t, const bytes& b) {
    return async_cassandra::value_view(t, std::span<const std::byte>(b)).as<T>();
}

// The message of the value_error that f throws ("" if none).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const async_cassandra::value_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a value_error";
    return "";
}

}  // namespace value_test

// Encoding C++ values into CQL cells and decoding cells back, with the type
// checked against the column's CQL type (spec section 5).
#pragma once

#include <async_cassandra/data_type.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace async_cassandra {

// An encoded cell: bytes, or null (nullopt).
using encoded_value = std::optional<std::string>;

// Thrown when a cell cannot be read as the requested C++ type.
class value_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {
template <class T>
std::string encode_be(T v) {
    using U = std::make_unsigned_t<T>;
    auto u = static_cast<U>(v);
    std::string out(sizeof(T), '\0');
    for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>(u >> (8 * (sizeof(T) - 1 - i)));
    return out;
}
template <class T>
T decode_be(std::span<const std::byte> b) {
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (auto x : b) u = static_cast<U>((u << 8) | static_cast<std::uint8_t>(x));
    return static_cast<T>(u);
}
}  // namespace detail

// value_traits<T>: accepts(type) says which CQL types T reads from and writes
// to; decode reads a non-null cell; encode writes one; cql_name names T.
template <class T>
struct value_traits;

template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
struct value_traits<T> {
    static constexpr std::size_t size = sizeof(T);
    static bool accepts(const data_type& t) {
        switch (t.id) {
            case type_id::tinyint: return size == 1;
            case type_id::smallint: return size == 2;
            case type_id::int_: return size == 4;
            case type_id::bigint:
            case type_id::counter:
            case type_id::timestamp:
            case type_id::time: return size == 8;
            case type_id::date: return size == 4;
            default: return false;
        }
    }
    static T decode(std::span<const std::byte> b) {
        if (b.size() != size)
            throw value_error("expected " + std::to_string(size) + " bytes, cell has " + std::to_string(b.size()));
        return detail::decode_be<T>(b);
    }
    static std::string encode(T v) { return detail::encode_be(v); }
    static const char* cql_name() { return size == 1 ? "int8" : size == 2 ? "int16" : size == 4 ? "int32" : "int64"; }
};

template <>
struct value_traits<bool> {
    static bool accepts(const data_type& t) { return t.id == type_id::boolean; }
    static bool decode(std::span<const std::byte> b) {
        if (b.size() != 1) throw value_error("expected 1 byte, cell has " + std::to_string(b.size()));
        return b[0] != std::byte{0};
    }
    static std::string encode(bool v) { return std::string(1, v ? '\1' : '\0'); }
    static const char* cql_name() { return "bool"; }
};

template <class F>
    requires std::is_floating_point_v<F>
struct value_traits<F> {
    using bits = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
    static bool accepts(const data_type& t) {
        return sizeof(F) == 4 ? t.id == type_id::float_ : t.id == type_id::double_;
    }
    static F decode(std::span<const std::byte> b) {
        if (b.size() != sizeof(F))
            throw value_error("expected " + std::to_string(sizeof(F)) + " bytes, cell has " + std::to_string(b.size()));
        return std::bit_cast<F>(detail::decode_be<bits>(b));
    }
    static std::string encode(F v) { return detail::encode_be(std::bit_cast<bits>(v)); }
    static const char* cql_name() { return sizeof(F) == 4 ? "float" : "double"; }
};

// Text views point into the received page: valid while the result_set lives.
template <>
struct value_traits<std::string_view> {
    static bool accepts(const data_type& t) { return t.id == type_id::varchar || t.id == type_id::ascii; }
    static std::string_view decode(std::span<const std::byte> b) {
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    static std::string encode(std::string_view v) { return std::string(v); }
    static const char* cql_name() { return "std::string_view"; }
};

template <>
struct value_traits<std::string> {
    static bool accepts(const data_type& t) { return value_traits<std::string_view>::accepts(t); }
    static std::string decode(std::span<const std::byte> b) { return std::string(value_traits<std::string_view>::decode(b)); }
    static std::string encode(const std::string& v) { return v; }
    static const char* cql_name() { return "std::string"; }
};

template <>
struct value_traits<std::span<const std::byte>> {
    static bool accepts(const data_type& t) { return t.id == type_id::blob || t.id == type_id::custom; }
    static std::span<const std::byte> decode(std::span<const std::byte> b) { return b; }
    static std::string encode(std::span<const std::byte> v) {
        return std::string(reinterpret_cast<const char*>(v.data()), v.size());
    }
    static const char* cql_name() { return "std::span<const std::byte>"; }
};

template <class T>
encoded_value encode_value(const T& v) {
    return value_traits<T>::encode(v);
}
template <class T>
encoded_value encode_value(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    return value_traits<T>::encode(*v);
}
inline encoded_value encode_value(const char* v) { return std::string(v); }
inline encoded_value encode_value(std::nullopt_t) { return std::nullopt; }

}  // namespace async_cassandra

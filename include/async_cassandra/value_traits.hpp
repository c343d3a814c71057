// value_traits<T>: how a C++ type is written as, and read from, a CQL cell
// (spec section 5). This header has the scalar types; collection_traits.hpp
// and udt.hpp add containers, tuples, vectors and user types.
#pragma once

#include <async_cassandra/data_type.hpp>
#include <async_cassandra/detail/cell_codec.hpp>
#include <async_cassandra/detail/cell_cursor.hpp>
#include <async_cassandra/protocol/bytes.hpp>
#include <async_cassandra/types.hpp>

#include <array>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace async_cassandra {

// Each specialization provides:
//   static bool accepts(const data_type&)  whether T reads cells of that CQL
//       type; recursive for composites (list<text> is not std::vector<int32_t>)
//   static std::string cpp_name()  T's name, for errors
//   static void encode(protocol::byte_writer&, const T&)  appends the cell's
//       bytes, without the length (the caller frames them)
//   static T decode(const data_type&, std::span<const std::byte>)  reads a
//       non-null cell of a type accepts() allowed; throws value_error when
//       the cell is malformed
//   static constexpr std::size_t vector_size  bytes of one element when T
//       goes into a CQL vector as a fixed-size type, else 0 (the element is
//       then preceded by its size)
// and may provide
//   static constexpr bool null_is_empty = true  a null cell reads as T{}
//       (containers: Cassandra stores an empty collection as null)
template <class T>
struct value_traits;

template <class T>
concept has_value_traits = requires {
    value_traits<T>::cpp_name();
};

template <class T>
concept null_reads_as_empty = requires {
    requires value_traits<T>::null_is_empty;
};

// Integers read and write their exact-width CQL types: int8 tinyint, int16
// smallint, int32 int (and date as its raw wire value), int64 bigint,
// counter, timestamp and time (as their raw wire values).
template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
struct value_traits<T> {
    static constexpr std::size_t vector_size = sizeof(T) >= 4 ? sizeof(T) : 0;
    static bool accepts(const data_type& t) {
        switch (t.id) {
            case type_id::tinyint: return sizeof(T) == 1;
            case type_id::smallint: return sizeof(T) == 2;
            case type_id::int_:
            case type_id::date: return sizeof(T) == 4;
            case type_id::bigint:
            case type_id::counter:
            case type_id::timestamp:
            case type_id::time: return sizeof(T) == 8;
            default: return false;
        }
    }
    static std::string cpp_name() {
        return std::string(std::is_signed_v<T> ? "std::int" : "std::uint") + std::to_string(8 * sizeof(T)) + "_t";
    }
    static void encode(protocol::byte_writer& w, T v) { detail::write_be(w, v); }
    static T decode(const data_type&, std::span<const std::byte> b) {
        detail::expect_size(b, sizeof(T));
        return detail::read_be<T>(b);
    }
};

template <>
struct value_traits<bool> {
    static constexpr std::size_t vector_size = 1;
    static bool accepts(const data_type& t) { return t.id == type_id::boolean; }
    static std::string cpp_name() { return "bool"; }
    static void encode(protocol::byte_writer& w, bool v) { w.u8(v ? 1 : 0); }
    static bool decode(const data_type&, std::span<const std::byte> b) {
        detail::expect_size(b, 1);
        return b[0] != std::byte{0};
    }
};

template <class F>
    requires(std::is_same_v<F, float> || std::is_same_v<F, double>)
struct value_traits<F> {
    using bits = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
    static constexpr std::size_t vector_size = sizeof(F);
    static bool accepts(const data_type& t) {
        return sizeof(F) == 4 ? t.id == type_id::float_ : t.id == type_id::double_;
    }
    static std::string cpp_name() { return sizeof(F) == 4 ? "float" : "double"; }
    static void encode(protocol::byte_writer& w, F v) { detail::write_be(w, std::bit_cast<bits>(v)); }
    static F decode(const data_type&, std::span<const std::byte> b) {
        detail::expect_size(b, sizeof(F));
        return std::bit_cast<F>(detail::read_be<bits>(b));
    }
};

// Text views point into the received page: valid while the result_set lives.
// The server checks that text is UTF-8 and ascii is ASCII; this side does not.
template <>
struct value_traits<std::string_view> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::varchar || t.id == type_id::ascii; }
    static std::string cpp_name() { return "std::string_view"; }
    static void encode(protocol::byte_writer& w, std::string_view v) { w.raw(protocol::as_bytes(v)); }
    static std::string_view decode(const data_type&, std::span<const std::byte> b) { return protocol::as_chars(b); }
};

template <>
struct value_traits<std::string> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return value_traits<std::string_view>::accepts(t); }
    static std::string cpp_name() { return "std::string"; }
    static void encode(protocol::byte_writer& w, const std::string& v) { w.raw(protocol::as_bytes(v)); }
    static std::string decode(const data_type&, std::span<const std::byte> b) {
        return std::string(protocol::as_chars(b));
    }
};

// Write-only: a C string inside a container or tuple.
template <>
struct value_traits<const char*> {
    static constexpr std::size_t vector_size = 0;
    static std::string cpp_name() { return "const char*"; }
    static void encode(protocol::byte_writer& w, const char* v) { w.raw(protocol::as_bytes(v)); }
};

// blob, and the raw bytes of a custom type.
template <>
struct value_traits<std::span<const std::byte>> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::blob || t.id == type_id::custom; }
    static std::string cpp_name() { return "std::span<const std::byte>"; }
    static void encode(protocol::byte_writer& w, std::span<const std::byte> v) { w.raw(v); }
    static std::span<const std::byte> decode(const data_type&, std::span<const std::byte> b) { return b; }
};

template <>
struct value_traits<std::vector<std::byte>> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return value_traits<std::span<const std::byte>>::accepts(t); }
    static std::string cpp_name() { return "std::vector<std::byte>"; }
    static void encode(protocol::byte_writer& w, const std::vector<std::byte>& v) { w.raw(v); }
    static std::vector<std::byte> decode(const data_type&, std::span<const std::byte> b) {
        return {b.begin(), b.end()};
    }
};

template <>
struct value_traits<uuid> {
    static constexpr std::size_t vector_size = 16;
    static bool accepts(const data_type& t) { return t.id == type_id::uuid || t.id == type_id::timeuuid; }
    static std::string cpp_name() { return "async_cassandra::uuid"; }
    static void encode(protocol::byte_writer& w, const uuid& v) { w.raw(v.bytes()); }
    static uuid decode(const data_type&, std::span<const std::byte> b) { return uuid::from_bytes(b); }
};

template <>
struct value_traits<inet_address> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::inet; }
    static std::string cpp_name() { return "async_cassandra::inet_address"; }
    static void encode(protocol::byte_writer& w, const inet_address& v) { w.raw(v.bytes()); }
    static inet_address decode(const data_type&, std::span<const std::byte> b) { return inet_address::from_bytes(b); }
};

template <>
struct value_traits<duration> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::duration; }
    static std::string cpp_name() { return "async_cassandra::duration"; }
    static void encode(protocol::byte_writer& w, const duration& v) { detail::encode_duration(w, v); }
    static duration decode(const data_type&, std::span<const std::byte> b) { return detail::decode_duration(b); }
};

template <>
struct value_traits<varint> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::varint; }
    static std::string cpp_name() { return "async_cassandra::varint"; }
    static void encode(protocol::byte_writer& w, const varint& v) { w.raw(v.bytes()); }
    static varint decode(const data_type&, std::span<const std::byte> b) { return varint::from_bytes(b); }
};

template <>
struct value_traits<decimal> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::decimal; }
    static std::string cpp_name() { return "async_cassandra::decimal"; }
    static void encode(protocol::byte_writer& w, const decimal& v) {
        w.i32(v.scale);
        w.raw(v.unscaled.bytes());
    }
    static decimal decode(const data_type&, std::span<const std::byte> b) { return detail::decode_decimal(b); }
};

template <>
struct value_traits<date> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::date; }
    static std::string cpp_name() { return "async_cassandra::date"; }
    static void encode(protocol::byte_writer& w, date v) { detail::write_be(w, v.raw); }
    static date decode(const data_type&, std::span<const std::byte> b) {
        detail::expect_size(b, 4);
        return date{detail::read_be<std::uint32_t>(b)};
    }
};

template <>
struct value_traits<std::chrono::sys_days> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::date; }
    static std::string cpp_name() { return "std::chrono::sys_days"; }
    static void encode(protocol::byte_writer& w, std::chrono::sys_days v) {
        value_traits<date>::encode(w, date::from_sys_days(v));
    }
    static std::chrono::sys_days decode(const data_type& t, std::span<const std::byte> b) {
        return value_traits<date>::decode(t, b).to_sys_days();
    }
};

// CQL time: nanoseconds since midnight, range-checked both ways.
template <>
struct value_traits<std::chrono::nanoseconds> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return t.id == type_id::time; }
    static std::string cpp_name() { return "std::chrono::nanoseconds"; }
    static void encode(protocol::byte_writer& w, std::chrono::nanoseconds v) {
        check_time_of_day(v);
        w.i64(v.count());
    }
    static std::chrono::nanoseconds decode(const data_type&, std::span<const std::byte> b) {
        detail::expect_size(b, 8);
        const std::chrono::nanoseconds v(detail::read_be<std::int64_t>(b));
        check_time_of_day(v);
        return v;
    }
};

template <>
struct value_traits<std::chrono::sys_time<std::chrono::milliseconds>> {
    static constexpr std::size_t vector_size = 8;
    static bool accepts(const data_type& t) { return t.id == type_id::timestamp; }
    static std::string cpp_name() { return "std::chrono::sys_time<std::chrono::milliseconds>"; }
    static void encode(protocol::byte_writer& w, std::chrono::sys_time<std::chrono::milliseconds> v) {
        w.i64(v.time_since_epoch().count());
    }
    static std::chrono::sys_time<std::chrono::milliseconds> decode(const data_type&, std::span<const std::byte> b) {
        detail::expect_size(b, 8);
        return std::chrono::sys_time<std::chrono::milliseconds>(
            std::chrono::milliseconds(detail::read_be<std::int64_t>(b)));
    }
};

// Inside a composite, std::optional<T> is T or null. (At the top level,
// value_view::as and row_view::get handle null themselves.)
template <class T>
struct value_traits<std::optional<T>> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) { return value_traits<T>::accepts(t); }
    static std::string cpp_name() { return "std::optional<" + value_traits<T>::cpp_name() + ">"; }
    static void encode(protocol::byte_writer& w, const std::optional<T>& v) {
        if (!v) throw value_error("a null std::optional cannot be encoded here");
        value_traits<T>::encode(w, *v);
    }
    static std::optional<T> decode(const data_type& t, std::span<const std::byte> b) {
        return value_traits<T>::decode(t, b);
    }
};

}  // namespace async_cassandra

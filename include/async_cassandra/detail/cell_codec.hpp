// The pieces value_traits specializations are built from: big-endian
// integers, [int]-framed items of composites, reading the items of a cell
// with errors that name the item. value_traits.hpp has the contract.
#pragma once

#include <async_cassandra/data_type.hpp>
#include <async_cassandra/detail/cell_cursor.hpp>
#include <async_cassandra/protocol/bytes.hpp>
#include <async_cassandra/types.hpp>
#include <async_cassandra/value_error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace async_cassandra {
template <class T>
struct value_traits;  // value_traits.hpp
}  // namespace async_cassandra

namespace async_cassandra::detail {

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

[[noreturn]] void throw_wrong_size(std::size_t expected, std::size_t got);
inline void expect_size(std::span<const std::byte> b, std::size_t n) {
    if (b.size() != n) throw_wrong_size(n, b.size());
}

template <class T>
T read_be(std::span<const std::byte> b) noexcept {
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (auto x : b) u = static_cast<U>((u << 8) | static_cast<std::uint8_t>(x));
    return static_cast<T>(u);
}
template <class T>
void write_be(protocol::byte_writer& w, T v) {
    using U = std::make_unsigned_t<T>;
    const auto u = static_cast<U>(v);
    // One append, so a fresh buffer allocates once (not once per doubling).
    std::array<std::byte, sizeof(T)> b{};
    for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<std::byte>(u >> (8 * (sizeof(T) - 1 - i)));
    w.raw(b);
}

// [int] n before the items of a list, set or map.
void write_count(protocol::byte_writer& w, std::size_t n);
// Writes the [int] length at `at` once the item's bytes follow it.
void patch_length(protocol::byte_writer& w, std::size_t at);
// Inserts, at `at`, the [unsigned vint] size of the bytes written after it
// (a variable-size vector element).
void insert_vint_length(protocol::byte_writer& w, std::size_t at);

// An item of a list, set, map, tuple or UDT: [bytes], null for an empty optional.
template <class T>
void write_element(protocol::byte_writer& w, const T& v) {
    if constexpr (is_optional_v<T>) {
        if (!v) return w.null_bytes();
        write_element(w, *v);
    } else {
        const auto at = w.size();
        w.i32(0);
        value_traits<T>::encode(w, v);
        patch_length(w, at);
    }
}

[[noreturn]] void throw_null_item();

// Reads the cursor's item i as T (std::optional<U> takes null), naming the
// item in any error.
template <class T>
T decode_item(const cell_cursor& c, std::size_t i, const cell_item& item) {
    try {
        if constexpr (is_optional_v<T>) {
            if (!item.bytes) return std::nullopt;
            return T(value_traits<typename T::value_type>::decode(*item.type, *item.bytes));
        } else {
            if (!item.bytes) {
                if constexpr (requires { requires value_traits<T>::null_is_empty; }) return T{};
                throw_null_item();
            }
            return value_traits<T>::decode(*item.type, *item.bytes);
        }
    } catch (const value_error& e) {
        throw value_error(c.item_name(i) + ": " + e.what());
    }
}

// The next item of the cursor as T.
template <class T>
T decode_next(cell_cursor& c) {
    const auto i = c.index();
    const auto item = c.next();
    return decode_item<T>(c, i, item);
}

// Index of `name` among a UDT's fields, or npos.
std::size_t udt_field_index(const data_type& t, std::string_view name) noexcept;

// duration and decimal (src/values/codec_support.cpp).
void encode_duration(protocol::byte_writer& w, const duration& d);
duration decode_duration(std::span<const std::byte> b);
decimal decode_decimal(std::span<const std::byte> b);

}  // namespace async_cassandra::detail

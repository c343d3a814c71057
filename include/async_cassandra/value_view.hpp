// A non-owning view of one CQL value: its type and bytes, read in place.
// Composites (list, set, map, tuple, UDT, vector) give views of their items.
#pragma once

#include <async_cassandra/detail/cell_cursor.hpp>
#include <async_cassandra/detail/item_iterator.hpp>
#include <async_cassandra/value_codec.hpp>

#include <cstddef>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace async_cassandra {

class element_range;
class entry_range;
class value_view;

// Lifetime: like std::string_view, a value_view (and anything it returns:
// nested views, string_views, spans) points into the buffer and type it was
// made from; for a row, they are valid while the result_set lives.
// Thread safety: a value_view is immutable; sharing is safe.
class value_view {
public:
    value_view() noexcept;  // null, of type blob
    value_view(const data_type& type, std::optional<std::span<const std::byte>> bytes) noexcept
        : type_(&type), bytes_(bytes) {}

    const data_type& type() const noexcept { return *type_; }
    bool is_null() const noexcept { return !bytes_.has_value(); }
    // The value's bytes (nullopt for null).
    std::optional<std::span<const std::byte>> raw() const noexcept { return bytes_; }

    // Reads the value as T. Throws value_error when T does not fit the CQL
    // type (checked recursively), when the value is null (use
    // std::optional<T> to accept null; a null list, set or map reads as an
    // empty container), or when the bytes are malformed.
    template <class T>
    T as() const;

    // Composites. Throw value_error for other types or malformed bytes.
    // A null composite is empty.
    // Items: list/set/vector elements, map entries, tuple components, UDT fields.
    std::size_t size() const;
    // Item i of a list, set, vector, tuple or UDT (walks the bytes: O(i)).
    value_view operator[](std::size_t i) const;
    // A UDT field by name.
    value_view field(std::string_view name) const;
    // Items of a list, set, vector, tuple or UDT, in order.
    element_range elements() const;
    // Key-value pairs of a map, in wire order.
    entry_range entries() const;

private:
    friend class row_view;
    template <class, class>
    friend class detail::item_iterator;

    value_view(const data_type& type, std::optional<std::span<const std::byte>> bytes, std::string_view column,
               bool nested) noexcept
        : type_(&type), bytes_(bytes), column_(column), nested_(nested) {}
    value_view item(const detail::cell_item& it) const noexcept { return {*it.type, it.bytes, column_, true}; }
    detail::cell_cursor cursor() const;
    bool is_map() const noexcept;

    void check(bool accepted, std::string (*cpp_name)()) const;
    [[noreturn]] void throw_null() const;
    [[noreturn]] void rethrow_in_context(const value_error& e) const;

    const data_type* type_;
    std::optional<std::span<const std::byte>> bytes_;
    std::string_view column_;  // for errors; empty outside a row
    bool nested_ = false;
};

using element_iterator = detail::item_iterator<value_view, value_view>;
using entry_iterator = detail::item_iterator<value_view, std::pair<value_view, value_view>>;
class element_range : public detail::item_range<value_view, value_view> {
public:
    using item_range::item_range;
};
class entry_range : public detail::item_range<value_view, std::pair<value_view, value_view>> {
public:
    using item_range::item_range;
};
// Defined for these two in value_view.cpp.
extern template class detail::item_iterator<value_view, value_view>;
extern template class detail::item_iterator<value_view, std::pair<value_view, value_view>>;

template <class T>
T value_view::as() const {
    if constexpr (detail::is_optional_v<T>) {
        using U = typename T::value_type;
        check(value_traits<U>::accepts(*type_), &value_traits<U>::cpp_name);
        if (!bytes_) return std::nullopt;
        try {
            return T(value_traits<U>::decode(*type_, *bytes_));
        } catch (const value_error& e) {
            rethrow_in_context(e);
        }
    } else {
        check(value_traits<T>::accepts(*type_), &value_traits<T>::cpp_name);
        if (!bytes_) {
            if constexpr (null_reads_as_empty<T>) return T{};
            throw_null();
        }
        try {
            return value_traits<T>::decode(*type_, *bytes_);
        } catch (const value_error& e) {
            rethrow_in_context(e);
        }
    }
}

}  // namespace async_cassandra

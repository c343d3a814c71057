// Binding a C++ value to a bind marker: its type checked against the
// marker's CQL type before anything is encoded, errors naming both.
#pragma once

#include <async_cassandra/detail/prepared_data.hpp>
#include <async_cassandra/value_codec.hpp>
#include <async_cassandra/value_error.hpp>
#include <async_cassandra/value_traits.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace async_cassandra::detail {

// Encodes `v` for bind marker `index` after checking that its C++ type fits
// the marker's CQL type. Throws value_error naming the marker and both types.
[[noreturn]] void throw_bind_mismatch(const column_spec& marker, std::size_t index, const std::string& cpp_name);

template <class T>
encoded_value encode_checked(const column_spec& marker, std::size_t index, const T& v) {
    if constexpr (std::is_same_v<T, std::nullopt_t> || std::is_same_v<T, unset_t> || std::is_same_v<T, encoded_value>) {
        return encode_value(v);  // null, unset and pre-encoded bytes fit any type
    } else if constexpr (std::is_array_v<T> || std::is_same_v<T, const char*> || std::is_same_v<T, char*>) {
        if (!value_traits<std::string_view>::accepts(marker.type)) throw_bind_mismatch(marker, index, "const char*");
        return encode_value(static_cast<const char*>(v));
    } else if constexpr (is_optional_v<T>) {
        using U = typename T::value_type;
        if (!value_traits<U>::accepts(marker.type))
            throw_bind_mismatch(marker, index, value_traits<std::optional<U>>::cpp_name());
        return encode_value(v);
    } else {
        static_assert(has_value_traits<T>, "no value_traits<T>: this type cannot be bound");
        if (!value_traits<T>::accepts(marker.type)) throw_bind_mismatch(marker, index, value_traits<T>::cpp_name());
        return encode_value(v);
    }
}

// d is null for an empty prepared_statement.
[[noreturn]] void throw_bind_count(const prepared_data* d, std::size_t given);
[[noreturn]] void throw_no_marker(const prepared_data& d, std::string_view name);
[[noreturn]] void throw_marker_index(const prepared_data& d, std::size_t index);

}  // namespace async_cassandra::detail

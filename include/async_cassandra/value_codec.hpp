// Encoding C++ values into CQL cells and decoding cells back, with the type
// checked against the column's CQL type (spec sections 5 and 6).
#pragma once

#include <async_cassandra/collection_traits.hpp>
#include <async_cassandra/protocol/bytes.hpp>
#include <async_cassandra/udt.hpp>
#include <async_cassandra/value_traits.hpp>

#include <cstdint>
#include <optional>
#include <utility>

namespace async_cassandra {

// A bound value as a statement keeps it: bytes, null or unset.
class encoded_value {
public:
    enum class kind : std::uint8_t { bytes, null, unset };

    encoded_value() noexcept = default;  // null
    explicit encoded_value(protocol::byte_buffer bytes) noexcept : kind_(kind::bytes), bytes_(std::move(bytes)) {}
    static encoded_value null_value() noexcept { return {}; }
    static encoded_value unset_value() noexcept {
        encoded_value v;
        v.kind_ = kind::unset;
        return v;
    }

    kind get_kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == kind::null; }
    bool is_unset() const noexcept { return kind_ == kind::unset; }
    // The cell's bytes; empty unless get_kind() == kind::bytes.
    protocol::bytes_view bytes() const noexcept { return bytes_; }

    friend bool operator==(const encoded_value&, const encoded_value&) = default;

private:
    kind kind_ = kind::null;
    protocol::byte_buffer bytes_;
};

// Binds "leave this column as it is" (protocol v4+): statement::bind(unset).
// (Declared after encoded_value, whose kind::unset would shadow it.)
struct unset_t {
    explicit constexpr unset_t() = default;
};
inline constexpr unset_t unset{};

template <class T>
    requires has_value_traits<T> encoded_value encode_value(const T& v) {
        protocol::byte_buffer out;
        protocol::byte_writer w(out);
        value_traits<T>::encode(w, v);
        return encoded_value(std::move(out));
    }
template <class T>
encoded_value encode_value(const std::optional<T>& v) {
    if (!v) return encoded_value::null_value();
    return encode_value(*v);
}
// A null pointer binds null, not a crash.
inline encoded_value encode_value(const char* v) {
    return v ? encode_value(std::string_view(v)) : encoded_value::null_value();
}
inline encoded_value encode_value(std::nullopt_t) { return encoded_value::null_value(); }
inline encoded_value encode_value(unset_t) { return encoded_value::unset_value(); }
inline encoded_value encode_value(encoded_value v) { return v; }

}  // namespace async_cassandra

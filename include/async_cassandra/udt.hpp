// User-defined types (spec 6) from plain structs: specialize udt_traits to
// list the fields by CQL name and member pointer, in the UDT's order:
//
//   template <> struct async_cassandra::udt_traits<address> {
//       static constexpr std::string_view name = "address";  // optional, for errors
//       static constexpr auto fields = std::make_tuple(
//           async_cassandra::udt_field("street", &address::street),
//           async_cassandra::udt_field("zip", &address::zip));
//   };
//
// Encoding writes the fields in that order (a simple statement carries no
// types, so the order must be the UDT's; trailing fields may be left out).
// Decoding matches fields by name, so the struct may list fewer fields than
// the UDT; every field it lists must exist with a compatible type. Members
// that may be null should be std::optional.
#pragma once

#include <async_cassandra/value_traits.hpp>

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace async_cassandra {

template <class Class, class Member>
struct udt_field_ref {
    using member_type = Member;
    std::string_view name;
    Member Class::*member;
};

template <class Class, class Member>
constexpr udt_field_ref<Class, Member> udt_field(std::string_view name, Member Class::*member) noexcept {
    return {name, member};
}

template <class T>
struct udt_traits;

// The C++ type of a field listed in udt_traits<T>::fields.
template <class F>
using udt_member_t = typename std::remove_cvref_t<F>::member_type;

template <class T>
concept user_type = requires {
    udt_traits<T>::fields;
};

template <user_type T>
struct value_traits<T> {
    static constexpr std::size_t vector_size = 0;

    static bool accepts(const data_type& t) {
        if (t.id != type_id::udt || t.params.size() != t.field_names.size()) return false;
        return std::apply(
            [&](const auto&... f) { return (accepts_field<udt_member_t<decltype(f)>>(t, f.name) && ...); },
            udt_traits<T>::fields);
    }
    static std::string cpp_name() {
        if constexpr (requires { udt_traits<T>::name; }) {
            return std::string(udt_traits<T>::name);
        } else {
            std::string s = "struct {";
            bool first = true;
            std::apply(
                [&](const auto&... f) {
                    ((s += (first ? "" : ", ") + std::string(f.name) + ": " +
                           value_traits<udt_member_t<decltype(f)>>::cpp_name(),
                      first = false),
                     ...);
                },
                udt_traits<T>::fields);
            return s + "}";
        }
    }
    static void encode(protocol::byte_writer& w, const T& v) {
        std::apply([&](const auto&... f) { (detail::write_element<udt_member_t<decltype(f)>>(w, v.*(f.member)), ...); },
                   udt_traits<T>::fields);
    }
    static T decode(const data_type& t, std::span<const std::byte> b) {
        detail::cell_cursor c(t, b);
        T out{};
        while (!c.done()) {
            const auto i = c.index();
            const auto item = c.next();
            const std::string_view cql_name = t.field_names[i];
            std::apply(
                [&](const auto&... f) {
                    ((f.name == cql_name
                          ? void(out.*(f.member) = detail::decode_item<udt_member_t<decltype(f)>>(c, i, item))
                          : void()),
                     ...);
                },
                udt_traits<T>::fields);
        }
        return out;
    }

private:
    template <class M>
    static bool accepts_field(const data_type& t, std::string_view name) {
        const auto j = detail::udt_field_index(t, name);
        return j < t.params.size() && value_traits<M>::accepts(t.params[j]);
    }
};

}  // namespace async_cassandra

// value_traits for containers (list, set, map), std::tuple (tuple) and
// std::array (vector, Cassandra 5). Collections and tuples hold each item as
// [bytes] (null allowed); vectors hold fixed-size items back to back and
// variable-size ones each after its [unsigned vint] size (spec 5.12-5.14,
// 5.21, 5.25).
#pragma once

#include <async_cassandra/detail/container_traits.hpp>
#include <async_cassandra/value_traits.hpp>

#include <array>
#include <list>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace async_cassandra {

template <class T>
struct value_traits<std::vector<T>> : detail::sequence_traits<std::vector<T>, T> {
    static std::string cpp_name() { return detail::container_name<T>("std::vector"); }
};
template <class T>
struct value_traits<std::list<T>> : detail::sequence_traits<std::list<T>, T> {
    static std::string cpp_name() { return detail::container_name<T>("std::list"); }
};
template <class T>
struct value_traits<std::set<T>> : detail::sequence_traits<std::set<T>, T> {
    static std::string cpp_name() { return detail::container_name<T>("std::set"); }
};
template <class T>
struct value_traits<std::unordered_set<T>> : detail::sequence_traits<std::unordered_set<T>, T> {
    static std::string cpp_name() { return detail::container_name<T>("std::unordered_set"); }
};
template <class K, class V>
struct value_traits<std::map<K, V>> : detail::map_traits<std::map<K, V>, K, V> {
    static std::string cpp_name() { return detail::container_name<K, V>("std::map"); }
};
template <class K, class V>
struct value_traits<std::unordered_map<K, V>> : detail::map_traits<std::unordered_map<K, V>, K, V> {
    static std::string cpp_name() { return detail::container_name<K, V>("std::unordered_map"); }
};

template <class... Ts>
struct value_traits<std::tuple<Ts...>> {
    static constexpr std::size_t vector_size = 0;
    static bool accepts(const data_type& t) {
        if (t.id != type_id::tuple || t.params.size() != sizeof...(Ts)) return false;
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return (value_traits<Ts>::accepts(t.params[I]) && ...);
        }
        (std::index_sequence_for<Ts...>{});
    }
    static std::string cpp_name() {
        std::string s = "std::tuple<";
        bool first = true;
        ((s += (first ? "" : ", ") + value_traits<Ts>::cpp_name(), first = false), ...);
        return s + ">";
    }
    static void encode(protocol::byte_writer& w, const std::tuple<Ts...>& v) {
        std::apply([&](const auto&... e) { (detail::write_element<Ts>(w, e), ...); }, v);
    }
    static std::tuple<Ts...> decode(const data_type& t, std::span<const std::byte> b) {
        detail::cell_cursor c(t, b);
        // A braced list evaluates left to right: items are read in order.
        return std::tuple<Ts...>{detail::decode_next<Ts>(c)...};
    }
};

// A CQL vector<T, N>. Which element types are fixed-size is Cassandra's
// choice (see detail::fixed_vector_element_size); each value_traits states
// it for the CQL type it encodes as, in vector_size. Decoding follows the
// column's type; encoding follows T, so pick the T that names the CQL type:
// std::array<std::int64_t, N> writes vector<bigint> or vector<timestamp>
// (fixed-size), std::array<std::chrono::nanoseconds, N> vector<time> and
// std::array<std::chrono::sys_days, N> vector<date> (both size-prefixed).
template <class T, std::size_t N>
struct value_traits<std::array<T, N>> {
    static_assert(!detail::is_optional_v<T>, "a CQL vector cannot hold null elements");
    static constexpr std::size_t vector_size = value_traits<T>::vector_size * N;
    static bool accepts(const data_type& t) {
        return t.id == type_id::vector && t.dimension >= 0 && static_cast<std::size_t>(t.dimension) == N &&
               t.params.size() == 1 && value_traits<T>::accepts(t.params[0]);
    }
    static std::string cpp_name() {
        return "std::array<" + value_traits<T>::cpp_name() + ", " + std::to_string(N) + ">";
    }
    static void encode(protocol::byte_writer& w, const std::array<T, N>& v) {
        for (const auto& e : v) {
            const auto at = w.size();
            value_traits<T>::encode(w, e);
            if constexpr (value_traits<T>::vector_size == 0) detail::insert_vint_length(w, at);
        }
    }
    static std::array<T, N> decode(const data_type& t, std::span<const std::byte> b) {
        detail::cell_cursor c(t, b);
        std::array<T, N> out{};
        for (auto& e : out) e = detail::decode_next<T>(c);
        return out;
    }
};

}  // namespace async_cassandra

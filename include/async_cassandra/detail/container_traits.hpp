// The value_traits of sequences (list, set, vector) and maps, written
// once for every C++ container that collection_traits.hpp maps to them.
#pragma once

#include <async_cassandra/data_type.hpp>
#include <async_cassandra/detail/cell_codec.hpp>
#include <async_cassandra/detail/cell_cursor.hpp>
#include <async_cassandra/protocol/bytes.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <utility>

namespace async_cassandra::detail {

// Any of list, set or vector of an element type T accepts.
template <class T>
bool accepts_sequence(const data_type& t) {
    return (t.id == type_id::list || t.id == type_id::set || t.id == type_id::vector) && t.params.size() == 1 &&
           value_traits<T>::accepts(t.params[0]);
}

// Sequences encode as a list or set: [int n] then n [bytes]; they decode
// from a list, set or vector. Null reads as empty, like every container.
template <class C, class T>
struct sequence_traits {
    static constexpr std::size_t vector_size = 0;
    static constexpr bool null_is_empty = true;
    static bool accepts(const data_type& t) { return accepts_sequence<T>(t); }
    static void encode(protocol::byte_writer& w, const C& v) {
        write_count(w, v.size());
        for (const auto& e : v) write_element<T>(w, e);
    }
    static C decode(const data_type& t, std::span<const std::byte> b) {
        cell_cursor c(t, b);
        C out;
        // count() is bounded by the cell's size: no allocation on a lying count.
        if constexpr (requires { out.reserve(c.count()); }) out.reserve(c.count());
        while (!c.done()) {
            if constexpr (requires { out.push_back(decode_next<T>(c)); })
                out.push_back(decode_next<T>(c));
            else
                out.insert(decode_next<T>(c));
        }
        return out;
    }
};

template <class C, class K, class V>
struct map_traits {
    static constexpr std::size_t vector_size = 0;
    static constexpr bool null_is_empty = true;
    static bool accepts(const data_type& t) {
        return t.id == type_id::map && t.params.size() == 2 && value_traits<K>::accepts(t.params[0]) &&
               value_traits<V>::accepts(t.params[1]);
    }
    static void encode(protocol::byte_writer& w, const C& v) {
        write_count(w, v.size());
        for (const auto& [k, e] : v) {
            write_element<K>(w, k);
            write_element<V>(w, e);
        }
    }
    static C decode(const data_type& t, std::span<const std::byte> b) {
        cell_cursor c(t, b);
        C out;
        if constexpr (requires { out.reserve(c.count()); }) out.reserve(c.count() / 2);
        while (!c.done()) {
            K k = decode_next<K>(c);
            out.insert_or_assign(std::move(k), decode_next<V>(c));
        }
        return out;
    }
};

template <class T>
std::string container_name(const char* head) {
    return std::string(head) + "<" + value_traits<T>::cpp_name() + ">";
}
template <class K, class V>
std::string container_name(const char* head) {
    return std::string(head) + "<" + value_traits<K>::cpp_name() + ", " + value_traits<V>::cpp_name() + ">";
}

}  // namespace async_cassandra::detail

// Per-request options and bound values handed over from Python.
#pragma once
#include "engine.hpp"

#include <async_cassandra/statement_options.hpp>
#include <async_cassandra/value_codec.hpp>

#include <vector>

namespace acpy {

// opts: None or (consistency, serial_consistency, page_size, timeout seconds,
// idempotent, keyspace, tracing, paging_state, custom_payload, timestamp µs
// [, engine profile: host= and the retry policy, pinned.hpp]),
// None meaning "the default" for each. Throws TypeError/ValueError naming the field.
ac::request_options parse_options(nb::handle opts);

// Applies them to a statement, bound statement or batch (page fields only where they exist).
template <class S>
void apply_options(S& s, const ac::request_options& o) {
    if (o.consistency_level) s.set_consistency(*o.consistency_level);
    if (o.serial_consistency_level) s.set_serial_consistency(*o.serial_consistency_level);
    if (o.timeout) s.set_timeout(*o.timeout);
    if (o.idempotent) s.set_idempotent(true);
    if (!o.keyspace.empty()) s.set_keyspace(o.keyspace);
    if (o.tracing) s.set_tracing(true);
    if (!o.payload.empty()) s.set_custom_payload(o.payload);
    if (o.default_timestamp) s.set_default_timestamp(*o.default_timestamp);
    if (!o.profile.empty()) s.set_profile(o.profile);
    if constexpr (requires { s.set_page_size(0); }) {
        if (o.page_size) s.set_page_size(*o.page_size);
        if (o.paging_state) s.set_paging_state(*o.paging_state);
    }
}

// How execute_fast encodes a bind marker's value: natively for the common
// types when the Python value has the expected type, else by the driver's
// serializer of the column.
enum value_kind : std::uint8_t {
    vk_other,
    vk_text,
    vk_ascii,
    vk_blob,
    vk_boolean,
    vk_i8,
    vk_i16,
    vk_i32,
    vk_i64,
    vk_f32,
    vk_f64
};
std::uint8_t value_kind_of(const ac::data_type& t);

// Encodes v for a marker of that kind (serializer(v, protocol_version) when
// not native). False, with no Python error set, when it cannot: the caller
// takes the driver's path, which raises the driver's own error.
bool encode_fast(std::uint8_t kind, PyObject* v, PyObject* serializer, PyObject* protocol_version,
                 ac::encoded_value& out);

// values: None or a sequence of bytes / None (null) / UNSET_VALUE.
std::vector<ac::encoded_value> parse_values(nb::handle values, const char* what);

}  // namespace acpy

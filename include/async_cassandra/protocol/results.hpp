// RESULT (spec 4.2.5): its kind, then Void, Rows, Set_keyspace, Prepared or
// Schema_change. Views (bytes_view) point into the envelope body, which must
// outlive them.
#pragma once

#include <async_cassandra/data_type.hpp>
#include <async_cassandra/protocol/bytes.hpp>
#include <async_cassandra/protocol/events.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace async_cassandra::protocol {

enum class result_kind : std::int32_t { void_ = 1, rows = 2, set_keyspace = 3, prepared = 4, schema_change = 5 };

// The start of a RESULT body: its kind.
result_kind decode_result_kind(byte_reader& r);

// [option] (spec 4.2.5.2), nested at most 64 levels. Metadata is refused
// (malformed) beyond limits no real schema reaches: 65,535 columns a list and
// 262,144 type nodes a message (results.cpp says why).
data_type decode_type(byte_reader& r, int depth = 0);
// Reads a Cassandra marshal class name (as sent for custom types), turning
// the ones with a CQL meaning (VectorType, and the classes behind every native
// and collection type) into that type; anything else stays type_id::custom.
data_type parse_marshal_type(std::string_view class_name);

struct column_spec {
    std::string keyspace;
    std::string table;
    std::string name;
    data_type type;
};

namespace rows_flags {
inline constexpr std::int32_t global_tables_spec = 0x0001;
inline constexpr std::int32_t has_more_pages = 0x0002;
inline constexpr std::int32_t no_metadata = 0x0004;
inline constexpr std::int32_t metadata_changed = 0x0008;
}  // namespace rows_flags

// <metadata> of Rows, and <result_metadata> of Prepared.
struct rows_metadata {
    std::int32_t flags = 0;
    std::int32_t column_count = 0;
    std::optional<bytes_view> paging_state;     // has_more_pages
    std::optional<bytes_view> new_metadata_id;  // metadata_changed (v5)
    std::vector<column_spec> columns;           // empty when no_metadata
};
rows_metadata decode_rows_metadata(byte_reader& r);

// Rows: the metadata, then rows_count rows of column_count [bytes] cells,
// checked to be whole and left in place for the caller to index.
struct rows_result {
    rows_metadata metadata;
    std::int32_t rows_count = 0;
    bytes_view content;
};
rows_result decode_rows(byte_reader& r);

// Set_keyspace: the [string] keyspace now in use.
std::string decode_set_keyspace(byte_reader& r);

// <metadata> of Prepared: the bind markers, and which of them make up the
// partition key (pk_indexes[i] is the marker for partition key column i).
struct prepared_metadata {
    std::int32_t flags = 0;
    std::vector<std::uint16_t> pk_indexes;
    std::vector<column_spec> columns;
};

// Prepared: v5 <id><result_metadata_id><metadata><result_metadata>;
// v4 <id><metadata><result_metadata>.
struct prepared_result {
    bytes_view id;
    std::optional<bytes_view> result_metadata_id;  // v5 only
    prepared_metadata variables;
    rows_metadata result_metadata;
};
prepared_result decode_prepared(byte_reader& r, int version);

struct void_result {};
struct set_keyspace_result {
    std::string keyspace;
};
// Alternatives in the order of result_kind.
using result_body = std::variant<void_result, rows_result, set_keyspace_result, prepared_result, schema_change>;

// A whole RESULT body: the kind selects the alternative.
result_body decode_result(byte_reader& r, int version);

}  // namespace async_cassandra::protocol

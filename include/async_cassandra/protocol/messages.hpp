// Request encoders and response decoders (spec section 4). Pure functions over
// bytes: encoders append a body to a byte_writer, decoders read a body.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/data_type.hpp>
#include <async_cassandra/protocol/bytes.hpp>
#include <async_cassandra/protocol/frame.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <span>
#include <utility>
#include <variant>
#include <vector>

namespace async_cassandra::protocol {

using string_map = std::vector<std::pair<std::string, std::string>>;
using string_multimap = std::map<std::string, std::vector<std::string>, std::less<>>;

// ---- requests ----------------------------------------------------------------

void encode_startup(byte_writer& w, const string_map& options);

// A bound value: bytes, null or unset (v4+).
struct value_ref {
    enum class kind : std::uint8_t { bytes, null, unset } k = kind::null;
    bytes_view data;
    static value_ref of(bytes_view b) noexcept { return {kind::bytes, b}; }
    static value_ref null() noexcept { return {kind::null, {}}; }
    static value_ref unset() noexcept { return {kind::unset, {}}; }
};

struct query_parameters {
    consistency cl = consistency::local_one;
    std::span<const value_ref> values;
    std::span<const std::string_view> names;  // empty, or one per value
    bool skip_metadata = false;
    std::int32_t page_size = -1;  // <= 0: not sent
    std::optional<bytes_view> paging_state;
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;
    std::string_view keyspace;                   // v5 only; empty: not sent
    std::optional<std::int32_t> now_in_seconds;  // v5 only
};

void encode_query_parameters(byte_writer& w, const query_parameters& p, int version);
void encode_query(byte_writer& w, std::string_view query, const query_parameters& p, int version);

// ---- responses ---------------------------------------------------------------

// Tracing id, warnings and custom payload that precede a response body.
struct response_prefix {
    std::optional<std::array<std::byte, 16>> tracing_id;
    std::vector<std::string> warnings;
};
// Reads the optional prefix selected by `flags`; the reader then sits on the message.
response_prefix decode_response_prefix(byte_reader& r, std::uint8_t flags);

struct error_response {
    std::int32_t code = 0;
    std::string message;
    // Details (spec 8) kept as read; the session layer gives them meaning.
    std::optional<consistency> cl;
    std::int32_t received = 0, block_for = 0, alive = 0, required = 0;
    std::int32_t num_failures = 0;
    bool data_present = false;
    std::string write_type;
    std::vector<std::pair<std::string, std::uint16_t>> reason_map;  // endpoint, failure code
    std::string keyspace, table, function;
    std::vector<std::string> arg_types;
    std::string unprepared_id;  // raw bytes of the statement id
};
error_response decode_error(byte_reader& r, int version);

string_multimap decode_supported(byte_reader& r);

struct column_spec {
    std::string keyspace;
    std::string table;
    std::string name;
    data_type type;
};

struct rows_metadata {
    std::int32_t flags = 0;
    std::int32_t column_count = 0;
    std::optional<bytes_view> paging_state;      // view into the body
    std::optional<bytes_view> new_metadata_id;   // view into the body
    std::vector<column_spec> columns;            // empty when no_metadata
};

namespace rows_flags {
inline constexpr std::int32_t global_tables_spec = 0x0001;
inline constexpr std::int32_t has_more_pages = 0x0002;
inline constexpr std::int32_t no_metadata = 0x0004;
inline constexpr std::int32_t metadata_changed = 0x0008;
}  // namespace rows_flags

data_type decode_type(byte_reader& r, int depth = 0);
// Reads a Cassandra marshal class name (as sent for custom types), turning
// the ones with a CQL meaning (VectorType, and the classes behind every native
// and collection type) into that type; anything else stays type_id::custom.
data_type parse_marshal_type(std::string_view class_name);
rows_metadata decode_rows_metadata(byte_reader& r);

enum class result_kind : std::int32_t { void_ = 1, rows = 2, set_keyspace = 3, prepared = 4, schema_change = 5 };

struct schema_change {
    std::string change_type;  // CREATED, UPDATED, DROPPED
    std::string target;       // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
    std::string keyspace;
    std::string name;
    std::vector<std::string> arg_types;
};
schema_change decode_schema_change(byte_reader& r);

// The start of a RESULT body: its kind. Rows continue with metadata, then
// rows_count and the cells, which the caller indexes in place.
result_kind decode_result_kind(byte_reader& r);

}  // namespace async_cassandra::protocol

// Request encoders (spec section 4.1): each appends one message body to a
// byte_writer; the caller wraps it in an envelope (write_envelope). Encoders
// throw protocol_error when the request cannot be expressed in `version`
// (value_too_large for lengths and counts, malformed for v5-only fields on v4).
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/protocol/bytes.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace async_cassandra::protocol {

using string_map = std::vector<std::pair<std::string, std::string>>;

// STARTUP: a [string map] of options (CQL_VERSION, COMPRESSION, DRIVER_NAME...).
void encode_startup(byte_writer& w, const string_map& options);

// OPTIONS: an empty body.
inline void encode_options(byte_writer&) noexcept {}

// AUTH_RESPONSE: one [bytes] token; nullopt sends a null token.
void encode_auth_response(byte_writer& w, std::optional<bytes_view> token);

// REGISTER: the [string list] of event types (see event_type in events.hpp).
void encode_register(byte_writer& w, std::span<const std::string_view> event_types);

// A bound [value]: bytes, null, or unset ("leave the column as it is").
struct value_ref {
    enum class kind : std::uint8_t { bytes, null, unset } k = kind::null;
    bytes_view data;
    static value_ref of(bytes_view b) noexcept { return {kind::bytes, b}; }
    static value_ref null() noexcept { return {kind::null, {}}; }
    static value_ref unset() noexcept { return {kind::unset, {}}; }
};

// <query_parameters> of QUERY and EXECUTE (spec 4.1.4). Each optional field
// sets its flag when present.
struct query_parameters {
    consistency consistency_level = consistency::local_one;
    std::span<const value_ref> values;        // at most 65535
    std::span<const std::string_view> names;  // empty, or one per value
    bool skip_metadata = false;
    std::int32_t page_size = -1;  // <= 0: not sent
    std::optional<bytes_view> paging_state;
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;  // microseconds, >= 0
    std::string_view keyspace;                      // v5 only; empty: not sent
    std::optional<std::int32_t> now_in_seconds;     // v5 only
};

void encode_query_parameters(byte_writer& w, const query_parameters& p, int version);

// QUERY: <query><query_parameters>.
void encode_query(byte_writer& w, std::string_view query, const query_parameters& p, int version);

// PREPARE: v5 <query><flags>[<keyspace>]; v4 just <query>, so a keyspace
// needs v5.
void encode_prepare(byte_writer& w, std::string_view query, std::string_view keyspace, int version);

// EXECUTE: v5 <id><result_metadata_id><query_parameters>; v4 <id><query_parameters>
// (result_metadata_id is then ignored).
void encode_execute(byte_writer& w, bytes_view id, bytes_view result_metadata_id, const query_parameters& p,
                    int version);

enum class batch_type : std::uint8_t { logged = 0, unlogged = 1, counter = 2 };

// One statement of a BATCH: a query string (kind 0) or a prepared id (kind 1).
struct batch_statement {
    bool prepared = false;
    std::string_view query;  // when !prepared
    bytes_view id;           // when prepared
    std::span<const value_ref> values;
};

struct batch_parameters {
    batch_type type = batch_type::logged;
    std::span<const batch_statement> statements;  // at most 65535
    consistency consistency_level = consistency::local_one;
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;
    std::string_view keyspace;                   // v5 only
    std::optional<std::int32_t> now_in_seconds;  // v5 only
};

// The custom payload (envelope flag 0x04) that precedes a request's message:
// a [bytes map] of at most 65535 entries.
void encode_custom_payload(byte_writer& w, std::span<const std::pair<std::string, std::vector<std::byte>>> payload);

// BATCH: <type><n><query_1>...<query_n><consistency><flags>[<serial_consistency>]
// [<timestamp>][<keyspace>][<now_in_seconds>]; flags are a [byte] in v4, an
// [int] in v5. Named values (flag 0x40) are not offered: the spec says the
// server cannot implement them (CASSANDRA-10246).
void encode_batch(byte_writer& w, const batch_parameters& b, int version);

}  // namespace async_cassandra::protocol

// The server's side of the protocol: request decoders and response encoders,
// the mirror images of requests.hpp and responses/results/errors/events.hpp.
// Used by the project's CQL test server (tools/cql-sim) and by tests that
// script a peer. Decoded requests hold views into the request body.
#pragma once

#include <async_cassandra/protocol/errors.hpp>
#include <async_cassandra/protocol/events.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/protocol/responses.hpp>
#include <async_cassandra/protocol/results.hpp>

#include <optional>
#include <string>
#include <vector>

namespace async_cassandra::protocol::server {

// ---- requests ----------------------------------------------------------------

string_map decode_startup(byte_reader& r);
std::optional<bytes_view> decode_auth_response(byte_reader& r);
std::vector<std::string> decode_register(byte_reader& r);

// <query_parameters>, owning the small vectors the views in query_parameters point to.
struct decoded_parameters {
    query_parameters params;
    std::vector<value_ref> values;
    std::vector<std::string_view> names;
};
decoded_parameters decode_query_parameters(byte_reader& r, int version);

struct query_request {
    std::string_view query;
    decoded_parameters parameters;
};
query_request decode_query(byte_reader& r, int version);

struct prepare_request {
    std::string_view query;
    std::string_view keyspace;  // v5
};
prepare_request decode_prepare(byte_reader& r, int version);

struct execute_request {
    bytes_view id;
    bytes_view result_metadata_id;  // v5
    decoded_parameters parameters;
};
execute_request decode_execute(byte_reader& r, int version);

struct decoded_batch_statement {
    bool prepared = false;
    std::string_view query;
    bytes_view id;
    std::vector<value_ref> values;
};
struct batch_request {
    batch_type type = batch_type::logged;
    std::vector<decoded_batch_statement> statements;
    consistency consistency_level = consistency::local_one;
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;
    std::string_view keyspace;
    std::optional<std::int32_t> now_in_seconds;
};
batch_request decode_batch(byte_reader& r, int version);

// ---- responses ---------------------------------------------------------------

void encode_supported(byte_writer& w, const string_multimap& options);
void encode_authenticate(byte_writer& w, std::string_view authenticator);
void encode_auth_challenge(byte_writer& w, std::optional<bytes_view> token);
void encode_auth_success(byte_writer& w, std::optional<bytes_view> token);
// ERROR with the details its code defines (spec 8), in `version`'s layout.
void encode_error(byte_writer& w, const error_response& e, int version);
void encode_event(byte_writer& w, const event_body& e);

// [option]: vectors go out as the custom class Cassandra 5 uses.
void encode_type(byte_writer& w, const data_type& t);

void encode_void_result(byte_writer& w);
void encode_set_keyspace_result(byte_writer& w, std::string_view keyspace);
void encode_schema_change_result(byte_writer& w, const schema_change& s);

// Rows metadata with per-column table specs folded into a global one when
// every column shares it. `paging_state` sets has_more_pages; `no_metadata`
// writes only flags, count and paging state.
struct rows_header {
    std::vector<column_spec> columns;
    std::optional<bytes_view> paging_state;
    std::optional<bytes_view> new_metadata_id;  // v5 metadata_changed
    bool no_metadata = false;
};
void encode_rows_metadata(byte_writer& w, const rows_header& h);
// RESULT Rows: kind, metadata, count; then the caller writes rows_count *
// columns cells with byte_writer::bytes / null_bytes.
void begin_rows_result(byte_writer& w, const rows_header& h, std::int32_t rows_count);

// RESULT Prepared (v5 carries result_metadata_id).
void encode_prepared_result(byte_writer& w, bytes_view id, bytes_view result_metadata_id,
                            const prepared_metadata& variables, const rows_header& result, int version);

}  // namespace async_cassandra::protocol::server

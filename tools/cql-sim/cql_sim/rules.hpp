// What cql-sim answers: rules matched in order against a request's query text
// (or prepared id), each with a response and an optional fault.
#pragma once

#include <async_cassandra/value_codec.hpp>
#include <async_cassandra/protocol/errors.hpp>
#include <async_cassandra/protocol/frame.hpp>
#include <async_cassandra/protocol/results.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cql_sim {

namespace ac = async_cassandra;
namespace pr = async_cassandra::protocol;

// RESULT Void.
struct void_result {};

// RESULT Rows: column specs and rows of encoded cells (ac::encode_value).
// With `paging_state`, more pages follow: the answer sets has_more_pages and
// carries it (script the next page with another rule, e.g. by max_hits).
struct rows_result {
    std::vector<pr::column_spec> columns;
    std::vector<std::vector<ac::encoded_value>> rows;
    std::optional<std::string> paging_state;
};

// ERROR with any code and the details that code defines.
using error_result = pr::error_response;

using response = std::variant<void_result, rows_result, error_result>;

// How to misbehave instead of (or while) answering.
enum class fault_kind {
    none,
    drop_connection,  // close the socket before answering
    close_after,      // send `bytes` bytes of the response, then close
    corrupt_crc,      // flip a bit of the v5 segment CRC32 (v4: of the body's last byte)
    wrong_stream,     // answer on a stream id the client never used
    duplicate,        // answer twice on the request's stream id, back to back
    stall,            // never answer
    mute_after,       // send `bytes` bytes of the response, then nothing more on this
                      // connection: it stays open, requests are read but never answered
    raw,              // send `raw` verbatim instead of the response (a garbage header, ...)
    reset,            // reset the connection (TCP RST) instead of answering
    bad_version,      // answer with `bytes` as the envelope's protocol version
    body,             // answer with opcode `opcode` and `raw` as its body, framed as usual:
                      // a well-framed but malformed answer (e.g. SUPPORTED with no body)
    compressed_body,  // v4 with compression: answer with opcode `opcode`, the compression
                      // flag set and `raw` as the body as is (a compression bomb, ...)
};
struct fault {
    fault_kind kind = fault_kind::none;
    std::size_t bytes = 0;                  // close_after, mute_after; bad_version: the version
    pr::byte_buffer raw;                    // raw; body: the body
    pr::opcode answer = pr::opcode::error;  // body: the opcode of the answer
};

struct rule {
    // Matches QUERY/PREPARE/EXECUTE/BATCH statements whose text equals
    // `query` (or contains it when `substring`); empty matches any text.
    std::string query;
    bool substring = false;
    // When set, matches only EXECUTE of this prepared id (raw bytes).
    std::optional<std::string> prepared_id;
    // The rule stops matching after this many hits.
    std::optional<int> max_hits;
    // When set, matches only requests to this node (0-based: 127.0.0.(node+1)).
    std::optional<int> node;
    // When set, the rule scripts the answer to this request (OPTIONS,
    // STARTUP, AUTH_RESPONSE or PREPARE) instead of a statement's: `query`
    // and `result` are ignored; `delay` and `fault` apply to the usual answer.
    std::optional<pr::opcode> on;

    // The bind markers PREPARE reports (names and types), so a client can
    // bind values to the statement; empty: none.
    std::vector<pr::column_spec> variables;

    response result = void_result{};
    std::chrono::nanoseconds delay{0};  // answer this much later
    cql_sim::fault fault;

    bool matches(std::string_view text, std::string_view id, int on_node) const;
    bool matches_handshake(pr::opcode request, int on_node) const;
};

// Convenience builders.
rule rows_rule(std::string query, std::vector<pr::column_spec> columns,
               std::vector<std::vector<ac::encoded_value>> rows);
rule error_rule(std::string query, pr::error_response e);
pr::column_spec column(std::string name, ac::type_id type, std::string keyspace = "ks", std::string table = "t");

// The prepared id cql-sim gives `query`: 16 bytes of a stable (FNV-1a) hash.
std::string prepared_id_of(std::string_view query);

}  // namespace cql_sim

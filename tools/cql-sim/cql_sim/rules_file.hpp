// A small text format for rules, one per line, for the cql-sim binary:
//
//   # comment
//   SELECT * FROM ks.t => delay=200 max_hits=1
//   INSERT => substring error=0x1001
//   SELECT boom => fault=drop
//
// The text before " => " is the statement text (the whole line when there is
// no " => "; such a rule answers Void). Options: substring, delay=<ms>,
// max_hits=<n>, node=<i> (0-based), error=<code> (decimal or 0x hex; message
// "cql-sim error") and after it the error's details: consistency=<n>,
// received=<n>, block_for=<n>, alive=<n>, required=<n>, data_present=0|1,
// write_type=<SIMPLE|BATCH|...> (e.g. a read timeout:
// `SELECT => substring error=0x1200 received=1 block_for=1 data_present=0`), fault=drop|stall|wrong_stream|duplicate|corrupt_crc|reset|
// close_after:<n>|mute_after:<n>|body:<opcode>:<hex> (that opcode with these
// bytes as its body, e.g. body:supported: an empty SUPPORTED),
// on=options|startup|auth_response|prepare (the rule scripts that answer,
// whatever the statement text; e.g. `OPTIONS => on=options node=0 fault=body:supported:`),
// vars=<name>:<type>,... (the bind markers PREPARE reports),
// rows=<n> columns=<name>:<type>,... [value_bytes=<n>] (a canned Rows result:
// row i holds i in integer columns and value_bytes (16) of 'x' in text/blob
// ones). Types: bigint int smallint tinyint boolean double float timestamp
// uuid text varchar ascii blob. Other rows results need the C++ API.
//
//   SELECT k, v FROM b.kv WHERE k = ? => vars=k:bigint rows=1 columns=k:bigint,v:blob value_bytes=100
#pragma once

#include <cql_sim/rules.hpp>

#include <string_view>
#include <vector>

namespace cql_sim {

// Throws std::invalid_argument naming the line of the first bad option.
std::vector<rule> parse_rules(std::string_view text);

}  // namespace cql_sim

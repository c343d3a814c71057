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
// "cql-sim error"), fault=drop|stall|wrong_stream|corrupt_crc|reset|
// close_after:<n>|mute_after:<n>.
// Rows results are not expressible here; use the C++ API.
#pragma once

#include <cql_sim/rules.hpp>

#include <string_view>
#include <vector>

namespace cql_sim {

// Throws std::invalid_argument naming the line of the first bad option.
std::vector<rule> parse_rules(std::string_view text);

}  // namespace cql_sim

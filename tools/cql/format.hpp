// Text for CQL values, in the three shapes the shell prints: an aligned
// table, CSV and JSON lines. Pure functions over value_view: no I/O, so every
// CQL type is unit-testable from bytes.
#pragma once

#include <async_cassandra/data_type.hpp>
#include <async_cassandra/value_view.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace cql_tool {

enum class value_style {
    // Like cqlsh: top-level text as is (control characters escaped so a
    // cell stays on one line), nested text quoted as a CQL literal.
    table,
    // As table, but top-level text raw: the CSV writer quotes the field.
    csv,
    // JSON: numbers and booleans bare, text and everything else as strings,
    // list/set/vector/tuple as arrays, map and UDT as objects, null as null.
    json,
};

// Appends `v` in `style`. A null value is "null" (table, json) or nothing
// (csv). Malformed bytes do not throw: the value becomes
// "<malformed TYPE: reason>" (a JSON string in json style).
void append_value(std::string& out, const async_cassandra::value_view& v, value_style style);
std::string format_value(const async_cassandra::value_view& v, value_style style);

// `s` as a JSON string literal, quotes included. Invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);
// `s` as one CSV field (RFC 4180): quoted, with quotes doubled, when it
// holds a comma, quote, CR or LF or starts or ends with a space.
void append_csv_field(std::string& out, std::string_view s);

// Numbers: right-aligned in tables.
bool is_numeric(const async_cassandra::data_type& t) noexcept;
// Columns a UTF-8 string takes on a terminal (one per code point).
std::size_t display_width(std::string_view utf8) noexcept;

}  // namespace cql_tool

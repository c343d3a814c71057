// A CQL statement with its values and per-statement options.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/detail/options_base.hpp>
#include <async_cassandra/statement_options.hpp>
#include <async_cassandra/value_codec.hpp>
#include <async_cassandra/value_error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace async_cassandra {

// A simple statement: CQL text the server parses on every execution (see
// prepared_statement for text parsed once). Values go either by position
// (bind) or by name (bind_named), not both.
// Thread safety: a value type; distinct objects safe, shared objects unsafe.
class statement : public detail::paged_options_base<statement> {
public:
    statement(std::string query) : query_(std::move(query)) {}  // NOLINT: implicit from text is the point
    statement(const char* query) : query_(query) {}             // NOLINT

    // Positional values, encoded now (the statement owns their bytes):
    // anything with value_traits, std::optional / std::nullopt for null,
    // async_cassandra::unset to leave a column unchanged (protocol v4+).
    // Without types from the server, the C++ type decides the encoding, so
    // it must be the column's exact type (see the README's table).
    // Throws value_error when named values were bound, or when a value
    // cannot be encoded.
    template <class... Ts>
    statement& bind(const Ts&... values) {
        if (!names_.empty() && sizeof...(Ts) > 0) throw_mixed();
        (values_.push_back(encode_value(values)), ...);
        return *this;
    }

    // A value for the marker `:name` (or `?` of column `name`); the server
    // matches names, so order does not matter. Throws value_error when
    // positional values were bound.
    template <class T>
    statement& bind_named(std::string name, const T& value) {
        if (names_.empty() && !values_.empty()) throw_mixed();
        names_.push_back(std::move(name));
        values_.push_back(encode_value(value));
        return *this;
    }

    const std::string& query() const noexcept { return query_; }
    const std::vector<encoded_value>& values() const noexcept { return values_; }
    // One name per value with bind_named; empty for positional values.
    const std::vector<std::string>& names() const noexcept { return names_; }

private:
    [[noreturn]] static void throw_mixed() {
        throw value_error("a statement takes positional values (bind) or named values (bind_named), not both");
    }

    std::string query_;
    std::vector<encoded_value> values_;
    std::vector<std::string> names_;
};

}  // namespace async_cassandra

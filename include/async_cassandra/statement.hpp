// A CQL statement with its values and per-statement options.
#pragma once

#include <async_cassandra/consistency.hpp>
#include <async_cassandra/value_codec.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace async_cassandra {

class statement {
public:
    statement(std::string query) : query_(std::move(query)) {}  // NOLINT: implicit from text is the point
    statement(const char* query) : query_(query) {}               // NOLINT

    // Positional values, encoded now (the statement owns their bytes):
    // anything with value_traits, std::optional / std::nullopt for null,
    // async_cassandra::unset to leave a column unchanged (protocol v4+).
    template <class... Ts>
    statement& bind(const Ts&... values) {
        (values_.push_back(encode_value(values)), ...);
        return *this;
    }

    statement& set_consistency(consistency c) { consistency_ = c; return *this; }
    statement& set_page_size(std::int32_t n) { page_size_ = n; return *this; }
    statement& set_paging_state(std::string state) { paging_state_ = std::move(state); return *this; }
    statement& set_timeout(std::chrono::milliseconds t) { timeout_ = t; return *this; }

    const std::string& query() const noexcept { return query_; }
    const std::vector<encoded_value>& values() const noexcept { return values_; }
    const std::optional<consistency>& get_consistency() const noexcept { return consistency_; }
    const std::optional<std::int32_t>& page_size() const noexcept { return page_size_; }
    const std::optional<std::string>& paging_state() const noexcept { return paging_state_; }
    const std::optional<std::chrono::milliseconds>& timeout() const noexcept { return timeout_; }

private:
    std::string query_;
    std::vector<encoded_value> values_;
    std::optional<consistency> consistency_;
    std::optional<std::int32_t> page_size_;
    std::optional<std::string> paging_state_;
    std::optional<std::chrono::milliseconds> timeout_;
};

}  // namespace async_cassandra

// The setters and getters every statement class shares (statement,
// bound_statement, batch), as CRTP bases so that calls chain on the
// statement's own type.
#pragma once

#include <async_cassandra/statement_options.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace async_cassandra::detail {

// Setters returning the derived statement, so calls chain.
template <class Derived>
class options_base {
public:
    Derived& set_consistency(consistency c) { return set(opts_.consistency_level, c); }
    Derived& set_serial_consistency(consistency c) { return set(opts_.serial_consistency_level, c); }
    // Microseconds since the epoch; the server uses its clock when unset.
    Derived& set_default_timestamp(std::int64_t microseconds) { return set(opts_.default_timestamp, microseconds); }
    Derived& set_timeout(std::chrono::milliseconds t) { return set(opts_.timeout, t); }
    Derived& set_idempotent(bool idempotent = true) { return set(opts_.idempotent, idempotent); }
    Derived& set_keyspace(std::string keyspace) { return set(opts_.keyspace, std::move(keyspace)); }
    Derived& set_tracing(bool tracing = true) { return set(opts_.tracing, tracing); }
    Derived& set_custom_payload(custom_payload payload) { return set(opts_.payload, std::move(payload)); }
    Derived& set_now_in_seconds(std::int32_t seconds) { return set(opts_.now_in_seconds, seconds); }
    Derived& set_profile(std::string name) { return set(opts_.profile, std::move(name)); }
    Derived& set_routing_key(std::vector<std::byte> key) { return set(opts_.routing_key, std::move(key)); }

    const request_options& options() const noexcept { return opts_; }
    const std::optional<consistency>& get_consistency() const noexcept { return opts_.consistency_level; }
    const std::optional<consistency>& serial_consistency() const noexcept { return opts_.serial_consistency_level; }
    const std::optional<std::int64_t>& default_timestamp() const noexcept { return opts_.default_timestamp; }
    const std::optional<std::chrono::milliseconds>& timeout() const noexcept { return opts_.timeout; }
    bool is_idempotent() const noexcept { return opts_.idempotent; }
    const std::string& keyspace() const noexcept { return opts_.keyspace; }
    bool tracing() const noexcept { return opts_.tracing; }
    const custom_payload& payload() const noexcept { return opts_.payload; }
    const std::optional<std::int32_t>& now_in_seconds() const noexcept { return opts_.now_in_seconds; }
    const std::string& profile() const noexcept { return opts_.profile; }

protected:
    options_base() = default;
    explicit options_base(request_options opts) : opts_(std::move(opts)) {}

    template <class Field, class Value>
    Derived& set(Field& field, Value&& v) {
        field = std::forward<Value>(v);
        return static_cast<Derived&>(*this);
    }

    request_options opts_;
};

// Adds paging to the options of a statement that returns rows.
template <class Derived>
class paged_options_base : public options_base<Derived> {
public:
    // Rows per page; <= 0 asks for everything at once.
    Derived& set_page_size(std::int32_t n) { return this->set(this->opts_.page_size, n); }
    // Resumes after the page whose result_set::paging_state() this is.
    Derived& set_paging_state(std::string state) { return this->set(this->opts_.paging_state, std::move(state)); }

    const std::optional<std::int32_t>& page_size() const noexcept { return this->opts_.page_size; }
    const std::optional<std::string>& paging_state() const noexcept { return this->opts_.paging_state; }

protected:
    using options_base<Derived>::options_base;
};

}  // namespace async_cassandra::detail

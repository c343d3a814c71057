// Prepared statements: CQL text the server parsed once, and its executions
// with values checked against the bind markers' types before anything is sent.
#pragma once

#include <async_cassandra/detail/bind_check.hpp>
#include <async_cassandra/detail/options_base.hpp>
#include <async_cassandra/detail/prepared_data.hpp>
#include <async_cassandra/protocol/results.hpp>
#include <async_cassandra/statement_options.hpp>
#include <async_cassandra/value_codec.hpp>
#include <async_cassandra/value_error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace async_cassandra {

class bound_statement;

// A statement the server has parsed: its id, the bind markers (names, types,
// which make up the partition key) and the columns of its rows. Made by
// session::prepare. Copies are cheap and share everything, including what a
// re-prepare or a change of result metadata updates.
// Thread safety: copies may be used on any thread: what a re-prepare or a
// change of result metadata updates is published whole, never written in
// place (docs/threads.md).
class prepared_statement {
public:
    prepared_statement() = default;  // empty; bind() on it is an error
    prepared_statement(std::shared_ptr<detail::prepared_data> data, std::shared_ptr<const request_options> defaults)
        : data_(std::move(data)), defaults_(std::move(defaults)) {}

    // The accessors below need a valid() statement.
    bool valid() const noexcept { return data_ != nullptr; }
    const std::string& query() const noexcept { return data_->query; }
    const std::string& keyspace() const noexcept { return data_->keyspace; }
    // The server's statement id (an MD5 of keyspace and text).
    std::span<const std::byte> id() const noexcept { return data_->state.get().id; }
    // v5: the id of the result metadata the cached columns belong to.
    std::span<const std::byte> result_metadata_id() const noexcept { return data_->state.get().result_metadata_id; }
    // The bind markers, in order: names, and the types values must fit.
    const std::vector<column_spec>& variables() const noexcept { return data_->variables(); }
    // partition_key_indexes()[i] is the marker holding partition key column i.
    const std::vector<std::uint16_t>& partition_key_indexes() const noexcept { return data_->pk_indexes(); }
    // The columns its rows have, as last reported by the server (empty when
    // it returns no rows or the server sends them with every result).
    const std::vector<column_spec>& result_columns() const noexcept;
    // The options bound statements start with (those of the statement given
    // to session::prepare).
    const request_options& default_options() const noexcept;

    // With values: one for every marker, in order, each checked against the
    // marker's type (null, unset and encoded_value fit any). Without values:
    // every marker unset, for bind_at / bind_named to fill in.
    // Throws value_error on a wrong count, or a value whose C++ type does
    // not fit its marker (naming the marker and both types).
    template <class... Ts>
    bound_statement bind(const Ts&... values) const;

    // The shared state, for the session (and tests).
    const std::shared_ptr<detail::prepared_data>& data() const noexcept { return data_; }

private:
    std::shared_ptr<detail::prepared_data> data_;
    std::shared_ptr<const request_options> defaults_;
};

// A prepared statement with its values: run it with session::execute, or add
// it to a batch. Thread safety: a value type (sharing the prepared_statement).
class bound_statement : public detail::paged_options_base<bound_statement> {
public:
    // Sets marker `index`; throws value_error for an index out of range or a
    // type that does not fit.
    template <class T>
    bound_statement& bind_at(std::size_t index, const T& value) {
        const auto& vars = prepared_.variables();
        if (index >= vars.size()) detail::throw_marker_index(*prepared_.data(), index);
        values_[index] = detail::encode_checked(vars[index], index, value);
        return *this;
    }
    // Sets every marker named `name` (markers `:name`, or `?` compared with
    // column `name`); throws value_error when there is none, or for a type
    // that does not fit.
    template <class T>
    bound_statement& bind_named(std::string_view name, const T& value) {
        const auto& vars = prepared_.variables();
        bool found = false;
        for (std::size_t i = 0; i < vars.size(); ++i) {
            if (vars[i].name != name) continue;
            values_[i] = detail::encode_checked(vars[i], i, value);
            found = true;
        }
        if (!found) detail::throw_no_marker(*prepared_.data(), name);
        return *this;
    }

    const prepared_statement& prepared() const noexcept { return prepared_; }
    // One per marker; unset where nothing was bound.
    const std::vector<encoded_value>& values() const noexcept { return values_; }

private:
    friend class prepared_statement;
    // One value per marker, checked by prepared_statement::bind.
    bound_statement(prepared_statement prepared, std::vector<encoded_value> values)
        : paged_options_base(prepared.default_options()), prepared_(std::move(prepared)), values_(std::move(values)) {
        opts_.paging_state.reset();
    }

    prepared_statement prepared_;
    std::vector<encoded_value> values_;
};

template <class... Ts>
bound_statement prepared_statement::bind(const Ts&... values) const {
    if (!data_) detail::throw_bind_count(nullptr, sizeof...(Ts));
    const auto& vars = data_->variables();
    std::vector<encoded_value> encoded;
    if constexpr (sizeof...(Ts) == 0) {
        encoded.assign(vars.size(), encoded_value::unset_value());
    } else {
        if (vars.size() != sizeof...(Ts)) detail::throw_bind_count(data_.get(), sizeof...(Ts));
        encoded.reserve(sizeof...(Ts));
        std::size_t i = 0;
        ((encoded.push_back(detail::encode_checked(vars[i], i, values)), ++i), ...);
    }
    return bound_statement(*this, std::move(encoded));
}

// Counters of a cluster's prepared-statement cache (cluster::prepared_cache_stats).
struct prepared_cache_stats {
    std::uint64_t prepare_requests = 0;  // PREPARE messages sent
    std::uint64_t hits = 0;              // prepares answered from the cache
    std::uint64_t shared_waits = 0;      // prepares that waited for one already in flight
    std::uint64_t reprepares = 0;        // re-prepares after UNPREPARED
    // PREPAREs sent to hosts other than the one that answered the caller
    // (cluster_config::prepare_on_all_hosts, reprepare_on_up)
    std::uint64_t prepared_elsewhere = 0;
    std::size_t size = 0;  // statements cached now
};

}  // namespace async_cassandra

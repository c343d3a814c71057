// What a PREPARE answer leaves behind, shared by every copy of a
// prepared_statement, its bound statements and the cluster's cache; and
// how a re-prepare replaces it while other threads read it.
#pragma once

#include <async_cassandra/detail/striped_counter.hpp>
#include <async_cassandra/protocol/bytes.hpp>
#include <async_cassandra/protocol/results.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace async_cassandra {
using protocol::column_spec;
}  // namespace async_cassandra

namespace async_cassandra::detail {

// What may change after a PREPARE: a re-prepare, or a v5 result reporting
// new result metadata, replaces it whole. Executions hold the one they sent.
struct prepared_state {
    // The bind markers (names, types) and which of them make up the
    // partition key, as this PREPARE answer described them.
    std::vector<column_spec> variables;
    std::vector<std::uint16_t> pk_indexes;
    protocol::byte_buffer id;
    protocol::byte_buffer result_metadata_id;  // v5; empty on v4
    // The rows' columns; empty when the statement returns no rows, or when
    // they are only known per execution (then the server always sends them).
    std::shared_ptr<const std::vector<column_spec>> result_columns;

    // result_columns once more per stripe, each copy with a reference count
    // of its own (prepared_state_cell::publish makes them): results made on
    // different shards then never write one count.
    const std::shared_ptr<const std::vector<column_spec>>& columns_here() const noexcept {
        const auto& c = stripe_columns[this_thread_stripe() % max_stripes];
        return c ? c : result_columns;
    }
    std::array<std::shared_ptr<const std::vector<column_spec>>, max_stripes> stripe_columns;
};

// The current prepared_state of a statement, read by every request without
// a lock or a reference count: a replaced state is kept, not freed, until
// the statement's data goes (one per change the server reports: a
// re-prepare after a node restart, an ALTER; a handful in a process's life).
// A reference from get() is valid as long as the prepared_data.
class prepared_state_cell {
public:
    explicit prepared_state_cell(std::shared_ptr<prepared_state> first) { publish(std::move(first)); }
    prepared_state_cell(const prepared_state_cell&) = delete;
    prepared_state_cell& operator=(const prepared_state_cell&) = delete;

    const prepared_state& get() const noexcept { return *current_.load(std::memory_order_acquire); }
    // Makes `next` current (its stripe copies made here). Any thread.
    void publish(std::shared_ptr<prepared_state> next);
    // Publishes what `other` holds now (another PREPARE of the same statement).
    void adopt(const prepared_state_cell& other);

private:
    std::atomic<const prepared_state*> current_{nullptr};
    mutable std::mutex mutex_;  // kept_, for publish (rare)
    std::vector<std::shared_ptr<const prepared_state>> kept_;
};

// One PREPARE's answer, shared by every copy of a prepared_statement, every
// bound_statement made from it and the cluster's prepared cache.
struct prepared_data {
    // `vars` and `pk` go into `first`.
    prepared_data(std::string q, std::string ks, std::vector<column_spec> vars, std::vector<std::uint16_t> pk,
                  std::shared_ptr<prepared_state> first)
        : query(std::move(q)),
          keyspace(std::move(ks)),
          state(with_markers(std::move(first), std::move(vars), std::move(pk))) {}

    // The current state's: a re-prepare may replace them (a column's type
    // altered) while other threads bind, so they are never written in place.
    const std::vector<column_spec>& variables() const noexcept { return state.get().variables; }
    const std::vector<std::uint16_t>& pk_indexes() const noexcept { return state.get().pk_indexes; }

    std::string query;
    std::string keyspace;  // the keyspace it was prepared in; empty for none
    prepared_state_cell state;

private:
    static std::shared_ptr<prepared_state> with_markers(std::shared_ptr<prepared_state> s,
                                                        std::vector<column_spec> vars, std::vector<std::uint16_t> pk) {
        s->variables = std::move(vars);
        s->pk_indexes = std::move(pk);
        return s;
    }
};

}  // namespace async_cassandra::detail

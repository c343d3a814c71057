// BATCH: several modifications sent as one request.
#pragma once

#include <async_cassandra/prepared_statement.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/statement.hpp>
#include <async_cassandra/detail/options_base.hpp>
#include <async_cassandra/statement_options.hpp>

#include <cstddef>
#include <variant>
#include <vector>

namespace async_cassandra {

// logged: applied all or nothing (through the batch log); unlogged: no such
// guarantee, cheaper; counter: counter updates only.
using protocol::batch_type;

// Simple statements (with positional values) and bound prepared statements,
// mixed, run with session::execute. The batch's options apply to the whole;
// the statements' own options (consistency, timeout, ...) are not used.
// Thread safety: a value type; distinct objects safe, shared objects unsafe.
class batch : public detail::options_base<batch> {
public:
    using entry = std::variant<statement, bound_statement>;

    explicit batch(batch_type type = batch_type::logged) : type_(type) {}

    // Throws value_error for a statement with named values: the protocol
    // cannot carry them in a batch (CASSANDRA-10246).
    batch& add(statement st);
    batch& add(bound_statement st) {
        entries_.emplace_back(std::move(st));
        return *this;
    }

    batch_type type() const noexcept { return type_; }
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    const std::vector<entry>& entries() const noexcept { return entries_; }

private:
    batch_type type_;
    std::vector<entry> entries_;
};

}  // namespace async_cassandra

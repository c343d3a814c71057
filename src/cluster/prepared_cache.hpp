// The cluster's prepared statements, keyed by (query, keyspace): answered
// statements in LRU order, and the PREPAREs in flight that concurrent
// callers wait on instead of sending their own. It holds state only; the
// session layer sends the PREPAREs.
#pragma once

#include <async_cassandra/error.hpp>
#include <async_cassandra/prepared_statement.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace async_cassandra::detail {

class prepared_cache {
public:
    using key = std::pair<std::string, std::string>;  // query, keyspace

    // One PREPARE in flight. Waiters wait on `done`, which finish() cancels.
    struct flight {
        explicit flight(const asio::any_io_executor& ex) : done(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer done;
        bool finished = false;
        error_code ec;
        diagnostics diag;
        std::shared_ptr<prepared_data> result;
    };

    // Statements kept; beyond it the least recently used is forgotten (its
    // prepared_statement handles stay valid: they own their data).
    static constexpr std::size_t default_capacity = 4096;

    explicit prepared_cache(std::size_t capacity) : capacity_(capacity) {}

    // The cached statement, marked as most recently used; null when absent.
    std::shared_ptr<prepared_data> find(const key& k);
    // The PREPARE in flight for k, if any.
    std::shared_ptr<flight> in_flight(const key& k) const;
    // Registers a PREPARE about to be sent for k.
    std::shared_ptr<flight> begin(const key& k, const asio::any_io_executor& ex);
    // Ends the flight: caches the result on success and wakes every waiter.
    void finish(const key& k, const std::shared_ptr<flight>& f);
    // Caches d under k, evicting the least recently used beyond capacity.
    void store(const key& k, std::shared_ptr<prepared_data> d);

    // Every cached statement's key, most recently used first.
    std::vector<key> keys() const { return {lru_.begin(), lru_.end()}; }

    prepared_cache_stats& stats() noexcept { return stats_; }
    prepared_cache_stats stats_now() const noexcept {
        auto s = stats_;
        s.size = entries_.size();
        return s;
    }

private:
    struct entry {
        std::shared_ptr<prepared_data> data;
        std::list<key>::iterator lru;
    };

    std::size_t capacity_;
    std::map<key, entry> entries_;
    std::list<key> lru_;  // most recently used first
    std::map<key, std::shared_ptr<flight>> flights_;
    prepared_cache_stats stats_;
};

}  // namespace async_cassandra::detail

#include "workload.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <tuple>

namespace ac = async_cassandra;

namespace soak {
namespace {

constexpr auto tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);
constexpr auto tick = std::chrono::milliseconds(10);

asio::awaitable<void> pause_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(tuple_awaitable);
}

}  // namespace

std::int64_t value_of(std::int64_t key) {
    auto z = static_cast<std::uint64_t>(key) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::int64_t>(z ^ (z >> 31));
}

workload::workload(ac::session& s, ac::prepared_statement insert, ac::prepared_statement select, load_config cfg,
                   clock_type::time_point t0)
    : session_(s), insert_(std::move(insert)), select_(std::move(select)), cfg_(cfg), t0_(t0) {
    slot_start_.resize(cfg_.max_in_flight);
    slot_hung_.resize(cfg_.max_in_flight);
    for (std::size_t i = cfg_.max_in_flight; i-- > 0;) free_slots_.push_back(i);
    const auto secs = static_cast<std::size_t>(cfg_.max_run.count());
    acked_.resize(cfg_.rate * secs * cfg_.write_percent / 100 + 1);
    series_.ok.resize(static_cast<std::size_t>(static_cast<double>(secs) / series_.bucket_s) + 1);
}

std::int64_t workload::random_key() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return next_key_ == 0 ? 0 : static_cast<std::int64_t>(rng_ % static_cast<std::uint64_t>(next_key_));
}

asio::awaitable<void> workload::run() {
    auto ex = co_await asio::this_coro::executor;
    running_ = true;
    const auto start = clock_type::now();
    std::uint64_t started = 0;
    while (!stopping_) {
        co_await pause_for(tick);
        const auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
        const auto due = static_cast<std::uint64_t>(elapsed * static_cast<double>(cfg_.rate));
        for (; started < due; ++started) {
            if (free_slots_.empty()) {
                ++shed_;
                continue;
            }
            // Writes spread evenly: write_percent of every 100 requests.
            const bool write = (started % 100) < cfg_.write_percent &&
                               static_cast<std::size_t>(next_key_) < acked_.size();
            const auto key = write ? next_key_++ : random_key();
            asio::co_spawn(ex, one(write, key), asio::detached);
        }
    }
    running_ = false;
}

asio::awaitable<void> workload::one(bool write, std::int64_t key) {
    const auto slot = free_slots_.back();
    free_slots_.pop_back();
    ++in_flight_;
    const auto began = clock_type::now();
    slot_start_[slot] = began;
    slot_hung_[slot] = 0;
    ac::diagnostics diag;
    std::error_code ec;
    if (write) {
        auto b = insert_.bind(key, value_of(key));
        b.set_consistency(ac::consistency::quorum).set_idempotent(true);
        std::tie(ec, std::ignore) = co_await session_.async_execute(std::move(b), diag, tuple_awaitable);
    } else {
        auto b = select_.bind(key);
        b.set_consistency(ac::consistency::one).set_idempotent(true);
        std::tie(ec, std::ignore) = co_await session_.async_execute(std::move(b), diag, tuple_awaitable);
    }
    const auto now = clock_type::now();
    max_latency_s_ = std::max(max_latency_s_, std::chrono::duration<double>(now - began).count());
    if (ec) {
        ++failed_;
        ++errors_[std::string(ec.category().name()) + ": " + ec.message()];
    } else {
        ++ok_;
        const auto bucket = static_cast<std::size_t>(std::chrono::duration<double>(now - t0_).count() /
                                                     series_.bucket_s);
        if (bucket < series_.ok.size()) ++series_.ok[bucket];
        if (write && !acked_[static_cast<std::size_t>(key)]) {
            acked_[static_cast<std::size_t>(key)] = 1;
            ++acked_count_;
        }
    }
    --in_flight_;
    free_slots_.push_back(slot);
}

void workload::check_hung() {
    const auto now = clock_type::now();
    std::vector<std::uint8_t> is_free(slot_start_.size());
    for (auto s : free_slots_) is_free[s] = 1;
    for (std::size_t s = 0; s < slot_start_.size(); ++s)
        if (!is_free[s] && !slot_hung_[s] && now - slot_start_[s] > cfg_.hang_limit) {
            slot_hung_[s] = 1;
            ++hung_;
        }
}

asio::awaitable<void> workload::verify_worker(std::int64_t& next) {
    while (next < next_key_) {
        const auto key = next++;
        if (!acked_[static_cast<std::size_t>(key)]) continue;
        // A read that fails is tried again: only an answer decides.
        bool decided = false;
        for (int attempt = 0; attempt < 5 && !decided; ++attempt) {
            auto b = select_.bind(key);
            b.set_consistency(ac::consistency::quorum).set_idempotent(true);
            auto [ec, rs] = co_await session_.async_execute(std::move(b), tuple_awaitable);
            if (ec) {
                co_await pause_for(std::chrono::milliseconds(200));
                continue;
            }
            decided = true;
            if (rs.size() != 1 || rs.first_row().get<std::int64_t>(0) != value_of(key)) ++missing_;
        }
        if (!decided) ++unverified_;
    }
}

asio::awaitable<void> workload::verify(std::size_t concurrency) {
    auto ex = co_await asio::this_coro::executor;
    std::int64_t next = 0;
    std::size_t live = concurrency;
    for (std::size_t i = 0; i < concurrency; ++i)
        asio::co_spawn(ex, verify_worker(next), [&](std::exception_ptr e) {
            if (e) ++unverified_;
            --live;
        });
    while (live > 0) co_await pause_for(std::chrono::milliseconds(20));
}

}  // namespace soak

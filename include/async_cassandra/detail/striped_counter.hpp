// Counters that several event-loop threads write per request. With
// io_threads > 1 a counter on one cache line costs every request a line
// moved between cores (tens of ns per write once two cores take turns);
// striped, each shard's thread writes a line of its own and a reader adds
// the stripes up.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace async_cassandra::detail {

// Stripes per counter. Shards beyond it share stripes (still correct: the
// stripes are atomic).
inline constexpr std::size_t max_stripes = 8;

// The calling thread's stripe: a shard's thread sets its index (shard_loops);
// every other thread writes stripe 0.
inline thread_local std::size_t this_thread_stripe_index = 0;
inline std::size_t this_thread_stripe() noexcept { return this_thread_stripe_index; }

// A counter whose reads add up each stripe's latest value (not one
// instant). `shared` false: the caller guarantees no other thread writes
// the counter (a single-threaded cluster), so a plain load and store do.
template <class T = std::uint64_t>
class striped_counter {
public:
    void add(T n = 1, bool shared = true, std::memory_order o = std::memory_order_relaxed) noexcept {
        auto& c = cell();
        if (shared)
            c.fetch_add(n, o);
        else
            c.store(c.load(std::memory_order_relaxed) + n, o);
    }
    void sub(T n = 1, bool shared = true, std::memory_order o = std::memory_order_relaxed) noexcept {
        auto& c = cell();
        if (shared)
            c.fetch_sub(n, o);
        else
            c.store(c.load(std::memory_order_relaxed) - n, o);
    }
    T load(std::memory_order o = std::memory_order_relaxed) const noexcept {
        T sum = 0;
        for (const auto& s : stripes_) sum += s.value.load(o);
        return sum;
    }

private:
    std::atomic<T>& cell() noexcept { return stripes_[this_thread_stripe() % max_stripes].value; }
    struct alignas(64) stripe {
        std::atomic<T> value{0};
    };
    std::array<stripe, max_stripes> stripes_{};
};

}  // namespace async_cassandra::detail

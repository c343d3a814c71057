// Compression bombs end to end (issue 15): a node answers with a v4 body,
// LZ4 or Snappy, that declares far more than it holds. The client must refuse
// each one before it costs more than an honest body of that size could
// (the frame limit, and the format's ratio: at most 16:1 for LZ4 bodies that
// are not walked first, 64/3:1 for Snappy), fail the request with a
// protocol_violation naming the limit it broke, and serve the next request on
// a new connection. (v5 segments need no test here: their header's 17-bit
// length caps a payload at 128 KiB.)
#include "faults/fault_env.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <vector>

using namespace fault_env;

namespace {

long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

struct bomb {
    const char* query;
    pr::byte_buffer body;  // as sent: the compressed body, its length preamble first
    const char* says;      // what the error must name
};

pr::byte_buffer lz4_claiming(std::uint32_t declared, std::size_t block_bytes) {
    pr::byte_buffer b;
    pr::byte_writer(b).i32(static_cast<std::int32_t>(declared));
    b.resize(4 + block_bytes, std::byte{0xff});  // every length nibble 15, extended forever: no valid sequence
    return b;
}

pr::byte_buffer snappy_claiming(std::uint64_t declared, std::size_t data_bytes) {
    pr::byte_buffer b;
    for (auto v = declared;; v >>= 7) {  // the preamble: a little-endian base-128 varint
        b.push_back(std::byte(v < 0x80 ? v : (v & 0x7f) | 0x80));
        if (v < 0x80) break;
    }
    b.resize(b.size() + data_bytes, std::byte{0xff});  // copies with 4-byte offsets before any output
    return b;
}

struct bomb_run {
    std::vector<outcome> outcomes;
    long grew_kib = 0;
    bool served_after_each = true;
};

bomb_run detonate(ac::compression c, const std::vector<bomb>& bombs) {
    cql_sim::config sc;
    sc.max_protocol_version = 4;  // compressed envelope bodies are v4's
    sim_env env(sc);
    for (const auto& b : bombs) {
        cql_sim::rule r;
        r.query = b.query;
        r.fault.kind = cql_sim::fault_kind::compressed_body;
        r.fault.answer = pr::opcode::result;
        r.fault.raw = b.body;
        env.sim.add_rule(r);
    }
    bomb_run out;
    env.run(
        [&]() -> asio::awaitable<void> {
            auto cfg = env.client_config(4);
            cfg.compression = c;
            cfg.reconnection.base_delay = 50ms;
            cfg.reconnection.max_delay = 200ms;
            auto cluster = co_await ac::cluster::connect(cfg);
            auto session = co_await cluster.open_session();
            CO_ASSERT((co_await attempt(session, ac::statement("SELECT fine"))).ec == ac::error_code{});
            const auto before = peak_rss_kib();
            for (const auto& b : bombs) {
                out.outcomes.push_back(co_await attempt(session, ac::statement(b.query)));
                // The connection that carried the bomb is gone; a new one serves.
                bool served = false;
                for (int i = 0; i < 100 && !served; ++i) {
                    served = !(co_await attempt(session, ac::statement("SELECT fine"))).ec;
                    if (!served) co_await sleep_for(50ms);
                }
                out.served_after_each = out.served_after_each && served;
            }
            out.grew_kib = peak_rss_kib() - before;
            co_await session.close();
            co_await cluster.close();
        },
        60s);
    return out;
}

void expect_refused(const std::vector<bomb>& bombs, const bomb_run& r, const char* name) {
    ASSERT_EQ(r.outcomes.size(), bombs.size());
    for (std::size_t i = 0; i < bombs.size(); ++i) {
        const auto& o = r.outcomes[i];
        EXPECT_EQ(o.ec, make_error_code(ac::client_errc::protocol_violation))
            << bombs[i].query << ": " << o.ec.message() << ": " << o.diag.message();
        EXPECT_NE(o.diag.message().find(bombs[i].says), std::string::npos)
            << bombs[i].query << ": " << o.diag.message();
    }
    std::printf("[ figure ] %s bombs: peak RSS grew by %ld KiB\n", name, r.grew_kib);
    // The largest allowed cost: one 1 MiB body at the format's bound (16 or
    // 21.3 MiB) with its receive buffer; before the fix, 5 bytes cost 256 MiB.
    EXPECT_LT(r.grew_kib, 48 * 1024) << "a body cost far more than its size";
    EXPECT_TRUE(r.served_after_each);
}

}  // namespace

TEST(compression_bombs, lz4_bodies_are_refused_within_a_memory_bound) {
    constexpr std::uint32_t frame_limit = 256u * 1024 * 1024;
    const std::vector<bomb> bombs = {
        {"SELECT lz4_over_limit", lz4_claiming(0x7fffffff, 1), "the limit is 268435456"},
        {"SELECT lz4_five_bytes", lz4_claiming(frame_limit, 1), "at most 255:1"},
        // Within 255:1 but beyond 16:1: walked, refused before allocating.
        {"SELECT lz4_walked", lz4_claiming(255u * 65536, 65536), "does not decompress to its declared"},
        // Within 16:1: allocated (as an honest body would be), then refused.
        {"SELECT lz4_within_16", lz4_claiming(16u << 20, 1u << 20), "does not decompress to its declared"},
    };
    auto r = detonate(ac::compression::lz4, bombs);
    expect_refused(bombs, r, "lz4");
}

TEST(compression_bombs, snappy_bodies_are_refused_within_a_memory_bound) {
    const std::vector<bomb> bombs = {
        {"SELECT snappy_over_limit", snappy_claiming(0xffffffffu, 1), "the limit is 268435456"},
        {"SELECT snappy_few_bytes", snappy_claiming(100u << 20, 4), "at most 64/3:1"},
        {"SELECT snappy_within_ratio", snappy_claiming(21u << 20, 1u << 20), "does not decompress to its declared"},
    };
    auto r = detonate(ac::compression::snappy, bombs);
    expect_refused(bombs, r, "snappy");
}

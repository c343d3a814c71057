// Replicas on hand-made rings, and against a plain reference walk on random ones.
#include "cluster/token_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace async_cassandra::detail;

namespace {

using hosts_t = std::vector<host_index>;

hosts_t as_vector(std::span<const host_index> s) { return {s.begin(), s.end()}; }

replication_options simple(int rf) {
    auto r = parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", std::to_string(rf)}});
    EXPECT_TRUE(r) << r.error;
    return r.options;
}

replication_options nts(std::map<std::string, std::string> dcs) {
    dcs["class"] = "NetworkTopologyStrategy";
    auto r = parse_replication(dcs);
    EXPECT_TRUE(r) << r.error;
    return r.options;
}

// Ring: 0:A 100:B 200:C 300:A 400:B; D has no tokens.
token_map simple_ring() {
    return token_map({{"dc1", "r1", {300, 0}}, {"dc1", "r1", {100, 400}}, {"dc1", "r1", {200}}, {"dc1", "r1", {}}});
}

TEST(token_map, simple_rf1_owner_of_first_token_at_or_after) {
    auto m = simple_ring();
    m.set_keyspace("ks", simple(1));
    EXPECT_EQ(m.ring_size(), 5u);
    EXPECT_EQ(as_vector(m.replicas("ks", -50)), hosts_t{0});
    EXPECT_EQ(as_vector(m.replicas("ks", 0)), hosts_t{0});
    EXPECT_EQ(as_vector(m.replicas("ks", 1)), hosts_t{1});
    EXPECT_EQ(as_vector(m.replicas("ks", 200)), hosts_t{2});
    EXPECT_EQ(as_vector(m.replicas("ks", 400)), hosts_t{1});
    // Past the last token it wraps to the first.
    EXPECT_EQ(as_vector(m.replicas("ks", 401)), hosts_t{0});
    EXPECT_EQ(as_vector(m.replicas("ks", std::numeric_limits<std::int64_t>::max())), hosts_t{0});
    EXPECT_EQ(as_vector(m.replicas("ks", std::numeric_limits<std::int64_t>::min())), hosts_t{0});
}

TEST(token_map, simple_rf2_to_rf4_distinct_hosts_with_wrap) {
    auto m = simple_ring();
    m.set_keyspace("rf2", simple(2));
    m.set_keyspace("rf3", simple(3));
    m.set_keyspace("rf4", simple(4));
    EXPECT_EQ(as_vector(m.replicas("rf2", 250)), (hosts_t{0, 1}));
    EXPECT_EQ(as_vector(m.replicas("rf2", 350)), (hosts_t{1, 0}));  // 400:B, wraps to 0:A
    EXPECT_EQ(as_vector(m.replicas("rf2", 150)), (hosts_t{2, 0}));
    EXPECT_EQ(as_vector(m.replicas("rf3", 150)), (hosts_t{2, 0, 1}));
    EXPECT_EQ(as_vector(m.replicas("rf3", 350)), (hosts_t{1, 0, 2}));  // skips 100:B, already taken
    // RF above the hosts on the ring: every ring host once (D owns no token).
    EXPECT_EQ(as_vector(m.replicas("rf4", 350)), (hosts_t{1, 0, 2}));
    EXPECT_EQ(as_vector(m.replicas("rf4", 50)), (hosts_t{1, 2, 0}));
}

TEST(token_map, transient_replicas_are_left_out) {
    auto m = simple_ring();
    auto r = simple(3);
    r.factor = {3, 1};
    m.set_keyspace("ks", r);
    EXPECT_EQ(as_vector(m.replicas("ks", 150)), (hosts_t{2, 0}));
}

TEST(token_map, unknown_keyspace_empty_ring_local_and_other) {
    auto m = simple_ring();
    EXPECT_TRUE(m.replicas("nope", 0).empty());
    EXPECT_EQ(m.table("nope"), nullptr);
    m.set_keyspace("system", parse_replication({{"class", "LocalStrategy"}}).options);
    EXPECT_TRUE(m.replicas("system", 0).empty());
    m.set_keyspace("custom", parse_replication({{"class", "x.Custom"}}).options);
    EXPECT_TRUE(m.replicas("custom", 0).empty());
    token_map empty;
    empty.set_keyspace("ks", simple(3));
    EXPECT_TRUE(empty.replicas("ks", 0).empty());
    m.set_keyspace("ks", simple(1));
    m.remove_keyspace("ks");
    EXPECT_TRUE(m.replicas("ks", 0).empty());
}

TEST(token_map, everywhere_is_every_ring_host_in_ring_order) {
    auto m = simple_ring();
    m.set_keyspace("ks", parse_replication({{"class", "EverywhereStrategy"}}).options);
    EXPECT_EQ(as_vector(m.replicas("ks", 150)), (hosts_t{2, 0, 1}));
}

TEST(token_map, same_options_share_a_table_and_survive_new_hosts) {
    auto m = simple_ring();
    m.set_keyspace("a", simple(2));
    m.set_keyspace("b", simple(2));
    m.set_keyspace("c", simple(1));
    EXPECT_EQ(m.table("a"), m.table("b"));
    EXPECT_NE(m.table("a"), m.table("c"));
    ASSERT_NE(m.table("a"), nullptr);
    EXPECT_EQ(as_vector(m.replicas(*m.table("a"), 250)), (hosts_t{0, 1}));
    ASSERT_NE(m.replication("c"), nullptr);
    EXPECT_EQ(m.replication("c")->factor.all, 1);

    const auto moved = m.with_hosts({{"dc1", "r1", {10}}, {"dc1", "r1", {20}}});
    EXPECT_EQ(as_vector(moved.replicas("a", 15)), (hosts_t{1, 0}));
    EXPECT_EQ(as_vector(moved.replicas("c", 5)), (hosts_t{0}));
}

TEST(token_map, a_token_claimed_twice_goes_to_the_lower_host) {
    token_map m({{"dc1", "r1", {5}}, {"dc1", "r1", {5, 9}}});
    m.set_keyspace("ks", simple(1));
    EXPECT_EQ(m.ring_size(), 2u);
    EXPECT_EQ(as_vector(m.replicas("ks", 5)), hosts_t{0});
    EXPECT_EQ(as_vector(m.replicas("ks", 6)), hosts_t{1});
}

// Two datacenters. Ring: 0:h0(dc1,r1) 10:h3(dc2,rA) 20:h1(dc1,r1) 30:h4(dc2,rB) 40:h2(dc1,r2) 50:h3
token_map two_dcs() {
    return token_map(
        {{"dc1", "r1", {0}}, {"dc1", "r1", {20}}, {"dc1", "r2", {40}}, {"dc2", "rA", {10, 50}}, {"dc2", "rB", {30}}});
}

TEST(token_map, nts_prefers_unseen_racks) {
    auto m = two_dcs();
    m.set_keyspace("ks", nts({{"dc1", "2"}, {"dc2", "1"}}));
    // h1 shares h0's rack and dc1 has 2 racks for RF 2: h2 comes instead.
    EXPECT_EQ(as_vector(m.replicas("ks", 0)), (hosts_t{0, 3, 2}));
    EXPECT_EQ(as_vector(m.replicas("ks", 15)), (hosts_t{1, 4, 2}));
    EXPECT_EQ(as_vector(m.replicas("ks", 45)), (hosts_t{3, 0, 2}));  // 50:h3, wraps 0:h0, .. 40:h2
}

TEST(token_map, nts_repeats_racks_when_rf_exceeds_them) {
    auto m = two_dcs();
    m.set_keyspace("ks", nts({{"dc1", "3"}, {"dc2", "1"}}));
    // RF 3 over 2 racks allows one repeat: h1 (r1 again) is taken when met.
    EXPECT_EQ(as_vector(m.replicas("ks", 0)), (hosts_t{0, 3, 1, 2}));
}

TEST(token_map, nts_rf_above_hosts_unknown_and_unlisted_dcs) {
    auto m = two_dcs();
    m.set_keyspace("big", nts({{"dc2", "5"}, {"dc9", "3"}}));
    EXPECT_EQ(as_vector(m.replicas("big", 0)), (hosts_t{3, 4}));
    m.set_keyspace("dc1_only", nts({{"dc1", "1"}}));
    EXPECT_EQ(as_vector(m.replicas("dc1_only", 5)), hosts_t{1});
    m.set_keyspace("zero", nts({{"dc1", "0"}}));
    EXPECT_TRUE(m.replicas("zero", 5).empty());
    // 'replication_factor' applies to every datacenter not listed.
    auto both = parse_replication({{"class", "NetworkTopologyStrategy"}, {"replication_factor", "1"}});
    ASSERT_TRUE(both);
    m.set_keyspace("default", both.options);
    EXPECT_EQ(as_vector(m.replicas("default", 5)), (hosts_t{3, 1}));
}

TEST(token_map, nts_transient_replicas_are_left_out) {
    auto m = two_dcs();
    m.set_keyspace("ks", nts({{"dc1", "3/1"}}));
    EXPECT_EQ(as_vector(m.replicas("ks", 0)), (hosts_t{0, 1}));
}

// A plain NetworkTopologyStrategy walk over the whole ring per lookup, as
// Cassandra documents it, to check the precomputed tables against.
hosts_t reference_nts(const std::vector<ring_host>& hosts, const replication_options& r, std::int64_t token) {
    std::vector<std::pair<std::int64_t, host_index>> ring;
    for (std::size_t h = 0; h < hosts.size(); ++h)
        for (auto t : hosts[h].tokens) ring.emplace_back(t, static_cast<host_index>(h));
    std::sort(ring.begin(), ring.end());
    if (ring.empty()) return {};
    std::map<std::string, std::set<host_index>> dc_hosts;
    std::map<std::string, std::set<std::string>> dc_racks;
    for (const auto& [t, h] : ring) {
        dc_hosts[hosts[h].datacenter].insert(h);
        dc_racks[hosts[h].datacenter].insert(hosts[h].rack);
    }
    struct state {
        int left, repeats, transient;
        std::set<std::string> racks;
    };
    std::map<std::string, state> dcs;
    for (const auto& [dc, f] : r.datacenters)
        if (dc_hosts.count(dc) && f.all > 0)
            dcs[dc] = {std::min<int>(f.all, static_cast<int>(dc_hosts[dc].size())),
                       f.all - static_cast<int>(dc_racks[dc].size()),
                       f.transient,
                       {}};
    std::size_t start = 0;
    while (start < ring.size() && ring[start].first < token) ++start;
    hosts_t out;
    std::set<host_index> taken;
    for (std::size_t s = 0; s < ring.size(); ++s) {
        const auto h = ring[(start + s) % ring.size()].second;
        auto it = dcs.find(hosts[h].datacenter);
        if (it == dcs.end() || it->second.left <= 0 || taken.count(h)) continue;
        auto& st = it->second;
        const bool full = st.left > st.transient;
        if (!st.racks.insert(hosts[h].rack).second) {
            if (st.repeats <= 0) continue;
            --st.repeats;
        }
        taken.insert(h);
        --st.left;
        if (full) out.push_back(h);
    }
    return out;
}

TEST(token_map, nts_matches_a_reference_walk_on_random_rings) {
    std::mt19937_64 rng(12345);
    for (int round = 0; round < 40; ++round) {
        const int host_count = 1 + static_cast<int>(rng() % 12);
        std::vector<ring_host> hosts;
        for (int h = 0; h < host_count; ++h) {
            ring_host rh{"dc" + std::to_string(rng() % 3), "r" + std::to_string(rng() % 3), {}};
            const int tokens = static_cast<int>(rng() % 5);  // some hosts own none
            // Small token space: collisions between hosts happen too.
            for (int t = 0; t < tokens; ++t) rh.tokens.push_back(static_cast<std::int64_t>(rng() % 200) - 100);
            hosts.push_back(rh);
        }
        std::map<std::string, std::string> dcs;
        for (int d = 0; d < 3; ++d)
            if (rng() % 4) dcs["dc" + std::to_string(d)] = std::to_string(rng() % 5) + (rng() % 5 == 0 ? "/1" : "");
        dcs["class"] = "NetworkTopologyStrategy";
        const auto r = parse_replication(dcs);
        if (!r) continue;  // e.g. "0/1"
        token_map m(hosts);
        m.set_keyspace("ks", r.options);
        // The reference resolves collisions like token_map: drop later owners.
        std::set<std::int64_t> owned;
        auto dedup = hosts;
        for (auto& h : dedup) {
            std::vector<std::int64_t> kept;
            for (auto t : h.tokens)
                if (owned.insert(t).second) kept.push_back(t);
            h.tokens = kept;
        }
        for (std::int64_t t = -102; t <= 102; ++t)
            ASSERT_EQ(as_vector(m.replicas("ks", t)), reference_nts(dedup, r.options, t))
                << "round " << round << " token " << t;
    }
}

TEST(token_map, parses_token_strings) {
    std::int64_t t = 0;
    EXPECT_EQ(parse_token("-9223372036854775808", t), "");
    EXPECT_EQ(t, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(parse_token("42", t), "");
    EXPECT_EQ(t, 42);
    for (const char* bad : {"", "9223372036854775808", "1.5", "abc", " 1", "1 "}) {
        const auto e = parse_token(bad, t);
        EXPECT_NE(e.find(std::string("'") + bad + "'"), std::string::npos) << e;
    }
    std::vector<std::int64_t> out;
    const std::vector<std::string> texts{"1", "-2", "3"};
    EXPECT_EQ(parse_tokens(texts, out), "");
    EXPECT_EQ(out, (std::vector<std::int64_t>{1, -2, 3}));
    const std::vector<std::string> bad{"1", "x"};
    EXPECT_NE(parse_tokens(bad, out), "");
}

}  // namespace

namespace {

// 100 hosts x 256 random tokens, 2 datacenters x 3 racks, NTS RF 3 each:
// every range has 3 replicas per datacenter on 3 distinct racks, the first
// being the range's owner, and SimpleStrategy RF 3 gives 3 distinct hosts.
TEST(token_map, large_ring_invariants) {
    std::mt19937_64 rng(99);
    std::vector<ring_host> hosts;
    for (int h = 0; h < 100; ++h) {
        ring_host r{"dc" + std::to_string(h % 2), "rack" + std::to_string((h / 2) % 3), {}};
        for (int t = 0; t < 256; ++t) r.tokens.push_back(static_cast<std::int64_t>(rng()));
        hosts.push_back(std::move(r));
    }
    token_map m(hosts);
    m.set_keyspace("nts", nts({{"dc0", "3"}, {"dc1", "3"}}));
    m.set_keyspace("simple", simple(3));
    for (int i = 0; i < 2000; ++i) {
        const auto token = static_cast<std::int64_t>(rng());
        const auto r = m.replicas("nts", token);
        ASSERT_EQ(r.size(), 6u);
        std::set<std::pair<std::string, std::string>> racks;
        std::map<std::string, int> per_dc;
        for (auto h : r) {
            racks.emplace(hosts[h].datacenter, hosts[h].rack);
            ++per_dc[hosts[h].datacenter];
        }
        EXPECT_EQ(racks.size(), 6u);
        EXPECT_EQ(per_dc["dc0"], 3);
        EXPECT_EQ(per_dc["dc1"], 3);
        const auto s = m.replicas("simple", token);
        ASSERT_EQ(s.size(), 3u);
        EXPECT_EQ(std::set<host_index>(s.begin(), s.end()).size(), 3u);
        EXPECT_EQ(s[0], r[0]);  // both start at the range's owner
    }
}

}  // namespace

// Replication options of system_schema.keyspaces, good and bad.
#include "cluster/replication.hpp"

#include <gtest/gtest.h>

using namespace async_cassandra::detail;

namespace {

using options = std::map<std::string, std::string>;

TEST(replication, simple_strategy) {
    const auto r = parse_replication(
        {{"class", "org.apache.cassandra.locator.SimpleStrategy"}, {"replication_factor", "3"}});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.options.strategy, replication_strategy::simple);
    EXPECT_EQ(r.options.factor, (replication_factor{3, 0}));
    EXPECT_EQ(r.options.class_name, "org.apache.cassandra.locator.SimpleStrategy");
    const auto short_name = parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", "1"}});
    ASSERT_TRUE(short_name);
    EXPECT_EQ(short_name.options.factor.full(), 1);
}

TEST(replication, network_topology_with_transient_replicas) {
    const auto r = parse_replication(
        {{"class", "org.apache.cassandra.locator.NetworkTopologyStrategy"}, {"dc2", "3/1"}, {"dc1", "3"}});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.options.strategy, replication_strategy::network_topology);
    ASSERT_EQ(r.options.datacenters.size(), 2u);
    EXPECT_EQ(r.options.datacenters[0].first, "dc1");
    EXPECT_EQ(r.options.datacenters[0].second, (replication_factor{3, 0}));
    EXPECT_EQ(r.options.datacenters[1].first, "dc2");
    EXPECT_EQ(r.options.datacenters[1].second.full(), 2);
    EXPECT_EQ(r.options.factor.all, 0);
}

TEST(replication, network_topology_default_factor) {
    const auto r = parse_replication({{"class", "NetworkTopologyStrategy"}, {"replication_factor", "2"}});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.options.factor.all, 2);
    EXPECT_TRUE(r.options.datacenters.empty());
}

TEST(replication, local_everywhere_and_unknown) {
    EXPECT_EQ(parse_replication({{"class", "org.apache.cassandra.locator.LocalStrategy"}}).options.strategy,
              replication_strategy::local);
    EXPECT_EQ(parse_replication({{"class", "org.apache.cassandra.locator.EverywhereStrategy"}}).options.strategy,
              replication_strategy::everywhere);
    const auto custom = parse_replication({{"class", "com.example.MyStrategy"}, {"whatever", "x"}});
    ASSERT_TRUE(custom) << custom.error;
    EXPECT_EQ(custom.options.strategy, replication_strategy::other);
    EXPECT_EQ(custom.options.class_name, "com.example.MyStrategy");
}

struct bad_case {
    options in;
    std::vector<std::string> mentions;  // in the error
};

TEST(replication, errors_name_key_and_value) {
    const bad_case cases[] = {
        {{{"replication_factor", "3"}}, {"no 'class'"}},
        {{{"class", "SimpleStrategy"}}, {"no 'replication_factor'"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", "three"}}, {"'replication_factor'", "'three'"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", ""}}, {"'replication_factor'", "''"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", "-1"}}, {"'-1'"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", "3 "}}, {"'3 '"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", "99999999999999999999"}}, {"'99999999999999999999'"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", "1001"}}, {"'1001'", "1000"}},
        {{{"class", "SimpleStrategy"}, {"replication_factor", "3"}, {"dc1", "2"}}, {"'dc1'", "'2'", "unexpected"}},
        {{{"class", "NetworkTopologyStrategy"}, {"dc1", "3/3"}}, {"'dc1'", "'3/3'", "transient"}},
        {{{"class", "NetworkTopologyStrategy"}, {"dc1", "3/"}}, {"'dc1'", "'3/'"}},
        {{{"class", "NetworkTopologyStrategy"}, {"dc1", "/1"}}, {"'/1'"}},
        {{{"class", "NetworkTopologyStrategy"}, {"dc1", "3/1/1"}}, {"'3/1/1'"}},
        {{{"class", "NetworkTopologyStrategy"}, {"", "3"}}, {"empty datacenter"}},
        {{{"class", "LocalStrategy"}, {"replication_factor", "1"}}, {"'replication_factor'", "unexpected"}},
    };
    for (const auto& c : cases) {
        const auto r = parse_replication(c.in);
        EXPECT_FALSE(r) << "accepted a bad map";
        for (const auto& m : c.mentions) EXPECT_NE(r.error.find(m), std::string::npos) << r.error << " lacks " << m;
    }
}

TEST(replication, factor_forms) {
    replication_factor f;
    EXPECT_EQ(parse_replication_factor("0", f), "");
    EXPECT_EQ(f, (replication_factor{0, 0}));
    EXPECT_EQ(parse_replication_factor("5/2", f), "");
    EXPECT_EQ(f.full(), 3);
    EXPECT_EQ(parse_replication_factor("2/0", f), "");
    EXPECT_EQ(f.full(), 2);
    EXPECT_NE(parse_replication_factor("+3", f), "");
    EXPECT_NE(parse_replication_factor("0x3", f), "");
}

}  // namespace

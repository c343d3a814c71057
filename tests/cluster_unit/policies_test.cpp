// The built-in load-balancing and retry policies on hand-made hosts.
#include <async_cassandra/policies.hpp>

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace ac = async_cassandra;

namespace {

ac::host_ptr make_host(const std::string& address, const std::string& dc) {
    auto h = std::make_shared<ac::host>(address, 9042);
    h->set_topology(dc, "r1");
    return h;
}

std::vector<ac::host_ptr> plan_of(ac::load_balancing_policy& p, ac::consistency cl = ac::consistency::local_one,
                                  std::span<const ac::host_ptr> replicas = {}) {
    ac::request_routing r;
    r.consistency_level = cl;
    r.replicas = replicas;
    std::vector<ac::host_ptr> out;
    p.plan(r, out);
    return out;
}

}  // namespace

TEST(dc_aware, local_hosts_round_robin_and_remote_ones_only_when_allowed) {
    std::vector<ac::host_ptr> hosts{make_host("10.0.0.1", "dc1"), make_host("10.0.0.2", "dc1"),
                                    make_host("10.1.0.1", "dc2"), make_host("10.1.0.2", "dc2"),
                                    make_host("10.2.0.1", "dc3")};
    ac::dc_aware_options o;
    o.used_hosts_per_remote_dc = 1;
    auto p = ac::dc_aware_round_robin(o);
    p->on_hosts(hosts, hosts[1]);  // local DC: the contact point's
    EXPECT_EQ(p->distance(*hosts[0]), ac::host_distance::local);
    EXPECT_EQ(p->distance(*hosts[2]), ac::host_distance::remote);
    EXPECT_EQ(p->distance(*hosts[3]), ac::host_distance::ignored);  // one per remote DC
    EXPECT_EQ(p->distance(*hosts[4]), ac::host_distance::remote);

    // LOCAL_ONE stays local; the start rotates.
    std::set<std::string> firsts;
    for (int i = 0; i < 4; ++i) {
        auto plan = plan_of(*p);
        ASSERT_EQ(plan.size(), 2u);
        for (auto& h : plan) EXPECT_EQ(h->datacenter(), "dc1");
        firsts.insert(plan.front()->address());
    }
    EXPECT_EQ(firsts.size(), 2u);
    // QUORUM may go remote after the local hosts.
    auto plan = plan_of(*p, ac::consistency::quorum);
    ASSERT_EQ(plan.size(), 4u);
    EXPECT_EQ(plan[0]->datacenter(), "dc1");
    EXPECT_EQ(plan[1]->datacenter(), "dc1");
    EXPECT_NE(plan[2]->datacenter(), "dc1");
    EXPECT_NE(plan[3]->datacenter(), "dc1");
    // allow_remote_dcs_for_local_cl lets LOCAL_ONE out too.
    o.allow_remote_dcs_for_local_cl = true;
    auto q = ac::dc_aware_round_robin(o);
    q->on_hosts(hosts, hosts[0]);
    EXPECT_EQ(plan_of(*q).size(), 4u);
    // An explicit local DC wins over the contact point's.
    ac::dc_aware_options named;
    named.local_dc = "dc2";
    auto r = ac::dc_aware_round_robin(named);
    r->on_hosts(hosts, hosts[0]);
    auto p2 = plan_of(*r);
    ASSERT_EQ(p2.size(), 2u);
    for (auto& h : p2) EXPECT_EQ(h->datacenter(), "dc2");
}

TEST(token_aware, local_replicas_first_then_the_rest_without_repeats) {
    std::vector<ac::host_ptr> hosts{make_host("10.0.0.1", "dc1"), make_host("10.0.0.2", "dc1"),
                                    make_host("10.0.0.3", "dc1"), make_host("10.1.0.1", "dc2")};
    ac::dc_aware_options o;
    o.used_hosts_per_remote_dc = 1;
    auto p = ac::token_aware(ac::dc_aware_round_robin(o), false);
    p->on_hosts(hosts, hosts[0]);
    // Replicas: a remote one listed first, then a local one.
    const std::vector<ac::host_ptr> replicas{hosts[3], hosts[2]};
    auto plan = plan_of(*p, ac::consistency::quorum, replicas);
    ASSERT_EQ(plan.size(), 4u);
    EXPECT_EQ(plan[0], hosts[2]);  // the local replica
    EXPECT_EQ(plan[1], hosts[3]);  // then the remote replica
    std::set<ac::host*> distinct;
    for (auto& h : plan) distinct.insert(h.get());
    EXPECT_EQ(distinct.size(), plan.size());
    // Shuffling spreads the first choice over the local replicas.
    auto s = ac::token_aware(ac::dc_aware_round_robin(), true);
    s->on_hosts(hosts, hosts[0]);
    const std::vector<ac::host_ptr> local_replicas{hosts[0], hosts[1], hosts[2]};
    std::set<std::string> firsts;
    for (int i = 0; i < 200; ++i) firsts.insert(plan_of(*s, ac::consistency::one, local_replicas).front()->address());
    EXPECT_EQ(firsts.size(), 3u);
}

TEST(host_filter, ignores_hosts_the_predicate_refuses) {
    std::vector<ac::host_ptr> hosts{make_host("10.0.0.1", "dc1"), make_host("10.0.0.2", "dc1")};
    auto p = ac::host_filter(ac::dc_aware_round_robin(), [](const ac::host& h) { return h.address() != "10.0.0.1"; });
    p->on_hosts(hosts, hosts[0]);
    EXPECT_EQ(p->distance(*hosts[0]), ac::host_distance::ignored);
    auto plan = plan_of(*p);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0]->address(), "10.0.0.2");
}

TEST(default_retry, follows_the_seed_rules_and_the_idempotence_rule) {
    auto p = ac::default_retry();
    using kind = ac::retry_decision::kind;
    ac::server_error_details d;
    ac::retry_context c;
    c.details = &d;
    c.error = ac::server_errc::read_timeout;
    d.received = 2, d.block_for = 2, d.data_present = false;
    EXPECT_EQ(p->decide(c).what, kind::retry_same_host);
    d.data_present = true;
    EXPECT_EQ(p->decide(c).what, kind::rethrow);
    c.error = ac::server_errc::write_timeout;
    d.write_type = "SIMPLE";
    EXPECT_EQ(p->decide(c).what, kind::rethrow);  // not idempotent
    c.idempotent = true;
    EXPECT_EQ(p->decide(c).what, kind::retry_same_host);
    d.write_type = "COUNTER";
    EXPECT_EQ(p->decide(c).what, kind::rethrow);
    c.error = ac::server_errc::unavailable;
    EXPECT_EQ(p->decide(c).what, kind::retry_next_host);
    c.retries = 1;
    EXPECT_EQ(p->decide(c).what, kind::rethrow);  // once
    c.error = ac::server_errc::overloaded;
    EXPECT_EQ(p->decide(c).what, kind::retry_next_host);
    c.retries = 3;
    EXPECT_EQ(p->decide(c).what, kind::rethrow);  // at most 3 retries
    c.retries = 0;
    c.error = ac::client_errc::connection_closed;
    c.maybe_applied = true;
    c.idempotent = false;
    EXPECT_EQ(p->decide(c).what, kind::rethrow);
    c.idempotent = true;
    EXPECT_EQ(p->decide(c).what, kind::retry_next_host);
    c.error = ac::server_errc::syntax_error;
    EXPECT_EQ(p->decide(c).what, kind::rethrow);
    EXPECT_EQ(ac::fallthrough_retry()->decide(c).what, kind::rethrow);
}

namespace {
ac::host_ptr make_host_in(const std::string& address, const std::string& dc, const std::string& rack) {
    auto h = std::make_shared<ac::host>(address, 9042);
    h->set_topology(dc, rack);
    return h;
}
}  // namespace

TEST(rack_aware, the_local_racks_hosts_and_replicas_come_first) {
    std::vector<ac::host_ptr> hosts{make_host_in("10.0.0.1", "dc1", "r1"), make_host_in("10.0.0.2", "dc1", "r2"),
                                    make_host_in("10.0.0.3", "dc1", "r1"), make_host_in("10.0.0.4", "dc1", "r2"),
                                    make_host_in("10.1.0.1", "dc2", "r1")};
    ac::dc_aware_options o;
    o.local_dc = "dc1";
    o.local_rack = "r1";
    o.used_hosts_per_remote_dc = 1;
    auto dc = ac::dc_aware_round_robin(o);
    dc->on_hosts(hosts, hosts[0]);
    EXPECT_TRUE(dc->preferred(*hosts[0]));
    EXPECT_FALSE(dc->preferred(*hosts[1]));
    EXPECT_FALSE(dc->preferred(*hosts[4])) << "a host of rack r1 in another DC is not local";
    // Both halves rotate, each on its own: r1's two hosts, then r2's two, then the remote one.
    std::set<std::string> firsts, thirds;
    for (int i = 0; i < 4; ++i) {
        auto plan = plan_of(*dc, ac::consistency::quorum);
        ASSERT_EQ(plan.size(), 5u);
        EXPECT_EQ(plan[0]->rack(), "r1");
        EXPECT_EQ(plan[1]->rack(), "r1");
        EXPECT_EQ(plan[2]->rack(), "r2");
        EXPECT_EQ(plan[3]->rack(), "r2");
        EXPECT_EQ(plan[4]->datacenter(), "dc2");
        firsts.insert(plan[0]->address());
        thirds.insert(plan[2]->address());
    }
    EXPECT_EQ(firsts.size(), 2u);
    EXPECT_EQ(thirds.size(), 2u);

    // Token-aware over it: the local rack's replica, the other local one, the remote one.
    auto ta = ac::token_aware(ac::dc_aware_round_robin(o));
    ta->on_hosts(hosts, hosts[0]);
    const std::vector<ac::host_ptr> replicas{hosts[4], hosts[1], hosts[2]};
    for (int i = 0; i < 4; ++i) {
        auto plan = plan_of(*ta, ac::consistency::quorum, replicas);
        ASSERT_GE(plan.size(), 3u);
        EXPECT_EQ(plan[0], hosts[2]);
        EXPECT_EQ(plan[1], hosts[1]);
        EXPECT_EQ(plan[2], hosts[4]);
    }
    // Without local_rack nothing is preferred: the replicas' order is the shuffle's.
    ac::dc_aware_options no_rack;
    no_rack.local_dc = "dc1";
    auto plain = ac::token_aware(ac::dc_aware_round_robin(no_rack));
    plain->on_hosts(hosts, hosts[0]);
    std::set<std::string> first_replica;
    for (int i = 0; i < 40; ++i) first_replica.insert(plan_of(*plain, ac::consistency::quorum, replicas)[0]->address());
    EXPECT_EQ(first_replica.size(), 2u);
}

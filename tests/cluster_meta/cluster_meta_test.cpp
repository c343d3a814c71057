// The cluster's pure building blocks against the real node: murmur3_token
// and routing keys against the server's token(), replicas from
// system.local's tokens, replication options and schema metadata read from
// system_schema.
#include "../cluster_unit/type_util.hpp"
#include "../integration/test_env.hpp"

#include "cluster/murmur3.hpp"
#include "cluster/replication.hpp"
#include "cluster/routing_key.hpp"
#include "cluster/schema_builder.hpp"
#include "cluster/token_map.hpp"

#include <random>
#include <set>

namespace ac = async_cassandra;
namespace dt = async_cassandra::detail;
using asio::awaitable;

namespace {

constexpr std::size_t keys_per_table = 200;  // 5 tables: 1000 keys

std::string random_text(std::mt19937_64& rng) {
    static const char* const pieces[] = {"a", "b", "z", "0", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "~"};
    std::string s;
    const auto n = 1 + rng() % 40;
    while (s.size() < n) s += pieces[rng() % std::size(pieces)];
    return s;
}

std::vector<std::byte> random_blob(std::mt19937_64& rng) {
    std::vector<std::byte> b(1 + rng() % 40);
    for (auto& x : b) x = static_cast<std::byte>(rng());
    return b;
}

// Every row's token(...) (column 0) against our token of the key columns 1...
int compare_tokens(const ac::result_pages& rows, std::size_t key_columns) {
    int compared = 0;
    for (const auto& row : rows) {
        std::vector<dt::key_component> parts;
        for (std::size_t c = 1; c <= key_columns; ++c) parts.push_back(*row.raw(c));
        const auto ours = dt::routing_token(parts);
        CO_ASSERT(ours.has_value());
        const auto theirs = row.get<std::int64_t>(0);
        if (*ours != theirs)
            throw std::runtime_error("token mismatch: ours " + std::to_string(*ours) + ", server " +
                                     std::to_string(theirs));
        ++compared;
    }
    return compared;
}

TEST(cluster_meta, murmur3_matches_server_token_for_random_keys) {
    test_env::run([]() -> awaitable<void> {
        auto cfg = test_env::config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto s = co_await cluster.open_session();
        co_await s.execute(
            "CREATE KEYSPACE IF NOT EXISTS tokens_ks WITH replication = {'class': 'SimpleStrategy', "
            "'replication_factor': 1}");
        for (const char* ddl :
             {"CREATE TABLE IF NOT EXISTS tokens_ks.r_int (k int PRIMARY KEY)",
              "CREATE TABLE IF NOT EXISTS tokens_ks.r_bigint (k bigint PRIMARY KEY)",
              "CREATE TABLE IF NOT EXISTS tokens_ks.r_text (k text PRIMARY KEY)",
              "CREATE TABLE IF NOT EXISTS tokens_ks.r_blob (k blob PRIMARY KEY)",
              "CREATE TABLE IF NOT EXISTS tokens_ks.r_comp (a int, b text, c blob, PRIMARY KEY ((a, b, c)))"})
            co_await s.execute(ddl);
        for (const char* t : {"r_int", "r_bigint", "r_text", "r_blob", "r_comp"})
            co_await s.execute(std::string("TRUNCATE tokens_ks.") + t);

        const auto seed = std::random_device{}();
        std::cout << "key seed " << seed << '\n';
        std::mt19937_64 rng(seed);
        auto ins_int = co_await s.prepare("INSERT INTO tokens_ks.r_int (k) VALUES (?)");
        auto ins_bigint = co_await s.prepare("INSERT INTO tokens_ks.r_bigint (k) VALUES (?)");
        auto ins_text = co_await s.prepare("INSERT INTO tokens_ks.r_text (k) VALUES (?)");
        auto ins_blob = co_await s.prepare("INSERT INTO tokens_ks.r_blob (k) VALUES (?)");
        auto ins_comp = co_await s.prepare("INSERT INTO tokens_ks.r_comp (a, b, c) VALUES (?, ?, ?)");
        // Distinct keys, to know how many rows come back.
        std::set<std::int32_t> ints;
        std::set<std::int64_t> bigints;
        std::set<std::string> texts;
        std::set<std::vector<std::byte>> blobs;
        while (ints.size() < keys_per_table) ints.insert(static_cast<std::int32_t>(rng()));
        while (bigints.size() < keys_per_table) bigints.insert(static_cast<std::int64_t>(rng()));
        while (texts.size() < keys_per_table) texts.insert(random_text(rng));
        while (blobs.size() < keys_per_table) blobs.insert(random_blob(rng));
        auto text = texts.begin();
        auto blob = blobs.begin();
        for (auto i : ints) {
            co_await s.execute(ins_int.bind(i));
            co_await s.execute(ins_text.bind(*text));
            co_await s.execute(ins_blob.bind(*blob));
            // Composites from the same distinct values stay distinct.
            co_await s.execute(ins_comp.bind(i, *text++, *blob++));
        }
        for (auto i : bigints) co_await s.execute(ins_bigint.bind(i));
        int compared = 0;
        for (const char* t : {"r_int", "r_bigint", "r_text", "r_blob"}) {
            const auto rows = co_await s.all(std::string("SELECT token(k), k FROM tokens_ks.") + t);
            compared += compare_tokens(rows, 1);
        }
        const auto comp = co_await s.all("SELECT token(a, b, c), a, b, c FROM tokens_ks.r_comp");
        compared += compare_tokens(comp, 3);
        std::cout << "compared " << compared << " tokens\n";
        CO_ASSERT(compared == 5 * keys_per_table);
        co_await s.close();
        co_await cluster.close();
    });
}

TEST(cluster_meta, replicas_from_system_local_tokens) {
    test_env::run([]() -> awaitable<void> {
        auto cfg = test_env::config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto s = co_await cluster.open_session();
        const auto local_rs = co_await s.execute("SELECT data_center, rack, tokens FROM system.local");
        const auto local = local_rs.first_row();
        dt::ring_host me{local.get<std::string>(0), local.get<std::string>(1), {}};
        const auto texts = local.get<std::vector<std::string>>(2);
        CO_ASSERT(!texts.empty());
        CO_ASSERT(dt::parse_tokens(texts, me.tokens).empty());
        std::vector<dt::ring_host> hosts{me};
        // Peers, if the node has any, join the ring too.
        const auto peers = co_await s.all("SELECT data_center, rack, tokens FROM system.peers");
        for (const auto& peer : peers) {
            dt::ring_host p{peer.get<std::string>(0), peer.get<std::string>(1), {}};
            CO_ASSERT(dt::parse_tokens(peer.get<std::vector<std::string>>(2), p.tokens).empty());
            hosts.push_back(p);
        }
        co_await s.execute(
            "CREATE KEYSPACE IF NOT EXISTS tokens_ks WITH replication = {'class': 'SimpleStrategy', "
            "'replication_factor': 1}");
        co_await s.execute("CREATE TABLE IF NOT EXISTS tokens_ks.r_int (k int PRIMARY KEY)");
        co_await s.execute("INSERT INTO tokens_ks.r_int (k) VALUES (7)");

        const auto ks_rs = co_await s.execute(
            "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'tokens_ks'");
        const auto ks_row = ks_rs.first_row();
        const auto repl = dt::parse_replication(ks_row.get<std::map<std::string, std::string>>(0));
        CO_ASSERT(repl);
        CO_ASSERT(repl.options.strategy == dt::replication_strategy::simple);
        dt::token_map map(hosts);
        map.set_keyspace("tokens_ks", repl.options);
        CO_ASSERT(map.ring_size() >= texts.size());

        // A key's replica is the owner of the first ring token at or after
        // the key's token, as the server computed it.
        std::set<std::int64_t> ring(me.tokens.begin(), me.tokens.end());
        for (std::size_t h = 1; h < hosts.size(); ++h) ring.insert(hosts[h].tokens.begin(), hosts[h].tokens.end());
        int checked = 0;
        const auto rows = co_await s.all("SELECT token(k), k FROM tokens_ks.r_int");
        for (const auto& row : rows) {
            const auto t = row.get<std::int64_t>(0);
            const auto replicas = map.replicas("tokens_ks", t);
            CO_ASSERT(replicas.size() == 1);
            auto end = ring.lower_bound(t);
            if (end == ring.end()) end = ring.begin();
            const auto& owner = hosts[replicas[0]].tokens;
            CO_ASSERT(std::find(owner.begin(), owner.end(), *end) != owner.end());
            ++checked;
        }
        CO_ASSERT(checked >= 1);
        // Every range of a one-node ring belongs to it.
        if (hosts.size() == 1)
            for (auto t : me.tokens) CO_ASSERT(map.replicas("tokens_ks", t).size() == 1);
        co_await s.close();
        co_await cluster.close();
    });
}

awaitable<dt::schema_build_result> read_schema(ac::session& s, const std::string& keyspace) {
    auto query = [&](std::string_view all, std::string_view one) {
        ac::statement st(std::string(keyspace.empty() ? all : one));
        if (!keyspace.empty()) st.bind(keyspace);
        return st;
    };
    const auto ks = co_await s.all(query(dt::schema_keyspaces_query, dt::keyspace_keyspaces_query));
    const auto tables = co_await s.all(query(dt::schema_tables_query, dt::keyspace_tables_query));
    const auto columns = co_await s.all(query(dt::schema_columns_query, dt::keyspace_columns_query));
    const auto types = co_await s.all(query(dt::schema_types_query, dt::keyspace_types_query));
    const auto views = co_await s.all(query(dt::schema_views_query, dt::keyspace_views_query));
    const auto indexes = co_await s.all(query(dt::schema_indexes_query, dt::keyspace_indexes_query));
    const auto functions = co_await s.all(query(dt::schema_functions_query, dt::keyspace_functions_query));
    const auto aggregates = co_await s.all(query(dt::schema_aggregates_query, dt::keyspace_aggregates_query));
    co_return dt::build_schema({ks.pages(), tables.pages(), columns.pages(), types.pages(), views.pages(),
                                indexes.pages(), functions.pages(), aggregates.pages()});
}

TEST(cluster_meta, schema_of_a_keyspace_from_system_schema) {
    test_env::run([]() -> awaitable<void> {
        auto cfg = test_env::config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto s = co_await cluster.open_session();
        co_await s.execute("DROP KEYSPACE IF EXISTS tokens_schema");
        co_await s.execute(
            "CREATE KEYSPACE tokens_schema WITH replication = {'class': 'NetworkTopologyStrategy', "
            "'datacenter1': 1} AND durable_writes = false");
        co_await s.execute("CREATE TYPE tokens_schema.point (x int, y int)");
        co_await s.execute(
            "CREATE TYPE tokens_schema.\"Address\" (street text, \"Where\" frozen<point>, tags set<text>)");
        co_await s.execute(
            "CREATE TABLE tokens_schema.events (id int, day date, at timestamp, seq int, note text STATIC, "
            "home frozen<\"Address\">, m frozen<map<text, frozen<list<int>>>>, emb vector<float, 3>, "
            "t tuple<int, text>, PRIMARY KEY ((id, day), at, seq)) WITH CLUSTERING ORDER BY (at DESC, seq ASC)");

        const auto schema = co_await read_schema(s, "tokens_schema");
        if (!schema.errors.empty()) throw std::runtime_error(schema.errors.front());
        CO_ASSERT(schema.keyspaces.size() == 1);
        const auto& ks = schema.keyspaces.at("tokens_schema");
        CO_ASSERT(!ks.durable_writes);
        CO_ASSERT(ks.replication.at("datacenter1") == "1");
        const auto repl = dt::parse_replication(ks.replication);
        CO_ASSERT(repl && repl.options.strategy == dt::replication_strategy::network_topology);

        CO_ASSERT(ks.user_types.size() == 2);
        const auto& address = ks.user_types.at("Address");
        CO_ASSERT((address.field_names == std::vector<std::string>{"street", "Where", "tags"}));
        CO_ASSERT(address.field_types[1].id == ac::type_id::udt && address.field_types[1].name == "point");
        CO_ASSERT(address.field_types[1].field_names.size() == 2);
        CO_ASSERT(address.field_types[2] == of(ac::type_id::set, {of(ac::type_id::varchar)}));

        const auto& t = ks.tables.at("events");
        CO_ASSERT(t.partition_key.size() == 2);
        CO_ASSERT(t.partition_key[0].name == "id" && t.partition_key[0].type == of(ac::type_id::int_));
        CO_ASSERT(t.partition_key[1].name == "day" && t.partition_key[1].type == of(ac::type_id::date));
        CO_ASSERT(t.clustering_columns.size() == 2);
        CO_ASSERT(t.clustering_columns[0].name == "at");
        CO_ASSERT(t.clustering_columns[0].order == ac::clustering_order::descending);
        CO_ASSERT(t.clustering_columns[1].name == "seq");
        CO_ASSERT(t.clustering_columns[1].order == ac::clustering_order::ascending);
        CO_ASSERT(t.static_columns.size() == 1 && t.static_columns[0].name == "note");
        std::vector<std::string> regular;
        for (const auto& c : t.regular_columns) regular.push_back(c.name);
        CO_ASSERT((regular == std::vector<std::string>{"emb", "home", "m", "t"}));
        CO_ASSERT(t.regular_columns[0].type.id == ac::type_id::vector && t.regular_columns[0].type.dimension == 3);
        CO_ASSERT(t.regular_columns[0].type.params[0] == of(ac::type_id::float_));
        CO_ASSERT(t.regular_columns[1].type.name == "Address" && t.regular_columns[1].type.params.size() == 3);
        CO_ASSERT(t.regular_columns[2].type ==
                  of(ac::type_id::map, {of(ac::type_id::varchar), of(ac::type_id::list, {of(ac::type_id::int_)})}));
        CO_ASSERT(t.regular_columns[3].type ==
                  of(ac::type_id::tuple, {of(ac::type_id::int_), of(ac::type_id::varchar)}));

        // The metadata's types are the ones the server puts in result metadata.
        const auto rs = co_await s.execute("SELECT home, m, emb, t FROM tokens_schema.events");
        CO_ASSERT(rs.columns()[1].type == t.regular_columns[2].type);
        CO_ASSERT(rs.columns()[2].type == t.regular_columns[0].type);
        CO_ASSERT(rs.columns()[3].type == t.regular_columns[3].type);
        CO_ASSERT(rs.columns()[0].type == t.regular_columns[1].type);
        co_await s.close();
        co_await cluster.close();
    });
}

TEST(cluster_meta, whole_schema_and_every_replication_parse) {
    test_env::run([]() -> awaitable<void> {
        auto cfg = test_env::config();
        auto cluster = co_await ac::cluster::connect(cfg);
        auto s = co_await cluster.open_session();
        const auto schema = co_await read_schema(s, "");
        if (!schema.errors.empty()) throw std::runtime_error(schema.errors.front());
        for (const char* ks : {"system", "system_schema", "system_auth", "system_distributed", "system_traces"})
            CO_ASSERT(schema.keyspaces.count(ks) == 1);
        CO_ASSERT(schema.keyspaces.at("system_schema").tables.count("columns") == 1);
        const auto& columns = schema.keyspaces.at("system_schema").tables.at("columns");
        CO_ASSERT(columns.partition_key.size() == 1 && columns.partition_key[0].name == "keyspace_name");
        CO_ASSERT(columns.clustering_columns.size() == 2);
        for (const auto& [name, ks] : schema.keyspaces) {
            const auto r = dt::parse_replication(ks.replication);
            if (!r) throw std::runtime_error(name + ": " + r.error);
            CO_ASSERT(r.options.strategy != dt::replication_strategy::other);
        }
        CO_ASSERT(dt::parse_replication(schema.keyspaces.at("system").replication).options.strategy ==
                  dt::replication_strategy::local);
        co_await s.close();
        co_await cluster.close();
    });
}

// Polls the cluster's metadata (refreshed after each SCHEMA_CHANGE event,
// debounced) until `cond` holds of it, at most 15 s.
template <class Cond>
awaitable<bool> wait_for_metadata(ac::cluster& c, Cond cond) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < until) {
        if (cond(*c.metadata())) co_return true;
        timer.expires_after(std::chrono::milliseconds(50));
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return false;
}

// The same, of one keyspace (which must be there).
template <class Cond>
awaitable<bool> wait_for_schema(ac::cluster& c, const std::string& keyspace, Cond cond) {
    co_return co_await wait_for_metadata(c, [&](const auto& meta) {
        const auto it = meta.find(keyspace);
        return it != meta.end() && cond(it->second);
    });
}

awaitable<void> fresh_keyspace(ac::session& s, const std::string& name) {
    co_await s.execute("DROP KEYSPACE IF EXISTS " + name);
    co_await s.execute("CREATE KEYSPACE " + name +
                       " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
}

TEST(cluster_meta, views_and_indexes_follow_create_and_drop) {
    test_env::run([]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto s = co_await cluster.open_session();
        const std::string ks = "meta_views";
        co_await fresh_keyspace(s, ks);
        co_await s.execute("CREATE TABLE " + ks + ".users (id int PRIMARY KEY, email text, m map<text, int>)");
        co_await s.execute("CREATE MATERIALIZED VIEW " + ks + ".by_email AS SELECT * FROM " + ks +
                           ".users WHERE email IS NOT NULL AND id IS NOT NULL PRIMARY KEY (email, id)");
        CO_ASSERT(co_await wait_for_schema(cluster, ks, [](const auto& k) { return k.views.count("by_email") == 1; }));
        {
            const auto& k = cluster.metadata()->at(ks);
            const auto& v = k.views.at("by_email");
            CO_ASSERT(v.base_table == "users");
            CO_ASSERT(v.where_clause == "email IS NOT NULL AND id IS NOT NULL");
            CO_ASSERT(v.include_all_columns);
            CO_ASSERT(v.partition_key.size() == 1 && v.partition_key[0].name == "email");
            CO_ASSERT(v.partition_key[0].type == of(ac::type_id::varchar));
            CO_ASSERT(v.clustering_columns.size() == 1 && v.clustering_columns[0].name == "id");
            CO_ASSERT(v.regular_columns.size() == 1 && v.regular_columns[0].name == "m");
            CO_ASSERT(k.tables.count("by_email") == 0);
            CO_ASSERT((k.tables.at("users").views == std::vector<std::string>{"by_email"}));
        }

        co_await s.execute("CREATE INDEX users_m_keys ON " + ks + ".users (keys(m))");
        co_await s.execute("CREATE INDEX users_sai ON " + ks + ".users (email) USING 'sai'");
        CO_ASSERT(co_await wait_for_schema(cluster, ks, [](const auto& k) {
            return k.tables.count("users") && k.tables.at("users").indexes.size() == 2;
        }));
        {
            const auto& idx = cluster.metadata()->at(ks).tables.at("users").indexes;
            const auto& keys = idx.at("users_m_keys");
            CO_ASSERT(keys.target == "keys(m)" && keys.kind == ac::index_kind::composites);
            const auto& sai = idx.at("users_sai");
            CO_ASSERT(sai.target == "email" && sai.kind == ac::index_kind::custom);
            CO_ASSERT(sai.options.at("class_name") == "sai");  // as USING named it
        }

        co_await s.execute("DROP INDEX " + ks + ".users_m_keys");
        CO_ASSERT(co_await wait_for_schema(cluster, ks, [](const auto& k) {
            const auto& idx = k.tables.at("users").indexes;
            return idx.size() == 1 && idx.count("users_sai") == 1;
        }));
        co_await s.execute("DROP MATERIALIZED VIEW " + ks + ".by_email");
        CO_ASSERT(co_await wait_for_schema(
            cluster, ks, [](const auto& k) { return k.views.empty() && k.tables.at("users").views.empty(); }));
        co_await s.execute("DROP KEYSPACE " + ks);
        co_await s.close();
        co_await cluster.close();
    });
}

// Needs user_defined_functions_enabled: true (scripts/cassandra sets it);
// skipped, saying so, on a node started without it.
TEST(cluster_meta, functions_and_aggregates_follow_create_and_drop) {
    bool disabled = false;
    test_env::run([&]() -> awaitable<void> {
        auto cluster = co_await ac::cluster::connect(test_env::config());
        auto s = co_await cluster.open_session();
        const std::string ks = "meta_functions";
        co_await fresh_keyspace(s, ks);
        co_await s.execute("CREATE TYPE " + ks + ".point (x int, y int)");
        try {
            co_await s.execute("CREATE FUNCTION " + ks +
                               ".plus(a int, b int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS "
                               "'return a + b;'");
        } catch (const std::exception& e) {
            if (std::string(e.what()).find("user_defined_functions_enabled") == std::string::npos) throw;
            disabled = true;
        }
        if (disabled) {
            co_await s.execute("DROP KEYSPACE " + ks);
            co_await cluster.close();
            co_return;
        }
        co_await s.execute("CREATE FUNCTION " + ks +
                           ".plus(a int, p point) CALLED ON NULL INPUT RETURNS int LANGUAGE java AS "
                           "'return a + p.getInt(\"x\");'");
        co_await s.execute("CREATE AGGREGATE " + ks + ".total(int) SFUNC plus STYPE int INITCOND 0");
        CO_ASSERT(co_await wait_for_schema(
            cluster, ks, [](const auto& k) { return k.functions.size() == 2 && k.aggregates.size() == 1; }));
        {
            const auto& k = cluster.metadata()->at(ks);
            const auto& plus = k.functions.at("plus(int,int)");
            CO_ASSERT((plus.argument_names == std::vector<std::string>{"a", "b"}));
            CO_ASSERT(plus.argument_types.size() == 2 && plus.argument_types[1] == of(ac::type_id::int_));
            CO_ASSERT(plus.return_type == of(ac::type_id::int_));
            CO_ASSERT(plus.language == "java" && plus.body == "return a + b;" && !plus.called_on_null_input);
            const auto& plus_point = k.functions.at("plus(int,point)");
            CO_ASSERT(plus_point.called_on_null_input);
            CO_ASSERT(plus_point.argument_types[1].id == ac::type_id::udt);
            CO_ASSERT((plus_point.argument_types[1].field_names == std::vector<std::string>{"x", "y"}));
            CO_ASSERT(k.functions_named("plus").size() == 2);
            const auto& total = k.aggregates.at("total(int)");
            CO_ASSERT(total.state_function == "plus" && total.state_type == of(ac::type_id::int_));
            CO_ASSERT(total.final_function.empty() && total.initial_condition == std::optional<std::string>("0"));
            CO_ASSERT(total.return_type == of(ac::type_id::int_));
            CO_ASSERT(k.aggregates_named("total").size() == 1);
        }
        // What the metadata says is what the server runs.
        co_await s.execute("CREATE TABLE " + ks + ".n (k int PRIMARY KEY, v int)");
        auto insert = co_await s.prepare("INSERT INTO " + ks + ".n (k, v) VALUES (?, ?)");
        for (std::int32_t i = 1; i <= 4; ++i) co_await s.execute(insert.bind(i, i));
        const auto sum = co_await s.execute("SELECT " + ks + ".total(v) FROM " + ks + ".n");
        CO_ASSERT(sum.first_row().get<std::int32_t>(0) == 10);

        co_await s.execute("DROP AGGREGATE " + ks + ".total");
        CO_ASSERT(co_await wait_for_schema(cluster, ks, [](const auto& k) { return k.aggregates.empty(); }));
        co_await s.execute("DROP FUNCTION " + ks + ".plus(int, point)");
        CO_ASSERT(co_await wait_for_schema(cluster, ks, [](const auto& k) {
            return k.functions.size() == 1 && k.functions.count("plus(int,int)") == 1;
        }));
        co_await s.execute("DROP FUNCTION " + ks + ".plus");
        CO_ASSERT(co_await wait_for_schema(cluster, ks, [](const auto& k) { return k.functions.empty(); }));
        co_await s.execute("DROP KEYSPACE " + ks);
        CO_ASSERT(co_await wait_for_metadata(cluster, [&](const auto& meta) { return meta.count(ks) == 0; }));
        co_await s.close();
        co_await cluster.close();
    });
    if (disabled) GTEST_SKIP() << "user-defined functions are disabled on " << test_env::host();
}

}  // namespace

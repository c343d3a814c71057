"""cluster.metadata as the DataStax driver's: a table's indexes and views,
a keyspace's views, indexes, user functions and aggregates, read by the
engine from system_schema on the real node (UDFs and materialized views are
enabled on it: scripts/cassandra)."""

import asyncio
import time

from cassandra.metadata import Aggregate, Function, IndexMetadata, MaterializedViewMetadata

from conftest import KEYSPACE

KS = "py_meta"


async def wait_for(cluster, check, what):
    """The metadata once check(metadata) holds: the engine refreshes its schema
    on the server's events (debounced), so wait, bounded."""
    deadline = time.monotonic() + 15
    while True:
        meta = await cluster.refresh_metadata()
        if check(meta):
            return meta
        assert time.monotonic() < deadline, f"the metadata never showed {what}"
        await asyncio.sleep(0.1)


async def test_indexes_views_functions_and_aggregates(session, cluster):
    await session.execute(f"DROP KEYSPACE IF EXISTS {KS}")
    await session.execute(f"CREATE KEYSPACE {KS} WITH replication = "
                          "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    await session.execute(f"CREATE TABLE {KS}.scores (player text, game int, score int, tags map<text, int>, "
                          "PRIMARY KEY (player, game)) WITH CLUSTERING ORDER BY (game DESC)")
    await session.execute(f"CREATE INDEX scores_by_score ON {KS}.scores (score)")
    await session.execute(f"CREATE INDEX scores_by_tag ON {KS}.scores (keys(tags))")
    await session.execute(f"CREATE INDEX scores_by_game ON {KS}.scores (game) USING 'sai'")
    await session.execute(f"CREATE MATERIALIZED VIEW {KS}.by_game AS SELECT game, player, score FROM {KS}.scores "
                          "WHERE game IS NOT NULL AND player IS NOT NULL PRIMARY KEY (game, player)")
    await session.execute(f"CREATE FUNCTION {KS}.add_pair(state tuple<int, int>, v int) CALLED ON NULL INPUT "
                          "RETURNS tuple<int, int> LANGUAGE java AS "
                          "'if (v == null) return state; "
                          "state.setInt(0, state.getInt(0) + 1); state.setInt(1, state.getInt(1) + v); return state;'")
    await session.execute(f"CREATE FUNCTION {KS}.mean(state tuple<int, int>) RETURNS NULL ON NULL INPUT "
                          "RETURNS double LANGUAGE java AS "
                          "'return state.getInt(0) == 0 ? 0.0 : (double) state.getInt(1) / state.getInt(0);'")
    await session.execute(f"CREATE FUNCTION {KS}.twice(x int) RETURNS NULL ON NULL INPUT RETURNS int "
                          "LANGUAGE java AS 'return 2 * x;'")
    await session.execute(f"CREATE FUNCTION {KS}.twice(x bigint) RETURNS NULL ON NULL INPUT RETURNS bigint "
                          "LANGUAGE java AS 'return 2 * x;'")
    await session.execute(f"CREATE TYPE {KS}.point (x int, y int)")
    await session.execute(f"CREATE FUNCTION {KS}.same(p point) CALLED ON NULL INPUT RETURNS point "
                          "LANGUAGE java AS 'return p;'")
    await session.execute(f"CREATE AGGREGATE {KS}.average(int) SFUNC add_pair STYPE tuple<int, int> "
                          "FINALFUNC mean INITCOND (0, 0)")
    await session.execute(f"CREATE AGGREGATE {KS}.count_all(int) SFUNC add_pair STYPE tuple<int, int>")

    def complete(meta):
        ks = meta.keyspaces.get(KS)
        return (ks is not None and "by_game" in ks.views and len(ks.aggregates) == 2 and len(ks.functions) == 5
                and len(ks.indexes) == 3)

    meta = await wait_for(cluster, complete, "the new schema")
    ks = meta.keyspaces[KS]
    table = ks.tables["scores"]

    # Indexes: on the table and on the keyspace, as the driver's IndexMetadata.
    assert set(table.indexes) == {"scores_by_score", "scores_by_tag", "scores_by_game"}
    index = table.indexes["scores_by_score"]
    assert isinstance(index, IndexMetadata) and ks.indexes["scores_by_score"] is index
    assert (index.keyspace_name, index.table_name, index.name, index.kind) == (KS, "scores", "scores_by_score",
                                                                                "COMPOSITES")
    assert index.index_options["target"] == "score"
    assert table.indexes["scores_by_tag"].index_options["target"] == "keys(tags)"
    assert index.as_cql_query() == f"CREATE INDEX scores_by_score ON {KS}.scores (score)"
    sai = table.indexes["scores_by_game"]
    assert sai.kind == "CUSTOM" and sai.index_options["target"] == "game"
    assert sai.index_options["class_name"] == "sai"  # as the server stores USING 'sai'

    # The view: on the keyspace and on its base table, its columns as a table's.
    view = ks.views["by_game"]
    assert isinstance(view, MaterializedViewMetadata) and table.views["by_game"] is view
    assert (view.keyspace_name, view.name, view.base_table_name) == (KS, "by_game", "scores")
    assert view.include_all_columns is False
    assert view.where_clause == "game IS NOT NULL AND player IS NOT NULL"
    assert [c.name for c in view.partition_key] == ["game"]
    assert [c.name for c in view.clustering_key] == ["player"]
    assert set(view.columns) == {"game", "player", "score"} and view.columns["score"].cql_type == "int"
    assert "by_game" not in ks.tables
    assert view.as_cql_query().startswith(f"CREATE MATERIALIZED VIEW {KS}.by_game AS SELECT")

    # Functions, by signature (overloads apart), as the driver's Function.
    assert set(ks.functions) == {"add_pair(frozen<tuple<int, int>>,int)", "mean(frozen<tuple<int, int>>)",
                                 "twice(int)", "twice(bigint)", "same(point)"}
    twice = ks.functions["twice(bigint)"]
    assert isinstance(twice, Function) and twice.signature == "twice(bigint)"
    assert (twice.keyspace, twice.name, twice.argument_names, twice.argument_types, twice.return_type) == (
        KS, "twice", ["x"], ["bigint"], "bigint")
    assert (twice.language, twice.body, twice.called_on_null_input) == ("java", "return 2 * x;", False)
    add_pair = ks.functions["add_pair(frozen<tuple<int, int>>,int)"]
    assert add_pair.called_on_null_input is True
    assert add_pair.argument_names == ["state", "v"]
    assert add_pair.signature == "add_pair(frozen<tuple<int, int>>,int)"
    assert ks.functions["mean(frozen<tuple<int, int>>)"].return_type == "double"
    # Types spelled as system_schema (and the driver) spell them.
    same = ks.functions["same(point)"]
    assert (same.argument_types, same.return_type) == (["point"], "point")
    assert table.columns["player"].cql_type == view.columns["player"].cql_type == "text"
    assert twice.as_cql_query() == (f"CREATE FUNCTION {KS}.twice(x bigint) RETURNS NULL ON NULL INPUT "
                                     "RETURNS bigint LANGUAGE java AS $$return 2 * x;$$")

    # Aggregates, as the driver's Aggregate.
    assert set(ks.aggregates) == {"average(int)", "count_all(int)"}
    average = ks.aggregates["average(int)"]
    assert isinstance(average, Aggregate) and average.signature == "average(int)"
    assert (average.keyspace, average.name, average.argument_types, average.state_func, average.final_func,
            average.initial_condition, average.return_type) == (KS, "average", ["int"], "add_pair", "mean", "(0, 0)",
                                                                "double")
    assert average.state_type == "frozen<tuple<int, int>>"
    count_all = ks.aggregates["count_all(int)"]
    assert count_all.final_func is None and count_all.initial_condition is None
    assert count_all.return_type == "frozen<tuple<int, int>>"
    assert average.as_cql_query() == (f"CREATE AGGREGATE {KS}.average(int) SFUNC add_pair STYPE tuple<int, int> "
                                       "FINALFUNC mean INITCOND (0, 0)")
    # And they run.
    await session.execute(f"INSERT INTO {KS}.scores (player, game, score) VALUES ('a', 1, 4)")
    await session.execute(f"INSERT INTO {KS}.scores (player, game, score) VALUES ('a', 2, 6)")
    row = (await session.execute(f"SELECT {KS}.average(score) AS m FROM {KS}.scores WHERE player = 'a'")).one()
    assert row.m == 5.0

    # Dropped: gone from the metadata after the refresh.
    await session.execute(f"DROP AGGREGATE {KS}.average")
    await session.execute(f"DROP FUNCTION {KS}.twice(bigint)")
    await session.execute(f"DROP INDEX {KS}.scores_by_tag")
    await session.execute(f"DROP MATERIALIZED VIEW {KS}.by_game")

    def dropped(meta):
        ks = meta.keyspaces[KS]
        return (not ks.views and "average(int)" not in ks.aggregates and "twice(bigint)" not in ks.functions
                and "scores_by_tag" not in ks.indexes)

    meta = await wait_for(cluster, dropped, "the drops")
    ks = meta.keyspaces[KS]
    assert set(ks.functions) == {"add_pair(frozen<tuple<int, int>>,int)", "mean(frozen<tuple<int, int>>)",
                                 "twice(int)", "same(point)"}
    assert set(ks.aggregates) == {"count_all(int)"}
    assert set(ks.tables["scores"].indexes) == set(ks.indexes) == {"scores_by_score", "scores_by_game"}
    assert ks.tables["scores"].views == {} and ks.views == {}
    await session.execute(f"DROP KEYSPACE {KS}")
    meta = await wait_for(cluster, lambda m: KS not in m.keyspaces, "the keyspace dropped")
    assert KEYSPACE in meta.keyspaces

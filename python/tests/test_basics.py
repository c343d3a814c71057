"""execute, prepare, batch, keyspaces, lifecycle: the seed's API round trips."""

import asyncio
import time
import uuid

import pytest
from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, ExecutionProfile
from cassandra.query import BatchStatement, BatchType, BoundStatement, PreparedStatement, SimpleStatement, dict_factory

from async_cassandra import AsyncCassandraSession, AsyncCluster, AsyncResultSet
from async_cassandra.exceptions import ConfigurationError, ConnectionError

from conftest import HOST, KEYSPACE


async def make_users(session, name="users"):
    await session.execute(f"DROP TABLE IF EXISTS {name}")
    await session.execute(f"CREATE TABLE {name} (id uuid PRIMARY KEY, name text, email text, age int)")


async def test_connect_execute_result_set(session):
    assert isinstance(session, AsyncCassandraSession)
    assert session.keyspace == KEYSPACE
    result = await session.execute("SELECT release_version FROM system.local")
    assert isinstance(result, AsyncResultSet)
    assert len(result) == 1
    row = result.one()
    assert row.release_version.startswith("5.")
    assert row[0] == row.release_version
    assert result.all() == [row] == result.rows == list(result)
    rows = [r async for r in result]
    assert rows == [row]


async def test_simple_statement_with_parameters(session):
    await make_users(session)
    uid = uuid.uuid4()
    await session.execute("INSERT INTO users (id, name, email, age) VALUES (%s, %s, %s, %s)",
                          [uid, "O'Hara", "o@example.com", 41])
    stmt = SimpleStatement("SELECT name, age FROM users WHERE id = %(id)s",
                           consistency_level=ConsistencyLevel.ONE)
    row = (await session.execute(stmt, {"id": uid})).one()
    assert (row.name, row.age) == ("O'Hara", 41)
    assert (await session.execute("SELECT * FROM users WHERE id = %s", [uuid.uuid4()])).one() is None


async def test_prepare_positional_named_and_bound(session):
    await make_users(session)
    insert = await session.prepare("INSERT INTO users (id, name, email, age) VALUES (?, ?, ?, ?)")
    assert isinstance(insert, PreparedStatement)
    assert [c.name for c in insert.column_metadata] == ["id", "name", "email", "age"]
    a, b = uuid.uuid4(), uuid.uuid4()
    await session.execute(insert, [a, "Alice", "alice@example.com", 30])
    bound = insert.bind((b, "Bob", None, 25))
    bound.consistency_level = ConsistencyLevel.QUORUM
    assert isinstance(bound, BoundStatement)
    await session.execute(bound)
    by_name = await session.prepare("SELECT * FROM users WHERE id = :id")
    alice = (await session.execute(by_name, {"id": a})).one()
    assert (alice.name, alice.email, alice.age) == ("Alice", "alice@example.com", 30)
    bob = (await session.execute(by_name, [b])).one()
    assert bob.email is None and bob.age == 25
    # As the driver: missing trailing values are unset (the row keeps its columns), extra ones refused.
    await session.execute(insert, [a, "Alice2"])
    assert (await session.execute(by_name, [a])).one().email == "alice@example.com"
    with pytest.raises(ValueError, match="Too many arguments"):
        await session.execute(insert, [a, "x", "y", 1, 2])


async def test_execute_batch(session):
    await make_users(session)
    insert = await session.prepare("INSERT INTO users (id, name) VALUES (?, ?)")
    batch = BatchStatement(batch_type=BatchType.UNLOGGED)
    ids = [uuid.uuid4() for _ in range(5)]
    for i in ids[:4]:
        batch.add(insert, (i, f"p{i}"))
    batch.add(SimpleStatement("INSERT INTO users (id, name) VALUES (%s, %s)"), (ids[4], "simple"))
    await session.execute_batch(batch)
    rows = (await session.execute("SELECT id, name FROM users")).all()
    assert sorted(r.id for r in rows) == sorted(ids)
    assert {r.name for r in rows if r.id == ids[4]} == {"simple"}
    # execute() takes a batch too, as the driver's does.
    batch2 = BatchStatement()
    batch2.add(insert, (uuid.uuid4(), "x"))
    await session.execute(batch2)
    assert len(await session.execute("SELECT id FROM users")) == 6


async def test_lwt_was_applied(session):
    await make_users(session)
    uid = uuid.uuid4()
    first = await session.execute("INSERT INTO users (id, name) VALUES (%s, %s) IF NOT EXISTS", [uid, "a"])
    second = await session.execute("INSERT INTO users (id, name) VALUES (%s, %s) IF NOT EXISTS", [uid, "b"])
    assert first.was_applied is True
    assert second.was_applied is False
    assert second.one().name == "a"


async def test_execute_reads_every_page_and_manual_paging(session):
    await session.execute("CREATE TABLE IF NOT EXISTS paged (p int, c int, PRIMARY KEY (p, c))")
    await session.execute("TRUNCATE paged")
    insert = await session.prepare("INSERT INTO paged (p, c) VALUES (1, ?)")
    await asyncio.gather(*(session.execute(insert, [i]) for i in range(1050)))
    stmt = SimpleStatement("SELECT c FROM paged WHERE p = 1", fetch_size=100)
    everything = await session.execute(stmt)
    assert [r.c for r in everything] == list(range(1050))
    assert everything.paging_state is None
    # With a paging state: that page only (the driver's manual paging).
    from async_cassandra import StreamConfig
    async with await session.execute_stream(stmt, stream_config=StreamConfig(fetch_size=100, max_pages=1)) as first:
        assert [r.c async for r in first] == list(range(100))
        state = first.paging_state
    assert state
    second = await session.execute(stmt, paging_state=state)
    assert [r.c for r in second] == list(range(100, 200))
    assert second.has_more_pages and second.paging_state


async def test_set_keyspace_and_keyspace_property(cluster):
    session = await cluster.connect()
    assert session.keyspace is None
    await session.set_keyspace(KEYSPACE)
    assert session.keyspace == KEYSPACE
    await session.execute("CREATE TABLE IF NOT EXISTS ks_probe (k int PRIMARY KEY)")
    await session.execute("INSERT INTO ks_probe (k) VALUES (7)")
    assert (await session.execute("SELECT k FROM ks_probe")).one().k == 7
    from cassandra import InvalidRequest
    with pytest.raises(InvalidRequest):
        await session.set_keyspace("py_no_such_keyspace")
    assert session.keyspace == KEYSPACE


async def test_execution_profile_row_factory_and_session_row_factory():
    profile = ExecutionProfile(row_factory=dict_factory, consistency_level=ConsistencyLevel.ONE)
    async with AsyncCluster([HOST], execution_profiles={EXEC_PROFILE_DEFAULT: profile,
                                                        "tuples": ExecutionProfile(row_factory=lambda c, r: r)}) as c:
        s = await c.connect()
        row = (await s.execute("SELECT cluster_name FROM system.local")).one()
        assert row == {"cluster_name": row["cluster_name"]}
        row = (await s.execute("SELECT cluster_name FROM system.local", execution_profile="tuples")).one()
        assert type(row) is tuple
        with pytest.raises(ValueError, match="no_such"):
            await s.execute("SELECT cluster_name FROM system.local", execution_profile="no_such")


async def test_async_with_closes_without_sleeping():
    started = time.monotonic()
    async with AsyncCluster([HOST]) as cluster:
        async with await cluster.connect() as session:
            await session.execute("SELECT now() FROM system.local")
        assert session.is_closed
        with pytest.raises(ConnectionError):
            await session.execute("SELECT now() FROM system.local")
    assert cluster.is_closed
    # The seed sleeps 5 s in close(); here closing takes what it takes.
    assert time.monotonic() - started < 3.0
    with pytest.raises(ConnectionError):
        await cluster.connect()


async def test_connect_failure_is_connection_error():
    cluster = AsyncCluster(["127.0.0.1"], port=1, connect_timeout=2)
    started = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        await cluster.connect()
    assert "127.0.0.1:1" in str(info.value)
    assert info.value.cause is not None
    assert time.monotonic() - started < 5
    await cluster.shutdown()


async def test_bad_configuration_is_refused_clearly():
    with pytest.raises(ConfigurationError, match="protocol v5"):
        AsyncCluster([HOST], protocol_version=4)
    with pytest.raises(ConfigurationError, match="no_such_option"):
        AsyncCluster([HOST], no_such_option=1)
    with pytest.raises(ConfigurationError, match="list"):
        AsyncCluster("127.0.0.1")


async def test_create_with_auth_builds_plain_text_provider():
    cluster = AsyncCluster.create_with_auth(["127.0.0.1"], "user", "secret")
    assert cluster._config["username"] == "user" and cluster._config["password"] == "secret"
    # The local node does not ask for credentials: they are simply not used.
    session = await cluster.connect()
    assert (await session.execute("SELECT key FROM system.local")).one().key == "local"
    await cluster.shutdown()


async def test_metadata(session, cluster):
    await make_users(session, "meta_users")
    # The engine refreshes its schema on the server's event (debounced): wait for it, bounded.
    deadline = time.monotonic() + 10
    while "meta_users" not in (meta := await cluster.refresh_metadata()).keyspaces[KEYSPACE].tables:
        assert time.monotonic() < deadline, "the schema event never reached the metadata"
        await asyncio.sleep(0.05)
    table = meta.keyspaces[KEYSPACE].tables["meta_users"]
    assert [c.name for c in table.partition_key] == ["id"]
    assert table.columns["age"].cql_type == "int"
    assert cluster.metadata is meta


async def test_one_cluster_per_event_loop(cluster):
    await cluster.connect()
    errors = []

    def other_loop():
        async def use():
            try:
                await cluster.connect()
            except RuntimeError as e:
                errors.append(str(e))
        asyncio.run(use())

    await asyncio.get_running_loop().run_in_executor(None, other_loop)
    assert errors and "another event loop" in errors[0]


def test_uvloop():
    """The same bridge on uvloop's loop (add_reader on the engine's eventfd)."""
    import uvloop

    async def run():
        assert "uvloop" in type(asyncio.get_running_loop()).__module__
        async with AsyncCluster([HOST]) as cluster:
            session = await cluster.connect(KEYSPACE)
            results = await asyncio.gather(*(session.execute("SELECT key FROM system.local") for _ in range(100)))
            # The hot path's awaitable too (a prepared statement).
            select = await session.prepare("SELECT key FROM system.local WHERE key = ?")
            results += await asyncio.gather(*(session.execute(select, ["local"]) for _ in range(100)))
            return [r.one().key for r in results]

    assert uvloop.run(run()) == ["local"] * 200


def test_examples_run(tmp_path):
    import os
    import subprocess
    import sys

    here = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python")
    out = subprocess.run([sys.executable, os.path.join(here, "hello.py"), HOST], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Alice <alice@example.com>"
    out = subprocess.run([sys.executable, os.path.join(here, "stream_export.py"), HOST], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "system_schema,columns,column_name,text" in out.stdout
    assert "page 1:" in out.stderr


@pytest.mark.parametrize("prepared", [False, True], ids=["simple", "prepared"])
async def test_shutdown_with_requests_in_flight(prepared):
    cluster = AsyncCluster([HOST])
    session = await cluster.connect()
    query = "SELECT key FROM system.local"
    if prepared:  # the hot path: its awaitables are resolved by the shutdown's last drain
        query = await session.prepare(query)
    tasks = [asyncio.ensure_future(session.execute(query)) for _ in range(500)]
    await asyncio.sleep(0)  # every request is handed to the engine
    await asyncio.wait_for(cluster.shutdown(), 10)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    # Requests in flight finish (close lets them, for at most close_timeout); none hangs.
    assert all(isinstance(o, AsyncResultSet) and o.one().key == "local" for o in outcomes), \
        {type(o).__name__ for o in outcomes}
    assert session.is_closed and cluster.is_closed


async def test_get_query_trace_reads_the_nodes_trace(session):
    from datetime import timedelta

    from cassandra.query import QueryTrace

    await session.execute("CREATE TABLE IF NOT EXISTS trace_probe (k int PRIMARY KEY, v int)")
    untraced = await session.execute("SELECT * FROM trace_probe WHERE k = 1")
    assert untraced.trace_id is None and await untraced.get_query_trace() is None
    result = await session.execute("SELECT * FROM trace_probe WHERE k = 1", trace=True)
    assert result.trace_id is not None
    trace = await result.get_query_trace(max_wait_sec=5)
    assert isinstance(trace, QueryTrace) and trace.trace_id == result.trace_id
    assert trace.parameters["query"] == "SELECT * FROM trace_probe WHERE k = 1"
    assert isinstance(trace.duration, timedelta) and trace.duration > timedelta(0)
    assert trace.events and all(e.description for e in trace.events)
    # The same session row, as the node's system_traces holds it.
    row = (await session.execute("SELECT coordinator, duration, request, started_at FROM system_traces.sessions "
                                 "WHERE session_id = %s", [result.trace_id])).one()
    assert (trace.coordinator, trace.duration, trace.request_type, trace.started_at) == (
        row.coordinator, timedelta(microseconds=row.duration), row.request, row.started_at)
    assert [t.trace_id for t in await result.get_all_query_traces()] == [result.trace_id]

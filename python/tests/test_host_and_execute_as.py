"""execute(host=...) runs on that host alone; execute(execute_as=...) sends
the driver's proxy-execution entry of the custom payload."""

import pytest
from cassandra.cluster import NoHostAvailable
from cassandra.pool import Host
from cassandra.connection import DefaultEndPoint
from cassandra.policies import SimpleConvictionPolicy
from cassandra.query import BatchStatement, SimpleStatement

from async_cassandra import AsyncCluster
from conftest import HOST, KEYSPACE
from simulator import Sim

WHERE = "SELECT * FROM sim.where_am_i"


@pytest.fixture
def three_nodes():
    # Only 127.0.0.2 (node 1) answers with a row; the others with no rows.
    sim = Sim(f"{WHERE} => node=1 rows=1 columns=k:bigint\n", nodes=3)
    yield sim
    sim.close()


async def test_host_pins_requests_to_one_node(three_nodes):
    async with AsyncCluster(["127.0.0.1"], port=three_nodes.port) as cluster:
        session = await cluster.connect()
        for _ in range(10):
            assert len(await session.execute(WHERE, host="127.0.0.2")) == 1
            assert len(await session.execute(WHERE, host=f"127.0.0.3:{three_nodes.port}")) == 0
            assert len(await session.execute(SimpleStatement(WHERE), host="127.0.0.1")) == 0
        # The driver's Host names one too.
        host = Host(DefaultEndPoint("127.0.0.2", three_nodes.port), SimpleConvictionPolicy)
        assert len(await session.execute(WHERE, host=host)) == 1
        # Without host=, the requests go round the three nodes.
        counts = [len(await session.execute(WHERE)) for _ in range(30)]
        assert 0 < sum(counts) < 30


async def test_host_on_the_real_node(session):
    assert (await session.execute("SELECT key FROM system.local", host=HOST)).one().key == "local"
    assert (await session.execute("SELECT key FROM system.local", host=f"{HOST}:9042")).one().key == "local"
    prepared = await session.prepare("SELECT key FROM system.local WHERE key = ?")
    assert (await session.execute(prepared, ["local"], host=HOST)).one().key == "local"
    await session.execute("CREATE TABLE IF NOT EXISTS pinned (k int PRIMARY KEY)")
    batch = BatchStatement()
    batch.add(SimpleStatement("INSERT INTO pinned (k) VALUES (1)"))
    await session.execute(batch, host=HOST)
    assert len(await session.execute("SELECT * FROM pinned WHERE k = 1")) == 1


async def test_a_host_not_in_the_cluster_fails_with_no_host_available(session):
    with pytest.raises(NoHostAvailable):
        await session.execute("SELECT key FROM system.local", host="127.0.0.99")
    with pytest.raises(NoHostAvailable):
        await session.execute("SELECT key FROM system.local", host=f"{HOST}:9999")


async def test_bad_hosts_are_refused(session):
    with pytest.raises(TypeError, match="host must be"):
        await session.execute("SELECT key FROM system.local", host=42)
    with pytest.raises(ValueError, match="port"):
        await session.execute("SELECT key FROM system.local", host="127.0.0.1:http")
    with pytest.raises(ValueError, match="empty"):
        await session.execute("SELECT key FROM system.local", host="")


class Spy:
    """The session's native object, recording the options of each execute."""

    def __init__(self, native):
        self._native = native
        self.options = []

    def execute(self, query, values, names, opts, fut):
        self.options.append(opts)
        return self._native.execute(query, values, names, opts, fut)

    def execute_prepared(self, prepared, values, opts, fut):
        self.options.append(opts)
        return self._native.execute_prepared(prepared, values, opts, fut)

    def __getattr__(self, name):
        return getattr(self._native, name)


async def test_execute_as_sends_proxy_execute_in_the_custom_payload(session):
    spy = Spy(session._native)
    session._native = spy
    result = await session.execute("SELECT key FROM system.local", execute_as="alice")
    assert result.one().key == "local"  # the node ignores the entry (proxy execution is DSE's)
    assert spy.options[-1][8] == {"ProxyExecute": b"alice"}
    prepared = await session.prepare("SELECT key FROM system.local WHERE key = ?")
    await session.execute(prepared, ["local"], custom_payload={"k": b"v"}, execute_as="bob")
    assert spy.options[-1][8] == {"k": b"v", "ProxyExecute": b"bob"}
    await session.execute("SELECT key FROM system.local")
    assert spy.options[-1][8] is None
    with pytest.raises(TypeError, match="execute_as"):
        await session.execute("SELECT key FROM system.local", execute_as=b"alice")

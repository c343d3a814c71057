"""The retry policy decides the engine's retries: AsyncRetryPolicy natively
(the seed's rules and max_retries), any other driver RetryPolicy called from
the engine; a statement's over its execution profile's over the cluster's.
Server errors come from cql-sim (tests/simulator.py) and, for unavailable,
from the real node."""

import sys

import pytest
from cassandra import ConsistencyLevel, ReadTimeout, Unavailable, WriteTimeout
from cassandra.cluster import ExecutionProfile
from cassandra.policies import FallthroughRetryPolicy, RetryPolicy, WriteType
from cassandra.query import BatchStatement, BatchType, SimpleStatement

from async_cassandra import AsyncCluster, AsyncRetryPolicy
from conftest import HOST, KEYSPACE
from simulator import Sim

READ = "SELECT * FROM sim.reads"
WRITE = "INSERT INTO sim.writes (k) VALUES (1)"


@pytest.fixture
def sim_factory():
    sims = []

    def make(rules, nodes=1):
        s = Sim(rules, nodes)
        sims.append(s)
        return s

    yield make
    for s in sims:
        s.close()


async def run(sim, policy, statement, nodes=None):
    """(outcome, retries the engine made): outcome is the result or the exception."""
    kwargs = {} if policy is None else {"retry_policy": policy}
    async with AsyncCluster(["127.0.0.1"], port=sim.port, **kwargs) as cluster:
        session = await cluster.connect()
        before = (await session.stats())["retries"]
        try:
            outcome = await session.execute(statement)
        except Exception as e:  # noqa: BLE001 - the test looks at it
            outcome = e
        return outcome, (await session.stats())["retries"] - before


def read_timeout(received, block_for, data_present, max_hits=None):
    hits = f" max_hits={max_hits}" if max_hits else ""
    return (f"{READ} => error=0x1200 consistency=1 received={received} block_for={block_for} "
            f"data_present={data_present}{hits}\n")


def write_timeout(write_type, max_hits=None):
    hits = f" max_hits={max_hits}" if max_hits else ""
    return f"{WRITE} => error=0x1100 consistency=1 received=0 block_for=1 write_type={write_type}{hits}\n"


async def test_read_timeout_with_enough_replicas_is_retried_up_to_max_retries(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0))
    outcome, retries = await run(sim, AsyncRetryPolicy(max_retries=2), READ)
    assert isinstance(outcome, ReadTimeout)
    assert retries == 2
    # The default policy: 3.
    outcome, retries = await run(sim, None, READ)
    assert isinstance(outcome, ReadTimeout) and retries == 3


async def test_read_timeout_retry_succeeds_when_the_error_stops(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0, max_hits=2))
    outcome, retries = await run(sim, AsyncRetryPolicy(), READ)
    assert not isinstance(outcome, Exception), outcome
    assert retries == 2


async def test_read_timeout_with_data_retrieved_is_retried(sim_factory):
    sim = sim_factory(read_timeout(0, 1, 1))
    outcome, retries = await run(sim, AsyncRetryPolicy(max_retries=1), READ)
    assert isinstance(outcome, ReadTimeout) and retries == 1


async def test_read_timeout_without_enough_replicas_nor_data_is_not_retried(sim_factory):
    sim = sim_factory(read_timeout(0, 1, 0))
    outcome, retries = await run(sim, AsyncRetryPolicy(), READ)
    assert isinstance(outcome, ReadTimeout) and retries == 0


async def test_write_timeout_is_retried_only_for_idempotent_simple_and_batch_writes(sim_factory):
    simple = sim_factory(write_timeout("SIMPLE"))
    outcome, retries = await run(simple, AsyncRetryPolicy(), SimpleStatement(WRITE))  # is_idempotent None
    assert isinstance(outcome, WriteTimeout) and retries == 0
    outcome, retries = await run(simple, AsyncRetryPolicy(), SimpleStatement(WRITE, is_idempotent=False))
    assert isinstance(outcome, WriteTimeout) and retries == 0
    outcome, retries = await run(simple, AsyncRetryPolicy(max_retries=2), SimpleStatement(WRITE, is_idempotent=True))
    assert isinstance(outcome, WriteTimeout) and retries == 2
    batch = sim_factory(write_timeout("UNLOGGED_BATCH", max_hits=1))
    outcome, retries = await run(batch, AsyncRetryPolicy(), SimpleStatement(WRITE, is_idempotent=True))
    assert not isinstance(outcome, Exception), outcome
    assert retries == 1
    counter = sim_factory(write_timeout("COUNTER"))
    outcome, retries = await run(counter, AsyncRetryPolicy(), SimpleStatement(WRITE, is_idempotent=True))
    assert isinstance(outcome, WriteTimeout) and retries == 0


async def test_unavailable_tries_the_next_host_then_the_same_one(sim_factory):
    sim = sim_factory(f"{READ} => error=0x1000 consistency=4 required=2 alive=1\n", nodes=3)
    outcome, retries = await run(sim, AsyncRetryPolicy(max_retries=3), READ)
    assert isinstance(outcome, Unavailable) and retries == 3
    outcome, retries = await run(sim, AsyncRetryPolicy(max_retries=0), READ)
    assert isinstance(outcome, Unavailable) and retries == 0


async def test_fallthrough_policy_never_retries(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0))
    outcome, retries = await run(sim, FallthroughRetryPolicy(), READ)
    assert isinstance(outcome, ReadTimeout) and retries == 0


class Recording(RetryPolicy):
    """Retries a read timeout once at ONE, ignores write timeouts, records every call."""

    def __init__(self):
        self.calls = []

    def on_read_timeout(self, query, consistency, required_responses, received_responses, data_retrieved, retry_num):
        self.calls.append(("read", query.is_idempotent, consistency, required_responses, received_responses,
                           data_retrieved, retry_num))
        return (self.RETRY, ConsistencyLevel.ONE) if retry_num == 0 else (self.RETHROW, None)

    def on_write_timeout(self, query, consistency, write_type, required_responses, received_responses, retry_num):
        self.calls.append(("write", query.is_idempotent, consistency, write_type, retry_num))
        return self.IGNORE, None


async def test_a_python_policy_decides_with_the_servers_details(sim_factory):
    sim = sim_factory(read_timeout(2, 3, 0) + write_timeout("BATCH"))
    policy = Recording()
    stmt = SimpleStatement(READ, consistency_level=ConsistencyLevel.QUORUM, is_idempotent=True)
    outcome, retries = await run(sim, policy, stmt)
    assert isinstance(outcome, ReadTimeout) and retries == 1
    # Asked once per failed attempt (the retry ran at the ONE the policy asked
    # for; the engine reports the request's own level, QUORUM, to the policy).
    assert policy.calls[0] == ("read", True, ConsistencyLevel.QUORUM, 3, 2, False, 0)
    assert len(policy.calls) == 2 and policy.calls[1][-1] == 1
    policy.calls.clear()
    outcome, retries = await run(sim, policy, WRITE)
    assert not isinstance(outcome, Exception), outcome  # IGNORE: an empty result, no error
    assert list(outcome) == [] and retries == 0
    assert policy.calls == [("write", False, ConsistencyLevel.LOCAL_ONE, WriteType.BATCH, 0)]


class Failing(RetryPolicy):
    def on_read_timeout(self, *args, **kwargs):
        raise RuntimeError("policy bug")


async def test_a_failing_python_policy_rethrows_the_servers_error(sim_factory, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    sim = sim_factory(read_timeout(1, 1, 0))
    outcome, retries = await run(sim, Failing(), READ)
    assert isinstance(outcome, ReadTimeout) and retries == 0
    # The policy's own error is reported (sys.unraisablehook), not lost.
    assert [str(r.exc_value) for r in reported] == ["policy bug"]


class Downgrading(RetryPolicy):
    def __init__(self):
        self.seen = []

    def on_unavailable(self, query, consistency, required_replicas, alive_replicas, retry_num):
        self.seen.append((consistency, required_replicas, alive_replicas, retry_num))
        return (self.RETRY, ConsistencyLevel.ONE) if retry_num == 0 else (self.RETHROW, None)


async def test_a_python_policy_downgrades_consistency_on_the_real_node():
    policy = Downgrading()
    async with AsyncCluster([HOST], retry_policy=policy) as cluster:
        session = await cluster.connect(KEYSPACE)
        await session.execute("CREATE TABLE IF NOT EXISTS retry_down (k int PRIMARY KEY, v int)")
        stmt = SimpleStatement("INSERT INTO retry_down (k, v) VALUES (1, 2)", consistency_level=ConsistencyLevel.THREE)
        await session.execute(stmt)  # Unavailable at THREE (one node), then done at ONE
        assert policy.seen == [(ConsistencyLevel.THREE, 3, 1, 0)]
        assert (await session.execute("SELECT v FROM retry_down WHERE k = 1")).one().v == 2
    # The seed's policy on the same statement: the next host (there is none), so the error.
    async with AsyncCluster([HOST]) as cluster:
        session = await cluster.connect(KEYSPACE)
        with pytest.raises(Unavailable):
            await session.execute(stmt)


def test_bad_retry_policies_are_refused():
    with pytest.raises(TypeError, match="RetryPolicy"):
        AsyncCluster(["127.0.0.1"], retry_policy=object())
    with pytest.raises(ValueError, match="max_retries"):
        AsyncRetryPolicy(max_retries=-1)


# --- Per-profile and per-statement policies: statement over profile over cluster ---

async def attempt(session, statement, **kwargs):
    """(outcome, retries) of one execute on an open session."""
    before = (await session.stats())["retries"]
    try:
        outcome = await session.execute(statement, **kwargs)
    except Exception as e:  # noqa: BLE001 - the test looks at it
        outcome = e
    return outcome, (await session.stats())["retries"] - before


def profiles():
    return {
        "one": ExecutionProfile(retry_policy=AsyncRetryPolicy(max_retries=1)),
        "never": ExecutionProfile(retry_policy=FallthroughRetryPolicy()),
        "plain": ExecutionProfile(),  # the driver's RetryPolicy() filled in: the cluster's applies
    }


async def test_a_profiles_policy_decides_its_requests(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0))
    async with AsyncCluster(["127.0.0.1"], port=sim.port, retry_policy=AsyncRetryPolicy(max_retries=2),
                            execution_profiles=profiles()) as cluster:
        session = await cluster.connect()
        for profile, expected in (("one", 1), ("never", 0), ("plain", 2), (None, 2)):
            kwargs = {} if profile is None else {"execution_profile": profile}
            outcome, retries = await attempt(session, READ, **kwargs)
            assert isinstance(outcome, ReadTimeout) and retries == expected, (profile, outcome, retries)
        # A profile given as an object, not by name.
            outcome, retries = await attempt(session, READ,
                                         execution_profile=ExecutionProfile(retry_policy=AsyncRetryPolicy(3)))
        assert isinstance(outcome, ReadTimeout) and retries == 3


async def test_a_statements_policy_wins_over_the_profiles_and_the_clusters(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0))
    async with AsyncCluster(["127.0.0.1"], port=sim.port, execution_profiles=profiles()) as cluster:
        session = await cluster.connect()
        two = SimpleStatement(READ, retry_policy=AsyncRetryPolicy(max_retries=2))
        never = SimpleStatement(READ, retry_policy=FallthroughRetryPolicy())
        for stmt, profile, expected in ((two, None, 2), (two, "never", 2), (two, "one", 2), (never, "one", 0),
                                        (never, None, 0), (SimpleStatement(READ), "one", 1),
                                        (SimpleStatement(READ), None, 3)):
            kwargs = {} if profile is None else {"execution_profile": profile}
            outcome, retries = await attempt(session, stmt, **kwargs)
            assert isinstance(outcome, ReadTimeout) and retries == expected, (stmt.retry_policy, profile, retries)
        # With execute(host=...): the pinned request keeps its statement's policy.
        outcome, retries = await attempt(session, two, host="127.0.0.1")
        assert isinstance(outcome, ReadTimeout) and retries == 2
        outcome, retries = await attempt(session, never, host="127.0.0.1", execution_profile="one")
        assert isinstance(outcome, ReadTimeout) and retries == 0


async def test_prepared_bound_and_batch_statements_carry_their_policies(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0) + write_timeout("UNLOGGED_BATCH"))
    async with AsyncCluster(["127.0.0.1"], port=sim.port, execution_profiles=profiles()) as cluster:
        session = await cluster.connect()
        prepared = await session.prepare(READ)
        # The fast path (a PreparedStatement as is): the policy is read again when it changes.
        for policy, profile, expected in ((None, None, 3), (FallthroughRetryPolicy(), None, 0),
                                          (AsyncRetryPolicy(max_retries=1), None, 1), (None, "one", 1),
                                          (None, "never", 0), (AsyncRetryPolicy(max_retries=2), "never", 2),
                                          (None, None, 3)):
            prepared.retry_policy = policy
            kwargs = {} if profile is None else {"execution_profile": profile}
            outcome, retries = await attempt(session, prepared, **kwargs)
            assert isinstance(outcome, ReadTimeout) and retries == expected, (policy, profile, retries)
        # A BoundStatement takes its PreparedStatement's, or its own.
        prepared.retry_policy = FallthroughRetryPolicy()
        bound = prepared.bind(())
        outcome, retries = await attempt(session, bound)
        assert isinstance(outcome, ReadTimeout) and retries == 0
        bound.retry_policy = AsyncRetryPolicy(max_retries=1)
        outcome, retries = await attempt(session, bound)
        assert isinstance(outcome, ReadTimeout) and retries == 1
        # A batch (idempotent: the seed's rules retry its write timeouts).
        for policy, expected in ((None, 3), (AsyncRetryPolicy(max_retries=1), 1), (FallthroughRetryPolicy(), 0)):
            batch = BatchStatement(batch_type=BatchType.UNLOGGED, retry_policy=policy)
            batch.add(SimpleStatement(WRITE))
            batch.is_idempotent = True
            outcome, retries = await attempt(session, batch)
            assert isinstance(outcome, WriteTimeout) and retries == expected, (policy, retries)
            before = (await session.stats())["retries"]
            with pytest.raises(WriteTimeout):
                await session.execute_batch(batch)
            assert (await session.stats())["retries"] - before == expected


async def stream_attempt(session, statement, **kwargs):
    """(outcome, retries) of one execute_stream read to its end."""
    before = (await session.stats())["retries"]
    try:
        stream = await session.execute_stream(statement, **kwargs)
        outcome = [row async for row in stream]
    except Exception as e:  # noqa: BLE001 - the test looks at it
        outcome = e
    return outcome, (await session.stats())["retries"] - before


async def test_execute_stream_takes_the_statements_and_the_profiles_policies(sim_factory):
    sim = sim_factory(read_timeout(1, 1, 0))
    async with AsyncCluster(["127.0.0.1"], port=sim.port, retry_policy=AsyncRetryPolicy(max_retries=3),
                            execution_profiles=profiles()) as cluster:
        session = await cluster.connect()
        prepared = await session.prepare(READ)
        two = SimpleStatement(READ, retry_policy=AsyncRetryPolicy(max_retries=2))
        for stmt, profile, expected in ((two, None, 2), (two, "never", 2), (SimpleStatement(READ), "one", 1),
                                        (SimpleStatement(READ, retry_policy=FallthroughRetryPolicy()), None, 0),
                                        (SimpleStatement(READ), None, 3), (prepared, "never", 0)):
            kwargs = {} if profile is None else {"execution_profile": profile}
            outcome, retries = await stream_attempt(session, stmt, **kwargs)
            assert isinstance(outcome, ReadTimeout) and retries == expected, (stmt, profile, outcome, retries)


async def test_a_python_policy_of_a_statement_is_asked_instead_of_the_clusters(sim_factory):
    sim = sim_factory(read_timeout(2, 3, 0))
    cluster_policy, statement_policy = Recording(), Recording()
    async with AsyncCluster(["127.0.0.1"], port=sim.port, retry_policy=cluster_policy) as cluster:
        session = await cluster.connect()
        stmt = SimpleStatement(READ, retry_policy=statement_policy, is_idempotent=True)
        outcome, retries = await attempt(session, stmt)
        assert isinstance(outcome, ReadTimeout) and retries == 1
        assert len(statement_policy.calls) == 2 and cluster_policy.calls == []
        outcome, retries = await attempt(session, READ)
        assert isinstance(outcome, ReadTimeout) and retries == 1
        assert len(statement_policy.calls) == 2 and len(cluster_policy.calls) == 2


async def test_bad_profile_and_statement_policies_are_refused(sim_factory):
    with pytest.raises(TypeError, match="RetryPolicy"):
        AsyncCluster(["127.0.0.1"], execution_profiles={"bad": ExecutionProfile(retry_policy=object())})
    sim = sim_factory(read_timeout(1, 1, 0))
    async with AsyncCluster(["127.0.0.1"], port=sim.port) as cluster:
        session = await cluster.connect()
        stmt = SimpleStatement(READ)
        stmt.retry_policy = object()
        with pytest.raises(TypeError, match="RetryPolicy"):
            await session.execute(stmt)
        prepared = await session.prepare(READ)
        prepared.retry_policy = object()
        with pytest.raises(TypeError, match="RetryPolicy"):
            await session.execute(prepared)  # the fast path
        with pytest.raises(TypeError, match="RetryPolicy"):
            await session.execute(prepared.bind(()))
        with pytest.raises(TypeError, match="RetryPolicy"):
            await session.execute(READ, execution_profile=ExecutionProfile(retry_policy=object()))
        # The engine keeps a Python policy for the cluster's life: a bounded number of them.
        policies = [Recording() for _ in range(33)]
        for p in policies[:32]:
            await session.execute(SimpleStatement("SELECT 1", retry_policy=p))
        with pytest.raises(ValueError, match="at most 32 different retry policies"):
            await session.execute(SimpleStatement("SELECT 1", retry_policy=policies[32]))
        # Those already given run on.
        await session.execute(SimpleStatement("SELECT 1", retry_policy=policies[0]))

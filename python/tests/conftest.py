"""Fixtures: a cluster and session per test (a cluster belongs to one event
loop) against the node scripts/run-tests started (AC_TEST_HOST, default
127.0.0.1), in keyspace py_test, created once."""

import asyncio
import os

import pytest

from async_cassandra import AsyncCluster

HOST = os.environ.get("AC_TEST_HOST", "127.0.0.1")
KEYSPACE = "py_test"

@pytest.fixture(scope="session", autouse=True)
def keyspace():
    async def create():
        async with AsyncCluster([HOST]) as cluster:
            session = await cluster.connect()
            await session.execute(
                f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} "
                "WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")

    asyncio.run(create())
    return KEYSPACE

@pytest.fixture
async def cluster():
    c = AsyncCluster([HOST])
    yield c
    await c.shutdown()

@pytest.fixture
async def session(cluster):
    return await cluster.connect(KEYSPACE)

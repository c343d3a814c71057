"""The metrics collectors are fed by the engine's request metrics: the
durations they record are the latencies the engine measured (they add up to
the engine's own latency sum in cluster.metrics_text()), with the host that
answered; counts and errors as the seed documents."""

import re
import time

import pytest
from cassandra import InvalidRequest
from prometheus_client import CollectorRegistry

from async_cassandra import AsyncCluster
from async_cassandra.metrics import InMemoryMetricsCollector, PrometheusMetricsCollector, create_metrics_system
from conftest import HOST, KEYSPACE


def engine_latency(text):
    """(sum in seconds, count) of the engine's cluster-wide request latency."""
    total = float(re.search(r"^async_cassandra_request_latency_seconds_sum (\S+)$", text, re.M).group(1))
    count = int(float(re.search(r"^async_cassandra_request_latency_seconds_count (\S+)$", text, re.M).group(1)))
    return total, count


async def test_collectors_record_the_engines_latencies_and_hosts():
    async with AsyncCluster([HOST]) as cluster:
        session = await cluster.connect(KEYSPACE)
        await session.execute("CREATE TABLE IF NOT EXISTS metered (k int PRIMARY KEY, v text)")
        insert = await session.prepare("INSERT INTO metered (k, v) VALUES (?, ?)")
        select = await session.prepare("SELECT v FROM metered WHERE k = ?")
        memory = InMemoryMetricsCollector(max_queries=100)
        registry = CollectorRegistry()
        prom = PrometheusMetricsCollector(labels={"app": "test"}, registry=registry)
        metered = create_metrics_system(session, [memory, prom])
        before_sum, before_count = engine_latency(await cluster.metrics_text())
        walls = []
        for k in range(10):
            started = time.perf_counter()
            await metered.execute(insert, [k, f"v{k}"])  # the fast path
            walls.append(time.perf_counter() - started)
        for k in range(5):
            started = time.perf_counter()
            assert (await metered.execute(select, (k,))).one().v == f"v{k}"
            walls.append(time.perf_counter() - started)
        started = time.perf_counter()
        await metered.execute("SELECT * FROM metered")  # the general path
        walls.append(time.perf_counter() - started)
        started = time.perf_counter()
        with pytest.raises(InvalidRequest):
            await metered.execute("SELECT * FROM py_no_such_table_m")
        walls.append(time.perf_counter() - started)
        after_sum, after_count = engine_latency(await cluster.metrics_text())

        records = list(memory.query_metrics)
        assert len(records) == 17 == after_count - before_count
        # The engine's measurements, one by one: they add up to its own sum,
        # and each is within the time the call took on the loop.
        assert sum(m.duration for m in records) == pytest.approx(after_sum - before_sum, rel=1e-6, abs=1e-6)
        for m, wall in zip(records, walls):
            assert 0 < m.duration <= wall
            assert m.host == HOST
        stats = memory.get_stats()
        assert stats["total_queries"] == 17 and stats["failed_queries"] == 1
        assert stats["error_summary"] == {"InvalidRequest": 1}
        assert stats["queries"][insert.query_string]["count"] == 10
        assert stats["queries"][select.query_string]["count"] == 5
        assert records[-1].success is False and records[-1].error_type == "InvalidRequest"
        assert records[-2].result_size == 10
        assert stats["avg_latency"] == pytest.approx((after_sum - before_sum) / 17, rel=1e-6)

        labels = {"app": "test"}
        sample = registry.get_sample_value
        assert sample("cassandra_queries_total", {"query": insert.query_string, "status": "success", **labels}) == 10
        assert sample("cassandra_queries_total", {"query": select.query_string, "status": "success", **labels}) == 5
        assert sample("cassandra_queries_total",
                      {"query": "SELECT * FROM py_no_such_table_m", "status": "error", **labels}) == 1
        assert sample("cassandra_query_duration_seconds_count", {"query": insert.query_string, **labels}) == 10
        prom_sum = sum(sample("cassandra_query_duration_seconds_sum", {"query": q, **labels})
                       for q in {m.query for m in records})
        assert prom_sum == pytest.approx(after_sum - before_sum, rel=1e-6, abs=1e-6)


async def test_every_page_of_an_execute_adds_up():
    async with AsyncCluster([HOST]) as cluster:
        session = await cluster.connect(KEYSPACE)
        await session.execute("CREATE TABLE IF NOT EXISTS metered_pages (k int, c int, PRIMARY KEY (k, c))")
        insert = await session.prepare("INSERT INTO metered_pages (k, c) VALUES (1, ?)")
        for c in range(25):
            await session.execute(insert, [c])
        memory = InMemoryMetricsCollector()
        metered = create_metrics_system(session, [memory])
        from cassandra.query import SimpleStatement
        before_sum, before_count = engine_latency(await cluster.metrics_text())
        result = await metered.execute(SimpleStatement("SELECT * FROM metered_pages WHERE k = 1", fetch_size=10))
        after_sum, after_count = engine_latency(await cluster.metrics_text())
        assert len(result) == 25 and after_count - before_count == 3  # three pages, three requests
        (m,) = memory.query_metrics
        assert m.duration == pytest.approx(after_sum - before_sum, rel=1e-6, abs=1e-6)
        assert m.result_size == 25 and m.host == HOST

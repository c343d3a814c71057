"""Metrics collectors, MetricsMiddleware, ConnectionMonitor, RateLimitedSession."""

import asyncio

import pytest
from cassandra import InvalidRequest

from async_cassandra import ConnectionMonitor, RateLimitedSession
from async_cassandra.metrics import (InMemoryMetricsCollector, MetricsCollector, MetricsMiddleware,
                                     create_metrics_system)


async def test_in_memory_collector_through_create_metrics_system(session):
    collector = InMemoryMetricsCollector(max_queries=10)
    metered = create_metrics_system(session, [collector])
    assert isinstance(metered, MetricsMiddleware)
    for _ in range(3):
        await metered.execute("SELECT key FROM system.local")
    with pytest.raises(InvalidRequest):
        await metered.execute("SELECT * FROM py_missing_table")
    stats = collector.get_stats()
    assert stats["total_queries"] == 4 and stats["failed_queries"] == 1
    assert stats["queries"]["SELECT key FROM system.local"]["count"] == 3
    assert stats["error_summary"] == {"InvalidRequest": 1}
    assert 0 < stats["avg_latency"] < 5
    assert (await collector.get_stats())["total_queries"] == 4  # awaitable too, as the seed's
    # Everything else passes through to the session.
    assert metered.keyspace == session.keyspace
    collector.clear()
    assert collector.get_stats()["total_queries"] == 0


async def test_custom_async_collector(session):
    seen = []

    class Recording(MetricsCollector):
        async def record_query(self, metrics):
            seen.append((metrics.query, metrics.success, metrics.result_size))

    metered = MetricsMiddleware(session, [Recording()])
    await metered.execute("SELECT key FROM system.local")
    assert seen == [("SELECT key FROM system.local", True, 1)]


async def test_connection_monitor(session):
    monitor = ConnectionMonitor(session)
    metrics = await monitor.get_cluster_metrics()
    assert metrics.healthy_hosts >= 1 and metrics.unhealthy_hosts == 0
    assert metrics.protocol_version == 5
    host = metrics.hosts[0]
    assert host.status == "up" and host.release_version.startswith("5.") and host.latency_ms > 0
    called = asyncio.Event()
    monitor.add_callback(lambda m: called.set())
    await monitor.start_monitoring(interval=60)
    await asyncio.wait_for(called.wait(), 10)
    await monitor.stop_monitoring()


async def test_rate_limited_session_bounds_concurrency(session):
    limited = RateLimitedSession(session, max_concurrent=4)
    peak = 0

    async def one():
        nonlocal peak
        task = asyncio.ensure_future(limited.execute("SELECT key FROM system.local"))
        await asyncio.sleep(0)
        peak = max(peak, limited.active_requests)
        return await task

    results = await asyncio.gather(*(one() for _ in range(50)))
    assert all(r.one().key == "local" for r in results)
    assert 1 <= peak <= 4
    assert limited.get_stats()["total_requests"] == 50


async def test_engine_metrics_in_prometheus_text(session, cluster):
    def total(text):
        for line in text.splitlines():
            if line.startswith("async_cassandra_requests_total "):
                return float(line.split()[1])
        raise AssertionError("no async_cassandra_requests_total in:\n" + text[:500])

    before = total(await cluster.metrics_text())
    await asyncio.gather(*(session.execute("SELECT key FROM system.local") for _ in range(25)))
    text = await cluster.metrics_text()
    assert total(text) >= before + 25
    assert "async_cassandra_request_latency_seconds{quantile=\"0.99\"}" in text

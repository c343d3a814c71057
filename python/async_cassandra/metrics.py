"""Query metrics, as the seed: QueryMetrics / ConnectionMetrics records,
collectors (in memory, Prometheus, your own) and MetricsMiddleware, which
times every execute of a session and feeds the collectors.

Collectors may be plain or async: a method that returns an awaitable is
awaited, and get_stats() results may be used directly or awaited."""

import asyncio
import inspect
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional


@dataclass
class QueryMetrics:
    query: str
    duration: float
    success: bool
    error_type: Optional[str] = None
    timestamp: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    parameters_count: int = 0
    result_size: int = 0
    host: Optional[str] = None


@dataclass
class ConnectionMetrics:
    host: str
    is_up: bool
    last_check_time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    response_time: float = 0.0
    error_count: int = 0
    total_queries: int = 0
    port: int = 9042


class _Stats(dict):
    """A dict that may also be awaited (the seed's collectors are async; its docs call them plainly)."""

    def __await__(self):
        if False:  # a generator that returns at once
            yield
        return self


async def _maybe_await(value):
    if inspect.isawaitable(value):
        await value


class MetricsCollector:
    """Base of collectors: override record_query (and record_connection_health)."""

    def record_query(self, metrics: QueryMetrics) -> Any:
        pass

    def record_connection_health(self, metrics: ConnectionMetrics) -> Any:
        pass

    def get_stats(self) -> Dict[str, Any]:
        return _Stats()

    def clear(self) -> Any:
        pass


class InMemoryMetricsCollector(MetricsCollector):
    """Keeps the most recent ``max_queries`` query records and per-query totals."""

    WINDOW = 300.0  # seconds of the "recent" statistics

    def __init__(self, max_queries: int = 1000):
        if max_queries <= 0:
            raise ValueError("max_queries must be > 0")
        self.max_queries = max_queries
        self.clear()

    def clear(self):
        self.query_metrics: deque = deque(maxlen=self.max_queries)
        self.connection_metrics: Dict[str, ConnectionMetrics] = {}
        self.error_counts: Dict[str, int] = {}
        self.query_counts: "OrderedDict[str, Dict[str, float]]" = OrderedDict()
        self.total_queries = 0
        self.failed_queries = 0
        self.total_duration = 0.0

    def record_query(self, metrics: QueryMetrics):
        self.query_metrics.append(metrics)
        self.total_queries += 1
        self.total_duration += metrics.duration
        if not metrics.success:
            self.failed_queries += 1
            key = metrics.error_type or "unknown"
            self.error_counts[key] = self.error_counts.get(key, 0) + 1
        per = self.query_counts.pop(metrics.query, None) or {"count": 0, "total_duration": 0.0, "errors": 0}
        per["count"] += 1
        per["total_duration"] += metrics.duration
        per["errors"] += 0 if metrics.success else 1
        self.query_counts[metrics.query] = per  # most recent last
        while len(self.query_counts) > self.max_queries:
            self.query_counts.popitem(last=False)

    def record_connection_health(self, metrics: ConnectionMetrics):
        self.connection_metrics[metrics.host] = metrics

    def get_stats(self) -> Dict[str, Any]:
        now = datetime.now(timezone.utc)
        recent = [m for m in self.query_metrics if (now - m.timestamp).total_seconds() <= self.WINDOW]
        durations = [m.duration for m in recent]
        queries = {q: {"count": p["count"], "avg_duration": p["total_duration"] / p["count"], "errors": p["errors"]}
                   for q, p in self.query_counts.items()}
        top = sorted(queries.items(), key=lambda kv: kv[1]["count"], reverse=True)[:10]
        return _Stats({
            "total_queries": self.total_queries,
            "failed_queries": self.failed_queries,
            "avg_latency": self.total_duration / self.total_queries if self.total_queries else 0.0,
            "queries": queries,
            "query_performance": {
                "total_queries": self.total_queries,
                "recent_queries_5min": len(recent),
                "avg_duration_ms": 1000 * sum(durations) / len(durations) if durations else 0.0,
                "min_duration_ms": 1000 * min(durations) if durations else 0.0,
                "max_duration_ms": 1000 * max(durations) if durations else 0.0,
                "success_rate": (sum(m.success for m in recent) / len(recent)) if recent else 1.0,
                "queries_per_second": len(recent) / self.WINDOW,
            },
            "error_summary": dict(self.error_counts),
            "top_queries": [{"query": q, **v} for q, v in top],
            "connection_health": {h: {"is_up": m.is_up, "response_time_ms": 1000 * m.response_time,
                                      "error_count": m.error_count}
                                  for h, m in self.connection_metrics.items()},
        })


class PrometheusMetricsCollector(MetricsCollector):
    """Exports to prometheus_client (install it: pip install prometheus-client)."""

    def __init__(self, labels: Optional[Dict[str, str]] = None, registry: Any = None):
        try:
            import prometheus_client as prom
        except ImportError as e:
            raise ImportError("PrometheusMetricsCollector needs prometheus-client: pip install prometheus-client") from e
        self.labels = dict(labels or {})
        extra = list(self.labels)
        reg = registry if registry is not None else prom.REGISTRY
        self.queries_total = prom.Counter("cassandra_queries_total", "Queries run", ["query", "status"] + extra,
                                          registry=reg)
        self.query_duration = prom.Histogram("cassandra_query_duration_seconds", "Query latency",
                                             ["query"] + extra, registry=reg)
        self.queries_in_flight = prom.Gauge("cassandra_queries_in_flight", "Queries in flight", extra, registry=reg)
        self.connection_up = prom.Gauge("cassandra_connection_up", "Host up (1) or down (0)",
                                        ["host", "port"] + extra, registry=reg)
        self.connection_errors = prom.Counter("cassandra_connection_errors_total", "Failed health checks",
                                              ["host"] + extra, registry=reg)
        self.check_duration = prom.Gauge("cassandra_connection_check_duration_seconds", "Health check latency",
                                         ["host"] + extra, registry=reg)

    def record_query(self, metrics: QueryMetrics):
        q = metrics.query[:200]
        self.queries_total.labels(q, "success" if metrics.success else "error", *self.labels.values()).inc()
        self.query_duration.labels(q, *self.labels.values()).observe(metrics.duration)

    def record_connection_health(self, metrics: ConnectionMetrics):
        self.connection_up.labels(metrics.host, str(metrics.port), *self.labels.values()).set(1 if metrics.is_up else 0)
        self.check_duration.labels(metrics.host, *self.labels.values()).set(metrics.response_time)
        if not metrics.is_up:
            self.connection_errors.labels(metrics.host, *self.labels.values()).inc()

    def get_stats(self) -> Dict[str, Any]:
        return _Stats({"backend": "prometheus"})


class MetricsMiddleware:
    """Wraps a session: execute/execute_batch/execute_stream are recorded to
    every collector; everything else passes through.

    The figures are the engine's: each request's latency and the host that
    answered it as the engine's request metrics measured them (the same
    measurements as ``cluster.metrics_text()``; every page of an execute
    added up). A stream's, and those of a session that is not this
    package's, are timed here instead."""

    def __init__(self, session: Any = None, collectors: Optional[List[MetricsCollector]] = None):
        self.session = session
        self.collectors: List[MetricsCollector] = list(collectors or [])
        self.enabled = True
        self.in_flight = 0
        bridge = getattr(session, "_bridge", None)
        if bridge is not None:
            bridge.engine.set_recording(True)  # the engine hands each request's figures over

    def add_collector(self, collector: MetricsCollector) -> None:
        self.collectors.append(collector)

    async def record_query_metrics(self, query, duration, success, error_type=None, parameters_count=0,
                                   result_size=0, host=None) -> None:
        if not self.enabled:
            return
        m = QueryMetrics(query=_query_text(query), duration=duration, success=success, error_type=error_type,
                         parameters_count=parameters_count, result_size=result_size, host=host)
        for c in self.collectors:
            try:
                await _maybe_await(c.record_query(m))
            except Exception:  # a collector must never fail the query
                pass

    async def record_connection_metrics(self, metrics: ConnectionMetrics) -> None:
        for c in self.collectors:
            try:
                await _maybe_await(c.record_connection_health(metrics))
            except Exception:
                pass

    async def _timed(self, method, query, parameters, *args, **kwargs):
        started = time.perf_counter()
        self.in_flight += 1
        try:
            result = await method(query, parameters, *args, **kwargs) if parameters is not _NO_PARAMS else \
                await method(query, *args, **kwargs)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            duration, host = _measured(e, started)
            await self.record_query_metrics(query, duration, False, type(e).__name__, _count(parameters),
                                            host=host)
            raise
        finally:
            self.in_flight -= 1
        size = len(result) if hasattr(result, "__len__") else 0
        duration, host = _measured(result, started)
        await self.record_query_metrics(query, duration, True, None, _count(parameters), size, host)
        return result

    async def execute(self, query, parameters=None, *args, **kwargs):
        return await self._timed(self.session.execute, query, parameters, *args, **kwargs)

    async def execute_batch(self, batch_statement, *args, **kwargs):
        return await self._timed(self.session.execute_batch, batch_statement, _NO_PARAMS, *args, **kwargs)

    async def execute_stream(self, query, parameters=None, *args, **kwargs):
        return await self._timed(self.session.execute_stream, query, parameters, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.session, name)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.session.close()


_NO_PARAMS = object()


def _measured(outcome, started):
    """(duration, host): the engine's (the result's or the exception's
    _ac_request), else the time the call took here and no host."""
    info = getattr(outcome, "__dict__", {}).get("_ac_request")
    if info is not None:
        return info
    return time.perf_counter() - started, None


def _count(parameters):
    if parameters is None or parameters is _NO_PARAMS:
        return 0
    try:
        return len(parameters)
    except TypeError:
        return 0


def _query_text(query) -> str:
    if isinstance(query, str):
        return query
    for attr in ("query_string",):
        if hasattr(query, attr):
            return getattr(query, attr)
    if hasattr(query, "prepared_statement"):
        return query.prepared_statement.query_string
    return type(query).__name__


def create_metrics_system(session: Any = None, collectors: Optional[List[MetricsCollector]] = None,
                          backend: str = "memory", prometheus_enabled: bool = False) -> MetricsMiddleware:
    """A MetricsMiddleware over ``session`` with ``collectors`` (default: an in-memory
    collector, and a Prometheus one when prometheus_enabled)."""
    if collectors is None:
        collectors = [InMemoryMetricsCollector()] if backend == "memory" else []
        if prometheus_enabled:
            collectors.append(PrometheusMetricsCollector())
    return MetricsMiddleware(session, collectors)


__all__ = ["QueryMetrics", "ConnectionMetrics", "MetricsCollector", "InMemoryMetricsCollector",
           "PrometheusMetricsCollector", "MetricsMiddleware", "create_metrics_system"]

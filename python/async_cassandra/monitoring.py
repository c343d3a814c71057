"""ConnectionMonitor: host health from the engine's view of the cluster, a
latency probe per check, periodic monitoring with callbacks; and
RateLimitedSession, which bounds the requests in flight."""

import asyncio
import inspect
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

from .metrics import ConnectionMetrics

HOST_STATUS_UP = "up"
HOST_STATUS_DOWN = "down"
HOST_STATUS_UNKNOWN = "unknown"


@dataclass
class HostMetrics:
    address: str
    datacenter: Optional[str]
    rack: Optional[str]
    status: str
    release_version: Optional[str]
    connection_count: int
    latency_ms: Optional[float] = None
    last_error: Optional[str] = None
    last_check: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    requests_sent: int = 0


@dataclass
class ClusterMetrics:
    timestamp: datetime
    cluster_name: Optional[str]
    protocol_version: int
    hosts: List[HostMetrics]
    total_connections: int
    healthy_hosts: int
    unhealthy_hosts: int
    app_metrics: Dict[str, Any] = field(default_factory=dict)


class ConnectionMonitor:
    def __init__(self, session: Any, metrics: Any = None):
        self.session = getattr(session, "session", None) if hasattr(session, "collectors") else session
        self.metrics = metrics
        self._callbacks: List[Callable] = []
        self._task: Optional[asyncio.Task] = None

    def add_callback(self, callback: Callable[[ClusterMetrics], Any]) -> None:
        self._callbacks.append(callback)

    async def _probe(self):
        started = time.perf_counter()
        try:
            rs = await self.session.execute("SELECT cluster_name, release_version FROM system.local", timeout=5)
            return (time.perf_counter() - started) * 1000, rs.one(), None
        except Exception as e:
            return None, None, f"{type(e).__name__}: {e}"

    async def check_host_health(self, host: Any = None) -> HostMetrics:
        """The health of one host (its address) or of the cluster's first host."""
        metrics = await self.get_cluster_metrics()
        for h in metrics.hosts:
            if host is None or h.address == str(getattr(host, "address", host)):
                return h
        raise ValueError(f"no host {host!r} in the cluster")

    async def get_cluster_metrics(self) -> ClusterMetrics:
        cluster = self.session.cluster
        hosts = await cluster.hosts()
        latency, local, error = await self._probe()
        out = []
        for address, port, dc, rack, version, up, requests in hosts:
            out.append(HostMetrics(address=address, datacenter=dc or None, rack=rack or None,
                                   status=HOST_STATUS_UP if up else HOST_STATUS_DOWN,
                                   release_version=version or None, connection_count=1 if up else 0,
                                   latency_ms=latency, last_error=error, requests_sent=requests))
            if self.metrics is not None:
                await self.metrics.record_connection_metrics(ConnectionMetrics(
                    host=address, port=port, is_up=up, response_time=(latency or 0) / 1000,
                    error_count=0 if error is None else 1))
        healthy = sum(h.status == HOST_STATUS_UP for h in out)
        return ClusterMetrics(timestamp=datetime.now(timezone.utc),
                              cluster_name=getattr(local, "cluster_name", None),
                              protocol_version=cluster.protocol_version or 0, hosts=out,
                              total_connections=sum(h.connection_count for h in out),
                              healthy_hosts=healthy, unhealthy_hosts=len(out) - healthy)

    async def warmup_connections(self) -> None:
        """One request, so pools are open before the first real one."""
        await self._probe()

    async def start_monitoring(self, interval: float = 60) -> None:
        if self._task is not None and not self._task.done():
            return

        async def loop():
            while True:
                metrics = await self.get_cluster_metrics()
                for cb in self._callbacks:
                    result = cb(metrics)
                    if inspect.isawaitable(result):
                        await result
                await asyncio.sleep(interval)

        self._task = asyncio.get_running_loop().create_task(loop())

    async def stop_monitoring(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None


class RateLimitedSession:
    """At most ``max_concurrent`` requests in flight through it; the others wait."""

    def __init__(self, session: Any, max_concurrent: int = 100):
        if max_concurrent <= 0:
            raise ValueError("max_concurrent must be > 0")
        self.session = session
        self.max_concurrent = max_concurrent
        self._semaphore = asyncio.Semaphore(max_concurrent)
        self.total_requests = 0
        self.active_requests = 0

    async def _limited(self, method, *args, **kwargs):
        async with self._semaphore:
            self.total_requests += 1
            self.active_requests += 1
            try:
                return await method(*args, **kwargs)
            finally:
                self.active_requests -= 1

    async def execute(self, *args, **kwargs):
        return await self._limited(self.session.execute, *args, **kwargs)

    async def execute_batch(self, *args, **kwargs):
        return await self._limited(self.session.execute_batch, *args, **kwargs)

    async def prepare(self, *args, **kwargs):
        return await self._limited(self.session.prepare, *args, **kwargs)

    def get_stats(self) -> Dict[str, int]:
        return {"total_requests": self.total_requests, "active_requests": self.active_requests,
                "max_concurrent": self.max_concurrent}

    def __getattr__(self, name):
        return getattr(self.session, name)

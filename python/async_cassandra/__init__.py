"""async_cassandra: the async-cassandra asyncio API on a native C++20 engine
(CQL protocol v5/v4), with the DataStax driver's types and exceptions."""

from .cluster import AsyncCluster
from .exceptions import AsyncCassandraError, ConnectionError, QueryError
from .metrics import ConnectionMetrics, QueryMetrics
from .monitoring import ConnectionMonitor, RateLimitedSession
from .result import AsyncResultSet
from .retry_policy import AsyncRetryPolicy
from .session import AsyncCassandraSession
from .streaming import AsyncStreamingResultSet, StreamConfig

__version__ = "0.1.0"

__all__ = [
    "AsyncCluster",
    "AsyncCassandraSession",
    "AsyncResultSet",
    "AsyncStreamingResultSet",
    "StreamConfig",
    "AsyncRetryPolicy",
    "AsyncCassandraError",
    "ConnectionError",
    "QueryError",
    "ConnectionMetrics",
    "QueryMetrics",
    "ConnectionMonitor",
    "RateLimitedSession",
]

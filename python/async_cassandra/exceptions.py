"""The package's own exceptions (the seed's): server errors are not wrapped,
they are raised as the DataStax driver's classes (InvalidRequest, Unavailable,
ReadTimeout, WriteTimeout, OperationTimedOut, NoHostAvailable, ...)."""

from typing import Optional


class AsyncCassandraError(Exception):
    """Base of the package's errors; ``cause`` holds the original exception, if any."""

    def __init__(self, message: str, cause: Optional[BaseException] = None):
        super().__init__(message)
        self.cause = cause


class ConnectionError(AsyncCassandraError):  # noqa: A001 - the seed's name
    """Connecting failed, or the session/cluster is closed."""


class QueryError(AsyncCassandraError):
    """A failure that is not one of Cassandra's (the client could not send the request, ...)."""


class TimeoutError(AsyncCassandraError):  # noqa: A001 - the seed's name
    """An operation of the package itself (not a request) timed out."""


class AuthenticationError(AsyncCassandraError):
    """The server refused the credentials."""


class ConfigurationError(AsyncCassandraError):
    """An argument of AsyncCluster or a call is invalid."""


__all__ = [
    "AsyncCassandraError",
    "ConnectionError",
    "QueryError",
    "TimeoutError",
    "AuthenticationError",
    "ConfigurationError",
]

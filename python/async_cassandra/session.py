"""AsyncCassandraSession: execute, prepare, batch and stream on the engine."""

import asyncio
import time
from typing import Any, Dict, List, Optional, Union

from cassandra.cluster import EXEC_PROFILE_DEFAULT
from cassandra.encoder import Encoder
from cassandra.query import (FETCH_SIZE_UNSET, BatchStatement, BoundStatement, PreparedStatement, SimpleStatement,
                             Statement, bind_params, named_tuple_factory)

from asyncio.events import _get_running_loop

from ._rows import row_class
from .exceptions import ConnectionError
from .result import AsyncResultSet
from .retry_policy import request_retry_policy
from .streaming import AsyncStreamingResultSet, StreamConfig

_NOT_SET = object()
_ENCODER = Encoder()


def _seconds(timeout):
    if timeout is None or timeout is _NOT_SET:
        return None
    t = float(timeout)
    if t <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    return t


def _proxy_payload(custom_payload, execute_as):
    """execute_as: the driver's proxy execution, the "ProxyExecute" entry of the custom payload."""
    if not isinstance(execute_as, str) or not execute_as:
        raise TypeError(f"execute_as must be a user name (a non-empty str), not {execute_as!r}")
    return {**(custom_payload or {}), "ProxyExecute": execute_as.encode("utf-8")}


class AsyncCassandraSession:
    """Runs CQL on the cluster's engine. Made by ``AsyncCluster.connect()``."""

    def __init__(self, cluster, native, keyspace=None, metrics=None):
        self._cluster = cluster
        self._native = native
        self._bridge = cluster._bridge
        self._loop = cluster._bridge.loop
        self._keyspace = keyspace or None
        self._closed = False
        self._metrics = metrics
        self._retry_profile = cluster._retry_profile  # execute_fast's
        self._execute_fast = native.execute_fast
        self._default_profile = cluster._profiles[EXEC_PROFILE_DEFAULT]  # set once, in AsyncCluster()
        self.row_factory = None  # None: the execution profile's (named tuples by default)
        self.default_fetch_size = 5000

    # --- properties ---
    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def keyspace(self) -> Optional[str]:
        return self._keyspace

    @property
    def cluster(self):
        return self._cluster

    def _check_open(self):
        if self._closed:
            raise ConnectionError("Session is closed")
        self._bridge.check_loop()

    # --- options ---
    def _options(self, stmt, profile, timeout, trace, custom_payload, paging_state, fetch_size=None):
        """The tuple the engine reads (see python/src/options.hpp)."""
        cl = serial = ks = None
        idempotent = False
        payload = None
        if stmt is not None:
            cl = stmt.consistency_level
            serial = stmt.serial_consistency_level
            if stmt.fetch_size is not FETCH_SIZE_UNSET and stmt.fetch_size is not None:
                fetch_size = fetch_size or stmt.fetch_size
            idempotent = bool(stmt.is_idempotent)
            if isinstance(stmt, SimpleStatement):
                ks = stmt.keyspace
            payload = stmt.custom_payload
            paging_state = paging_state or getattr(stmt, "paging_state", None)
        if cl is None:
            cl = profile.consistency_level
        if serial is None:
            serial = profile.serial_consistency_level
        if timeout is _NOT_SET or timeout is None:
            timeout = profile.request_timeout if profile.request_timeout else None
        if custom_payload:
            payload = {**(payload or {}), **custom_payload}
        return (cl, serial, fetch_size, _seconds(timeout), idempotent, ks, bool(trace) or None, paging_state,
                payload or None, None)

    def _row_factory(self, profile):
        if self.row_factory is not None:
            return self.row_factory
        return profile.row_factory or named_tuple_factory

    def _statement(self, query, parameters):
        """(native call, args) for str / SimpleStatement / PreparedStatement / BoundStatement."""
        if isinstance(query, str):
            stmt = None
            text = query
        elif isinstance(query, SimpleStatement):
            stmt = query
            text = query.query_string
        elif isinstance(query, PreparedStatement):
            stmt = query.bind(parameters if parameters is not None else ())
            return stmt, self._native_prepared(query), stmt.values
        elif isinstance(query, BoundStatement):
            if parameters:
                raise ValueError("parameters cannot be given with a BoundStatement (bind them into it)")
            return query, self._native_prepared(query.prepared_statement), query.values
        else:
            raise TypeError(f"query must be a str, SimpleStatement, PreparedStatement or BoundStatement, "
                            f"not {type(query).__name__}")
        if parameters:
            text = bind_params(text, parameters, _ENCODER)
        return stmt, text, None

    def _host_endpoint(self, host):
        """The "address:port" of execute(host=...): a str "address" or
        "address:port", or the driver's Host (its endpoint)."""
        port = self._cluster._config["port"]
        if isinstance(host, str):
            address = host
            if address.count(":") == 1:
                address, _, p = address.partition(":")
                try:
                    port = int(p)
                except ValueError:
                    raise ValueError(f"host={host!r}: the port is not a number") from None
        else:
            endpoint = getattr(host, "endpoint", None)
            address = getattr(endpoint, "address", None) or getattr(host, "address", None)
            port = getattr(endpoint, "port", None) or port
            if not isinstance(address, str):
                raise TypeError(f"host must be an address (str) or a cassandra.pool.Host, not {type(host).__name__}")
        if not address:
            raise ValueError("host= is empty")
        return f"{address}:{port}"

    def _with_profile(self, opts, stmt, profile, endpoint):
        """opts with the engine profile (python/src/pinned.hpp) of the pinned
        host and the request's retry policy, when it needs one."""
        name = self._cluster._engine_profile(endpoint, request_retry_policy(stmt, profile))
        return opts if name is None else opts + (name,)

    @staticmethod
    def _native_prepared(prepared):
        native = getattr(prepared, "_ac_native", None)
        if native is None:
            raise ValueError("this PreparedStatement was not made by AsyncCassandraSession.prepare()")
        return native

    # --- execute ---
    async def execute(
        self,
        query: Union[str, SimpleStatement, PreparedStatement, BoundStatement],
        parameters: Optional[Union[List, Dict]] = None,
        trace: bool = False,
        custom_payload: Optional[Dict[str, bytes]] = None,
        timeout: Any = _NOT_SET,
        execution_profile: Any = EXEC_PROFILE_DEFAULT,
        paging_state: Optional[bytes] = None,
        host: Optional[Any] = None,
        execute_as: Optional[str] = None,
    ) -> AsyncResultSet:
        """Runs a statement. Reads every page (as the seed does) unless ``paging_state``
        is given, then only that page; ``timeout`` bounds the whole call, every page included."""
        # The hot path: a prepared statement with positional values and no
        # per-call options. The values are encoded and the rows made in the
        # bridge (python/src/requests.cpp, execute_fast); anything it does not
        # take (a value its serializer refuses, a dict of values, ...) returns
        # None there and goes the general way below, which raises the driver's errors.
        if (query.__class__ is PreparedStatement and not trace and custom_payload is None
                and (timeout is _NOT_SET or timeout is None) and paging_state is None and host is None
                and execute_as is None and not self._closed and _get_running_loop() is self._loop):
            if execution_profile is EXEC_PROFILE_DEFAULT:
                profile = self._default_profile
            else:
                profile = self._cluster._profiles.get(execution_profile) if execution_profile.__hash__ else None
            native = query.__dict__.get("_ac_native")
            if profile is not None and native is not None:
                factory = self.row_factory or profile.row_factory or named_tuple_factory
                started = time.monotonic()
                # An awaitable in place of a future: cancelling the task cancels the request.
                req = self._execute_fast(native, query, parameters, profile, factory is named_tuple_factory, self._loop,
                                         self._retry_profile)
                if req is not None:
                    result = await req
                    if result.__class__ is tuple:  # rows the row factory makes
                        result = AsyncResultSet._from_page(result, factory)
                    if result.paging_state is None:
                        return result
                    # More pages: the general path reads them.
                    stmt, target, values = self._statement(query, parameters)
                    opts = self._with_profile(self._options(stmt, profile, timeout, trace, custom_payload, None),
                                              stmt, profile, "")
                    return await self._rest(result, (None, None, result.paging_state), target, values, opts,
                                            started, factory)
        self._check_open()
        if execute_as is not None:
            custom_payload = _proxy_payload(custom_payload, execute_as)
        endpoint = self._host_endpoint(host) if host is not None else ""
        if isinstance(query, BatchStatement):
            return await self._execute_batch(query, trace, custom_payload, timeout, execution_profile, endpoint)
        profile = self._cluster._profile(execution_profile)
        stmt, target, values = self._statement(query, parameters)
        opts = self._with_profile(self._options(stmt, profile, timeout, trace, custom_payload, paging_state),
                                  stmt, profile, endpoint)
        started = time.monotonic()
        rows_factory = self._row_factory(profile)
        start = self._native.execute_prepared if values is not None else self._native.execute
        args = (target, values, opts) if values is not None else (target, None, None, opts)
        page = await self._bridge.call(start, *args)
        result = AsyncResultSet._from_page(page, rows_factory)
        if result.trace_id is not None:
            result._session = self  # for get_query_trace
        if paging_state is not None:
            return result
        return await self._rest(result, page, target, values, opts, started, rows_factory)

    async def _rest(self, result, page, target, values, opts, started, rows_factory):
        """Every further page, as the seed's execute; cancelling stops at once."""
        total = opts[3]
        call = self._bridge.call
        start = self._native.execute_prepared if values is not None else self._native.execute
        while page[2] is not None:
            remaining = None
            if total is not None:
                remaining = total - (time.monotonic() - started)
                if remaining <= 0:
                    from cassandra import OperationTimedOut
                    raise OperationTimedOut(f"execute: the pages did not all arrive within {total} s")
            next_opts = opts[:3] + (remaining if remaining is not None else opts[3],) + opts[4:7] + (page[2],) + opts[8:]
            args = (target, values, next_opts) if values is not None else (target, None, None, next_opts)
            page = await call(start, *args)
            result._extend(page, rows_factory)
        return result

    async def execute_batch(
        self,
        batch_statement: BatchStatement,
        trace: bool = False,
        custom_payload: Optional[Dict[str, bytes]] = None,
        timeout: Any = _NOT_SET,
        execution_profile: Any = EXEC_PROFILE_DEFAULT,
    ) -> AsyncResultSet:
        """Runs a BatchStatement (simple and prepared statements, mixed)."""
        return await self._execute_batch(batch_statement, trace, custom_payload, timeout, execution_profile, "")

    async def _execute_batch(self, batch_statement, trace, custom_payload, timeout, execution_profile, endpoint):
        self._check_open()
        if not isinstance(batch_statement, BatchStatement):
            raise TypeError(f"execute_batch takes a BatchStatement, not {type(batch_statement).__name__}")
        profile = self._cluster._profile(execution_profile)
        entries = []
        prepared = self._prepared_by_id
        for is_prepared, stmt, params in batch_statement._statements_and_parameters:
            if is_prepared:
                native = prepared.get(stmt)
                if native is None:
                    raise ValueError("the batch holds a prepared statement this session did not prepare")
                entries.append((native, list(params)))
            else:
                entries.append((stmt, list(params) if params else None))
        opts = self._options(batch_statement, profile, timeout, trace, custom_payload, None)
        opts = opts[:2] + (None,) + opts[3:7] + (None, opts[8], batch_statement.timestamp if hasattr(batch_statement, "timestamp") else None)
        opts = self._with_profile(opts, batch_statement, profile, endpoint)
        btype = batch_statement.batch_type.value if batch_statement.batch_type is not None else 0
        page = await self._bridge.call(self._native.execute_batch, btype, entries, opts)
        result = AsyncResultSet._from_page(page, self._row_factory(profile))
        if result.trace_id is not None:
            result._session = self  # for get_query_trace
        return result

    # --- prepare ---
    @property
    def _prepared_by_id(self):
        return self._cluster._prepared_by_id

    async def prepare(self, query: str, custom_payload: Optional[Dict[str, bytes]] = None,
                      timeout: Optional[float] = None) -> PreparedStatement:
        """Prepares ``query``; returns the driver's PreparedStatement (bind(), attributes)."""
        self._check_open()
        if isinstance(query, SimpleStatement):
            query = query.query_string
        if not isinstance(query, str):
            raise TypeError(f"prepare takes the query text, not {type(query).__name__}")
        opts = (None, None, None, _seconds(timeout), None, None, None, None, custom_payload or None, None)
        native = await self._bridge.call(self._native.prepare, query, "", opts)
        types = self._cluster._types
        ps = PreparedStatement(
            column_metadata=types.column_metadata(native.variables),
            query_id=native.id,
            routing_key_indexes=native.pk_indexes,
            query=query,
            keyspace=native.keyspace or self._keyspace,
            protocol_version=types.protocol_version,
            result_metadata=types.column_metadata(native.result_columns),
            result_metadata_id=native.result_metadata_id,
        )
        ps._ac_native = native
        native.setup_fast([c.type.serialize for c in ps.column_metadata], types.protocol_version,
                          row_class([c.name for c in ps.result_metadata or ()]))
        self._prepared_by_id[native.id] = native
        return ps

    # --- streaming ---
    async def execute_stream(
        self,
        query: Union[str, SimpleStatement, PreparedStatement, BoundStatement],
        parameters: Optional[Union[list, tuple, dict]] = None,
        stream_config: Optional[StreamConfig] = None,
        **kwargs,
    ) -> AsyncStreamingResultSet:
        """Streams the rows page by page: the engine fetches one page ahead while you consume."""
        self._check_open()
        config = stream_config or StreamConfig()
        profile = self._cluster._profile(kwargs.pop("execution_profile", EXEC_PROFILE_DEFAULT))
        timeout = kwargs.pop("timeout", _NOT_SET)
        trace = kwargs.pop("trace", False)
        payload = kwargs.pop("custom_payload", None)
        paging_state = kwargs.pop("paging_state", None)
        if kwargs:
            raise TypeError(f"execute_stream: unexpected arguments {sorted(kwargs)}")
        stmt, target, values = self._statement(query, parameters)
        opts = self._options(stmt, profile, timeout, trace, payload, paging_state, fetch_size=config.fetch_size)
        opts = self._with_profile(opts, stmt, profile, "")
        cfg = (config.fetch_size, config.max_pages or None, config.timeout_seconds)
        native = await self._bridge.call(self._native.execute_stream, target, values, opts, cfg)
        return AsyncStreamingResultSet(self._bridge, native, self._row_factory(profile), config)

    # --- keyspace and lifecycle ---
    async def set_keyspace(self, keyspace: str) -> None:
        """Switches the session's keyspace: checked with USE, then a session of the
        engine bound to it takes over (with v5 every request names its keyspace)."""
        self._check_open()
        if not isinstance(keyspace, str) or not keyspace:
            raise ValueError(f"invalid keyspace name {keyspace!r}")
        quoted = '"' + keyspace.replace('"', '""') + '"'
        await self.execute(f"USE {quoted}")
        native = await self._bridge.call(self._cluster._native.open_session, keyspace)
        old, self._native = self._native, native
        self._execute_fast = native.execute_fast
        self._keyspace = keyspace
        # Requests still running on the old one finish there.
        await self._bridge.call(old.close)

    async def _trace(self, trace_id, max_wait_sec):
        """The driver's QueryTrace, filled from the engine's query_trace."""
        import uuid as _uuid
        from datetime import datetime, timedelta, timezone

        from cassandra.query import QueryTrace, TraceEvent

        self._check_open()
        wait = 2.0 if max_wait_sec is None else float(max_wait_sec)
        request, _command, coordinator, client, duration_us, started_ms, params, events = await self._bridge.call(
            self._native.get_trace, trace_id.bytes, wait)
        t = QueryTrace(trace_id, None)
        t.request_type = request
        t.duration = timedelta(microseconds=duration_us)
        # A naive UTC datetime, as the driver reads system_traces.sessions.started_at.
        t.started_at = datetime.fromtimestamp(started_ms / 1000, tz=timezone.utc).replace(tzinfo=None)
        t.coordinator = coordinator
        t.client = client
        t.parameters = params
        t.events = tuple(TraceEvent(activity, _uuid.UUID(bytes=eid), source, elapsed, thread)
                         for eid, activity, source, elapsed, thread in events)
        return t

    async def stats(self) -> dict:
        """The engine's counters: requests in flight and queued, orphaned stream ids,
        requests sent, retries, connections (include/async_cassandra/session_stats.hpp)."""
        self._check_open()
        return await self._bridge.call(self._native.stats)

    async def close(self) -> None:
        """Lets requests in flight finish (at most close_timeout), then closes; no fixed sleep."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._bridge.call(self._native.close)
        finally:
            self._cluster._forget_session(self)

    async def __aenter__(self) -> "AsyncCassandraSession":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

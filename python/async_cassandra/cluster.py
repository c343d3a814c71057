"""AsyncCluster: the seed's cluster API on the native engine."""

import asyncio
import ssl
from typing import Any, Dict, List, Optional

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import EXEC_PROFILE_DEFAULT, ExecutionProfile

from ._bridge import Bridge
from ._metadata import build_metadata
from ._types import TypeRegistry
from .exceptions import ConfigurationError, ConnectionError
from .retry_policy import AsyncRetryPolicy, engine_retry_key, engine_retry_spec, profile_retry_policy
from .session import AsyncCassandraSession

# Driver options that mean nothing here (the engine has its own threads,
# pools and event handling); accepted so code written for the seed runs.
_IGNORED = {
    "load_balancing_policy", "reconnection_policy", "executor_threads", "schema_event_refresh_window",
    "topology_event_refresh_window", "status_event_refresh_window", "control_connection_timeout",
    "compression", "metrics_enabled", "cql_version", "connection_class", "allow_beta_protocol_version",
    "schema_metadata_enabled", "token_metadata_enabled", "prepare_on_all_hosts", "reprepare_on_up",
    "monitor_reporting_enabled", "idle_heartbeat_timeout", "application_name", "application_version",
}


def _tls_options(ssl_context, ssl_options):
    """The engine's TLS options from the driver's ssl_options dict (file paths)."""
    opts = dict(ssl_options or {})
    tls = {}
    if "ca_certs" in opts:
        tls["ca_file"] = opts.pop("ca_certs")
    if "certfile" in opts:
        tls["cert_file"] = opts.pop("certfile")
    if "keyfile" in opts:
        tls["key_file"] = opts.pop("keyfile")
    if "password" in opts:
        tls["key_password"] = opts.pop("password")
    if "server_hostname" in opts:
        tls["server_name"] = opts.pop("server_hostname")
    if "check_hostname" in opts:
        tls["verify_host"] = bool(opts.pop("check_hostname"))
    if "cert_reqs" in opts:
        tls["verify_peer"] = opts.pop("cert_reqs") != ssl.CERT_NONE
    if opts:
        raise ConfigurationError(f"ssl_options: unsupported keys {sorted(opts)}")
    if ssl_context is not None:
        # OpenSSL in the engine, not Python's ssl: the context's settings
        # that can be read are honoured; certificates come from ssl_options.
        if ssl_context.verify_mode == ssl.CERT_NONE:
            tls.setdefault("verify_peer", False)
        if not ssl_context.check_hostname:
            tls.setdefault("verify_host", False)
    return tls


class AsyncCluster:
    """Cluster configuration and lifecycle (``async with AsyncCluster(...) as cluster``)."""

    def __init__(
        self,
        contact_points: Optional[List[str]] = None,
        port: int = 9042,
        auth_provider: Optional[Any] = None,
        load_balancing_policy: Optional[Any] = None,
        reconnection_policy: Optional[Any] = None,
        retry_policy: Optional[Any] = None,
        ssl_context: Optional[Any] = None,
        protocol_version: Optional[int] = None,
        executor_threads: int = 2,
        max_schema_agreement_wait: int = 10,
        control_connection_timeout: float = 2.0,
        idle_heartbeat_interval: float = 30.0,
        schema_event_refresh_window: float = 2.0,
        topology_event_refresh_window: float = 10.0,
        status_event_refresh_window: float = 2.0,
        **kwargs: Any,
    ):
        if contact_points is None:
            contact_points = ["127.0.0.1"]
        if isinstance(contact_points, str):
            raise ConfigurationError("contact_points must be a list of hosts, not a string")
        if protocol_version is not None and protocol_version < 5:
            raise ConfigurationError(
                f"protocol_version={protocol_version}: protocol v5 or higher is required")
        self._config: Dict[str, Any] = {
            "contact_points": [str(h) for h in contact_points],
            "port": int(port),
            "max_schema_agreement_wait": float(max_schema_agreement_wait),
            "idle_heartbeat_interval": float(idle_heartbeat_interval),
        }
        if protocol_version is not None:
            self._config["protocol_version"] = int(protocol_version)
        if auth_provider is not None:
            if not isinstance(auth_provider, PlainTextAuthProvider):
                raise ConfigurationError("auth_provider: only PlainTextAuthProvider (username/password) is supported")
            self._config["username"] = auth_provider.username
            self._config["password"] = auth_provider.password
        tls = _tls_options(ssl_context, kwargs.pop("ssl_options", None))
        if ssl_context is not None or tls:
            self._config["tls"] = tls
        for key in ("connect_timeout", "close_timeout", "connections_per_host", "max_requests_per_connection",
                    "max_queued_requests"):
            if key in kwargs:
                self._config[key] = kwargs.pop(key)
        if "compression" in kwargs and isinstance(kwargs["compression"], str):
            self._config["compression"] = kwargs.pop("compression")
        self._profiles: Dict[Any, ExecutionProfile] = dict(kwargs.pop("execution_profiles", None) or {})
        self._profiles.setdefault(EXEC_PROFILE_DEFAULT, ExecutionProfile())
        for profile in self._profiles.values():
            # A bad policy is refused here, not at execute.
            engine_retry_key(profile_retry_policy(getattr(profile, "retry_policy", None)))
        unknown = set(kwargs) - _IGNORED
        if unknown:
            raise ConfigurationError(f"AsyncCluster: unknown arguments {sorted(unknown)}")
        self.retry_policy = retry_policy or AsyncRetryPolicy()
        engine_retry_spec(self.retry_policy)  # a bad policy is refused here, not at connect
        self.load_balancing_policy = load_balancing_policy
        self.reconnection_policy = reconnection_policy
        self._types = TypeRegistry()
        self._bridge: Optional[Bridge] = None
        self._native = None
        self._connecting: Optional[asyncio.Future] = None
        self._sessions: List[AsyncCassandraSession] = []
        self._closed = False
        self._metadata = None
        self._prepared_by_id = {}  # query id -> native prepared statement (for batches)
        # ("address:port" of execute(host=...) or "", retry key or "") -> the
        # engine profile that has them (python/src/pinned.hpp).
        self._engine_profiles = {}
        self._retry_key = None  # the engine key of the retry policy connected with

    @classmethod
    def create_with_auth(cls, contact_points: List[str], username: str, password: str, **kwargs) -> "AsyncCluster":
        """A cluster that authenticates with username and password."""
        return cls(contact_points=contact_points, auth_provider=PlainTextAuthProvider(username, password), **kwargs)

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def protocol_version(self) -> Optional[int]:
        return self._native.protocol_version if self._native is not None else None

    async def _ensure_connected(self, timeout):
        if self._native is not None:
            self._bridge.check_loop()
            return
        loop = asyncio.get_running_loop()
        if self._bridge is None:
            self._bridge = Bridge(loop, self._types)
        self._bridge.check_loop()
        if self._connecting is None:
            # The retry policy as set now (the engine decides retries: python/src/retry.cpp).
            config = {**self._config, "retry": engine_retry_spec(self.retry_policy)}
            self._retry_key = engine_retry_key(self.retry_policy)
            self._connecting = loop.create_task(self._bridge.call(self._bridge.engine.connect, config))
        try:
            native = await asyncio.wait_for(asyncio.shield(self._connecting), timeout)
        except asyncio.TimeoutError:
            raise ConnectionError(f"Failed to connect to cluster: no connection within {timeout} s") from None
        except asyncio.CancelledError:
            raise
        except Exception as e:
            self._connecting = None
            raise ConnectionError(f"Failed to connect to cluster: {e}", e) from e
        if self._native is None:
            if native.protocol_version < 5:
                # The seed's contract: v5 or nothing (the engine itself could go on with v4).
                await self._bridge.call(native.close)
                self._connecting = None
                raise ConnectionError(f"Connected with protocol v{native.protocol_version} but v5+ is required; "
                                      "upgrade Cassandra to 4.0 or later")
            self._native = native
            self._types.protocol_version = native.protocol_version
            await self.refresh_metadata()

    async def connect(self, keyspace: Optional[str] = None, timeout: Optional[float] = None) -> AsyncCassandraSession:
        """Connects (once per cluster) and opens a session, optionally in ``keyspace``."""
        if self._closed:
            raise ConnectionError("Cluster is closed")
        await self._ensure_connected(timeout)
        try:
            native = await asyncio.wait_for(self._bridge.call(self._native.open_session, keyspace or ""), timeout)
        except asyncio.TimeoutError:
            raise ConnectionError(f"Failed to open a session within {timeout} s") from None
        session = AsyncCassandraSession(self, native, keyspace)
        self._sessions.append(session)
        return session

    async def shutdown(self) -> None:
        """Closes every session and connection; returns when they are closed (no fixed sleep)."""
        if self._closed:
            return
        self._closed = True
        for s in list(self._sessions):
            await s.close()
        if self._native is not None:
            await self._bridge.call(self._native.close)
        if self._bridge is not None:
            self._bridge.stop()

    close = shutdown

    def _forget_session(self, session):
        if session in self._sessions:
            self._sessions.remove(session)

    def register_user_type(self, keyspace: str, user_type: str, cls: type) -> None:
        """Rows then read UDT ``keyspace.user_type`` as instances of ``cls`` (built with field keywords)."""
        self._types.register_user_type(keyspace, user_type, cls)

    @property
    def metadata(self):
        """Keyspaces, tables, columns and user types as last read by the engine (a snapshot;
        refresh with ``await cluster.refresh_metadata()``)."""
        return self._metadata

    async def refresh_metadata(self):
        if self._native is None:
            raise ConnectionError("Cluster is not connected")
        raw = await self._bridge.call(self._native.metadata)
        self._metadata = build_metadata(raw, self._types)
        return self._metadata

    async def hosts(self):
        """[(address, port, datacenter, rack, release_version, is_up, requests_sent)] as the engine knows them."""
        if self._native is None:
            raise ConnectionError("Cluster is not connected")
        return await self._bridge.call(self._native.hosts)

    async def metrics_text(self) -> str:
        """The engine's own metrics (requests, errors by kind, retries, timeouts, orphaned
        streams, connections, bytes, latency histograms; cluster-wide and per host) in the
        Prometheus text format: serve it next to prometheus_client's output (docs/metrics.md)."""
        if self._native is None:
            raise ConnectionError("Cluster is not connected")
        return await self._bridge.call(self._native.metrics_text)

    def _engine_profile(self, endpoint, policy):
        """The engine profile (None: none) that runs a request on ``endpoint``
        alone ("address:port"; "": any host) with retry policy ``policy``
        (None: the cluster's)."""
        key = "" if policy is None else engine_retry_key(policy)
        if key == self._retry_key:
            key = ""
        if not endpoint and not key:
            return None
        name = self._engine_profiles.get((endpoint, key))
        if name is None:
            spec = engine_retry_spec(policy) if key else None
            name = self._engine_profiles[(endpoint, key)] = self._native.profile(endpoint, key, spec)
        return name

    def _retry_profile(self, statement_policy, profile_policy):
        """execute_fast's: the engine profile of a statement's and a profile's retry policies."""
        if statement_policy is None:
            statement_policy = profile_retry_policy(profile_policy)
        return self._engine_profile("", statement_policy)

    def _profile(self, profile):
        if isinstance(profile, ExecutionProfile):
            return profile
        try:
            return self._profiles[profile]
        except KeyError:
            raise ValueError(f"execution profile {profile!r} does not exist") from None

    async def __aenter__(self) -> "AsyncCluster":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.shutdown()

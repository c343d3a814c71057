"""Engine errors as the exceptions the DataStax driver raises for the same
server answer or client failure (used by the native bridge)."""

from cassandra import ConsistencyLevel, OperationTimedOut, WriteType
from cassandra.cluster import NoHostAvailable
from cassandra.connection import ConnectionShutdown
from cassandra.protocol import ErrorMessage, error_classes

from .exceptions import AuthenticationError, ConnectionError, QueryError

# client_errc values (include/async_cassandra/error.hpp).
_CONNECT_FAILED = 1
_HANDSHAKE_FAILED = 2
_PROTOCOL_VERSION_REJECTED = 3
_AUTHENTICATION_REQUIRED = 4
_REQUEST_TIMEOUT = 5
_CONNECTION_CLOSED = 6
_NO_HOST_AVAILABLE = 8
_SESSION_CLOSED = 10
_TLS_HANDSHAKE_FAILED = 16
_CONNECT_ERRORS = {_CONNECT_FAILED, _HANDSHAKE_FAILED, _PROTOCOL_VERSION_REJECTED, _NO_HOST_AVAILABLE,
                   _TLS_HANDSHAKE_FAILED}


def _cl(details):
    cl = details.get("consistency")
    return cl if cl in ConsistencyLevel.value_to_name else None


def _write_type(name):
    return WriteType.name_to_value.get(name, name)


def _info(code, d):
    """The ``info`` the driver's ErrorMessage subclass for ``code`` reads off the wire."""
    if d is None:
        return None
    if code == 0x1000:
        return {"consistency": _cl(d), "required_replicas": d["required"], "alive_replicas": d["alive"]}
    if code == 0x1100:
        return {"consistency": _cl(d), "received_responses": d["received"], "required_responses": d["block_for"],
                "write_type": _write_type(d["write_type"])}
    if code == 0x1200:
        return {"consistency": _cl(d), "received_responses": d["received"], "required_responses": d["block_for"],
                "data_retrieved": d["data_present"]}
    if code in (0x1300, 0x1500):
        codes = d["reason_map"] or None
        info = {"consistency": _cl(d), "received_responses": d["received"], "required_responses": d["block_for"],
                "failures": d["num_failures"], "error_code_map": codes}
        if code == 0x1300:
            info["data_retrieved"] = d["data_present"]
        else:
            info["write_type"] = _write_type(d["write_type"])
        return info
    if code == 0x1400:
        return {"keyspace": d["keyspace"], "function": d["function"], "arg_types": d["arg_types"]}
    if code == 0x2400:
        return {"keyspace": d["keyspace"], "table": d["table"]}
    if code == 0x2500:
        return d["unprepared_id"]
    return None


def server_exception(code, message, details):
    cls = error_classes.get(code, ErrorMessage)
    try:
        return cls(code=code, message=message, info=_info(code, details)).to_exception()
    except Exception:  # details the driver's class cannot take: keep the class and message
        return cls(code=code, message=message, info=None)


def make_error(category, code, message, host, details):
    """Called by the bridge for every failed operation."""
    if category == "server":
        exc = server_exception(code, message, details)
        if code == 0x0100:  # bad credentials
            return AuthenticationError(str(exc), exc)
        return exc
    if category == "client":
        where = f" ({host})" if host else ""
        if code == _REQUEST_TIMEOUT:
            return OperationTimedOut(message, last_host=host or None)
        if code in _CONNECT_ERRORS:
            return NoHostAvailable(message, {host or "all hosts": ConnectionError(message)})
        if code == _AUTHENTICATION_REQUIRED:
            return AuthenticationError(message + where)
        if code == _CONNECTION_CLOSED:
            return ConnectionShutdown(message + where)
        if code == _SESSION_CLOSED:
            return ConnectionError(message)
        return QueryError(message + where)
    return QueryError(message)

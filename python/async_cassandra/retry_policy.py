"""AsyncRetryPolicy: the seed's retry rules, as a driver RetryPolicy, and
how retry policies reach the engine: the cluster's ``retry_policy``, an
``ExecutionProfile``'s and a statement's (statement over profile over
cluster, as the driver).

The engine decides retries (python/src/retry.cpp): ``AsyncRetryPolicy``
itself (the default) runs there natively with the same rules and
``max_retries``, without calling Python; the driver's
``FallthroughRetryPolicy`` too. Any other ``RetryPolicy`` (a subclass of
this one, the driver's ``RetryPolicy``, ``DowngradingConsistencyRetryPolicy``,
your own) is called by the engine when an attempt fails — read timeout,
write timeout, unavailable, or a request error (overloaded, bootstrapping,
server error, truncate error, a lost connection, a client timeout) — with
the GIL, on the engine thread: keep it quick. Its ``query`` argument is a
:class:`RetryQuery` (``is_idempotent``, ``consistency_level``), not the
statement. Whatever the policy says, the engine never resends a
non-idempotent request that may have run on the server."""

import sys

from cassandra import ConsistencyLevel, WriteType
from cassandra.policies import FallthroughRetryPolicy, RetryPolicy


class AsyncRetryPolicy(RetryPolicy):
    def __init__(self, max_retries: int = 3):
        super().__init__()
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, not {max_retries!r}")
        self.max_retries = max_retries

    def on_read_timeout(self, query, consistency, required_responses, received_responses, data_retrieved, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        if received_responses >= required_responses and not data_retrieved:
            return self.RETRY, consistency
        if data_retrieved:
            return self.RETRY, consistency
        return self.RETHROW, None

    def on_write_timeout(self, query, consistency, write_type, required_responses, received_responses, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        if getattr(query, "is_idempotent", None) is not True:
            return self.RETHROW, None
        if write_type in (WriteType.SIMPLE, WriteType.BATCH, WriteType.UNLOGGED_BATCH):
            return self.RETRY, consistency
        return self.RETHROW, None

    def on_unavailable(self, query, consistency, required_replicas, alive_replicas, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        if retry_num == 0:
            return self.RETRY_NEXT_HOST, consistency
        return self.RETRY, consistency

    def on_request_error(self, query, consistency, error, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        return self.RETRY_NEXT_HOST, consistency


class RetryQuery:
    """What a Python retry policy gets as ``query``: the failed request's
    idempotence and consistency level (the engine runs the statement)."""

    __slots__ = ("is_idempotent", "consistency_level")

    def __init__(self, is_idempotent, consistency_level):
        self.is_idempotent = is_idempotent
        self.consistency_level = consistency_level

    def __repr__(self):
        return f"RetryQuery(is_idempotent={self.is_idempotent}, consistency_level={self.consistency_level})"


_SEED_METHODS = ("on_read_timeout", "on_write_timeout", "on_unavailable", "on_request_error")


def _is_native_seed(policy) -> bool:
    """AsyncRetryPolicy, or a subclass that changes none of its decisions."""
    if not isinstance(policy, AsyncRetryPolicy):
        return False
    cls = type(policy)
    return all(getattr(cls, m) is getattr(AsyncRetryPolicy, m) for m in _SEED_METHODS)


def _check(policy):
    if not isinstance(policy, RetryPolicy):
        missing = [m for m in _SEED_METHODS if not callable(getattr(policy, m, None))]
        if missing:
            raise TypeError(f"retry_policy must be a cassandra.policies.RetryPolicy (or have {', '.join(missing)}), "
                            f"not {type(policy).__name__}")


def engine_retry_spec(policy):
    """The engine's retry policy for a ``retry_policy`` (see python/src/retry.hpp)."""
    if policy is None:
        return ("seed", 3)
    if _is_native_seed(policy):
        return ("seed", int(policy.max_retries))
    if type(policy) is FallthroughRetryPolicy:
        return ("fallthrough",)
    _check(policy)
    return ("python", _decider(policy))


def engine_retry_key(policy) -> str:
    """A name for the engine policy ``engine_retry_spec(policy)`` makes: the
    same name, the same decisions (the native ones by value, any other policy
    by identity). Raises TypeError as engine_retry_spec for a policy the engine
    cannot run."""
    if policy is None:
        return "seed:3"
    if _is_native_seed(policy):
        return f"seed:{int(policy.max_retries)}"
    if type(policy) is FallthroughRetryPolicy:
        return "fallthrough"
    _check(policy)
    # The engine keeps the policy (its decider holds it) as long as the
    # cluster: the id is not reused meanwhile.
    return f"python:{id(policy):x}"


def request_retry_policy(statement, profile):
    """The retry policy a request runs with, None for the cluster's: the
    statement's ``retry_policy``, else its execution profile's. A profile's
    ``RetryPolicy`` of the driver's base class exactly is what
    ``ExecutionProfile()`` fills in when given none, so it means "not set"
    here (the cluster's policy applies); give a subclass of it to have its
    rules in one profile only."""
    policy = getattr(statement, "retry_policy", None) if statement is not None else None
    if policy is None:
        return profile_retry_policy(getattr(profile, "retry_policy", None))
    return policy


def profile_retry_policy(policy):
    """An ExecutionProfile's ``retry_policy`` as set by its user: None when
    ``ExecutionProfile()`` filled it in (see request_retry_policy)."""
    if policy is None or type(policy) is RetryPolicy:
        return None
    return policy


def _decider(policy):
    from ._errors import make_error

    def decide(kind, consistency, a, b, c, retry_num, idempotent, error):
        query = RetryQuery(idempotent, consistency)
        cl = consistency if consistency in ConsistencyLevel.value_to_name else None
        if kind == 0:
            decision = policy.on_read_timeout(query, cl, a, b, bool(c), retry_num)
        elif kind == 1:
            decision = policy.on_write_timeout(query, cl, WriteType.name_to_value.get(c, c), a, b, retry_num)
        elif kind == 2:
            decision = policy.on_unavailable(query, cl, a, b, retry_num)
        else:
            category, code, message = error
            decision = policy.on_request_error(query, cl, make_error(category, code, message, "", None), retry_num)
        what, level = decision
        if what not in (RetryPolicy.RETRY, RetryPolicy.RETHROW, RetryPolicy.IGNORE, RetryPolicy.RETRY_NEXT_HOST):
            print(f"async_cassandra: retry policy {type(policy).__name__} returned {decision!r}; rethrowing",
                  file=sys.stderr)
            return (RetryPolicy.RETHROW, None)
        return (what, int(level) if level is not None else None)

    return decide

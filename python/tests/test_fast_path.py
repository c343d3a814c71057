"""The hot path of execute (a PreparedStatement with positional values,
python/src/requests.cpp execute_fast): values encoded in the bridge must read
back as the driver's bind would have written them, bad values must raise the
driver's own errors, and the statement's attributes must be honoured even
when they change between calls."""

import asyncio
import contextvars
import uuid
from decimal import Decimal

import pytest
from cassandra import ConsistencyLevel, Unavailable
from cassandra.query import UNSET_VALUE, SimpleStatement, dict_factory, named_tuple_factory

TABLE = "fast_path"


@pytest.fixture
async def table(session):
    await session.execute(f"DROP TABLE IF EXISTS {TABLE}")
    await session.execute(
        f"CREATE TABLE {TABLE} (k bigint PRIMARY KEY, t text, a ascii, b blob, o boolean, i8 tinyint, "
        "i16 smallint, i32 int, f float, d double, u uuid, dec decimal)")
    return TABLE


COLUMNS = "k, t, a, b, o, i8, i16, i32, f, d, u, dec"
ROW = (2 ** 63 - 1, "héllo ✓", "plain", b"\x00\xffblob", True, -128, 32767, -2 ** 31, 1.5, -2.25,
       uuid.UUID("12345678-1234-5678-1234-567812345678"), Decimal("3.14"))


async def test_values_read_back_as_written(session, table):
    insert = await session.prepare(f"INSERT INTO {table} ({COLUMNS}) VALUES ({', '.join('?' * 12)})")
    await session.execute(insert, ROW)
    # Python types the native encoders do not take go through the driver's serializer:
    # an int for a double, a bytearray for a blob.
    await session.execute(insert, [1, None, None, bytearray(b"ba"), False, 0, 0, 0, 2.0, 7, None, None])
    # UNSET leaves a column as it is.
    await session.execute(insert, (1, "set", UNSET_VALUE, UNSET_VALUE, UNSET_VALUE, UNSET_VALUE, UNSET_VALUE,
                                   UNSET_VALUE, UNSET_VALUE, UNSET_VALUE, UNSET_VALUE, UNSET_VALUE))
    rows = {r.k: r for r in await session.execute(SimpleStatement(f"SELECT {COLUMNS} FROM {table}"))}
    assert tuple(rows[ROW[0]]) == ROW
    assert tuple(rows[1]) == (1, "set", None, b"ba", False, 0, 0, 0, 2.0, 7.0, None, None)
    assert type(rows[1].d) is float

    select = await session.prepare(f"SELECT {COLUMNS} FROM {table} WHERE k = ?")
    row = (await session.execute(select, [ROW[0]])).one()
    assert tuple(row) == ROW
    assert type(row).__name__ == "Row" and row.t == ROW[1] and row._fields == tuple(COLUMNS.split(", "))
    assert (await session.execute(select, [12345])).one() is None


@pytest.mark.parametrize("values", [
    ("not an int", "t"),     # str for bigint
    (1, 5),                  # int for text
    (2 ** 63, "t"),          # out of bigint's range
    (1, "t", "extra"),       # too many
])
async def test_bad_values_raise_the_drivers_errors(session, table, values):
    insert = await session.prepare(f"INSERT INTO {table} (k, t) VALUES (?, ?)")
    with pytest.raises(Exception) as expected:
        insert.bind(values)
    with pytest.raises(type(expected.value)) as got:
        await session.execute(insert, values)
    assert str(got.value) == str(expected.value)


async def test_fewer_values_leave_the_rest_unset(session, table):
    insert = await session.prepare(f"INSERT INTO {table} (k, t) VALUES (?, ?)")
    await session.execute(insert, (5,))  # the driver binds UNSET to the missing markers (v4+)
    assert tuple((await session.execute(f"SELECT k, t FROM {table} WHERE k = 5")).one()) == (5, None)


async def test_out_of_range_small_ints_and_floats(session, table):
    insert = await session.prepare(f"INSERT INTO {table} (k, i8, i16, i32, f) VALUES (?, ?, ?, ?, ?)")
    for bad in ([1, 128, 0, 0, 0.0], [1, 0, -32769, 0, 0.0], [1, 0, 0, 2 ** 31, 0.0], [1, 0, 0, 0, 1e300]):
        with pytest.raises(Exception) as expected:
            insert.bind(bad)
        with pytest.raises(type(expected.value)):
            await session.execute(insert, bad)
    assert (await session.execute(f"SELECT count(*) FROM {table}")).one()[0] == 0


async def test_statement_attributes_are_read_on_every_call(session, table):
    insert = await session.prepare(f"INSERT INTO {table} (k, t) VALUES (?, ?)")
    await session.execute(insert, (1, "a"))
    insert.consistency_level = ConsistencyLevel.THREE  # one node: the server refuses
    with pytest.raises(Unavailable):
        await session.execute(insert, (2, "b"))
    insert.consistency_level = None
    await session.execute(insert, (2, "b"))

    select = await session.prepare(f"SELECT k FROM {table}")
    for k in range(3, 12):
        await session.execute(insert, (k, "x"))
    select.fetch_size = 2  # every page is read, as the seed's execute
    rows = await session.execute(select)
    assert sorted(r.k for r in rows) == list(range(1, 12))


async def test_row_factory_honoured(session, table):
    insert = await session.prepare(f"INSERT INTO {table} (k, t) VALUES (?, ?)")
    await session.execute(insert, (1, "a"))
    select = await session.prepare(f"SELECT k, t FROM {table} WHERE k = ?")
    session.row_factory = dict_factory
    assert (await session.execute(select, [1])).one() == {"k": 1, "t": "a"}
    session.row_factory = named_tuple_factory
    assert (await session.execute(select, [1])).one().t == "a"
    # Named values (a dict) take the general path, with the same result.
    named = await session.prepare(f"SELECT k, t FROM {table} WHERE k = :k")
    assert (await session.execute(named, {"k": 1})).one() == (1, "a")


# The hot path's request is an awaitable of the bridge's own (python/src/awaitable.cpp),
# whose task is woken directly by the loop's reader. A task must still resume in its own
# context, and the asyncio tools that wrap or cancel an awaitable must work on it.
async def test_each_task_resumes_in_its_own_context(session, table):
    select = await session.prepare(f"SELECT k FROM {table} WHERE k = ?")
    var = contextvars.ContextVar("who")

    async def one(i):
        var.set(i)
        await session.execute(select, [i])
        await session.execute(select, [i])
        return var.get()

    assert await asyncio.gather(*(one(i) for i in range(300))) == list(range(300))


async def test_wait_for_shield_and_task_cancel(session, table):
    insert = await session.prepare(f"INSERT INTO {table} (k, t) VALUES (?, ?)")
    select = await session.prepare(f"SELECT t FROM {table} WHERE k = ?")
    await asyncio.wait_for(session.execute(insert, (1, "w")), 10)
    assert (await asyncio.shield(session.execute(select, [1]))).one().t == "w"
    # A timeout that expires before any answer: the request is cancelled, the
    # session goes on.
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(session.execute(select, [1]) for _ in range(2000))), 0.0001)
    task = asyncio.ensure_future(session.execute(select, [1]))
    await asyncio.sleep(0)
    assert task.cancel("stop")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await session.execute(select, [1])).one().t == "w"


async def test_the_awaitable_keeps_the_future_protocol(session, table):
    """The bridge's awaitable, reached through the session's internals: every
    done callback runs once with it, a removed one not at all, and result,
    exception, done, cancelled and cancel answer as an asyncio future's do."""
    from cassandra.cluster import EXEC_PROFILE_DEFAULT

    select = await session.prepare(f"SELECT k FROM {table} WHERE k = ?")
    native = select.__dict__["_ac_native"]
    profile = session._cluster._profiles[EXEC_PROFILE_DEFAULT]

    def start():
        return session._execute_fast(native, select, [1], profile, True, session._loop, session._retry_profile)

    req = start()
    assert not req.done() and not req.cancelled() and req.get_loop() is session._loop
    with pytest.raises(asyncio.InvalidStateError):
        req.result()
    seen = []
    first, second, removed = (lambda f: seen.append(("first", f))), (lambda f: seen.append(("second", f))), \
        (lambda f: seen.append(("removed", f)))
    req.add_done_callback(first)
    req.add_done_callback(removed)
    req.add_done_callback(second, context=contextvars.copy_context())
    assert req.remove_done_callback(removed) == 1
    result = await req
    await asyncio.sleep(0)
    assert req.done() and not req.cancelled() and req.exception() is None and req.result() is result
    assert result.one() is None  # no row with k = 1 in the empty table
    assert seen == [("first", req), ("second", req)]
    late = []
    req.add_done_callback(late.append)  # after done: scheduled on the loop, as a future does
    await asyncio.sleep(0)
    assert late == [req]

    other = start()
    assert other.cancel(msg="stop") and not other.cancel()
    assert other.done() and other.cancelled()
    with pytest.raises(asyncio.CancelledError):
        other.result()
    with pytest.raises(asyncio.CancelledError):
        await other
    assert (await session.execute(select, [1])).one() is None

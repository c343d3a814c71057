"""Every CQL type: written with the driver's Python values through a prepared
statement, read back, and compared with the values and Python types the
DataStax driver gives for the same columns (its cqltypes deserialize what
it serializes; the native decoder must agree with it)."""

import datetime
import ipaddress
import uuid
from collections import namedtuple
from decimal import Decimal

import pytest
from cassandra.cqltypes import lookup_casstype
from cassandra.util import Date, Duration, OrderedMapSerializedKey, SortedSet, Time

COLUMNS = {
    "a_ascii": ("ascii", "plain ascii"),
    "a_bigint": ("bigint", -9223372036854775808),
    "a_blob": ("blob", b"\x00\x01binary\xff"),
    "a_boolean": ("boolean", True),
    "a_date": ("date", Date(datetime.date(2024, 2, 29))),
    "a_decimal": ("decimal", Decimal("-1234567890.0987654321")),
    "a_double": ("double", 2.718281828459045),
    "a_duration": ("duration", Duration(1, 2, 3_000_000_004)),
    "a_float": ("float", 1.5),
    "a_inet": ("inet", "2001:db8::1"),
    "a_int": ("int", -2147483648),
    "a_smallint": ("smallint", -32768),
    "a_text": ("text", "héllo wörld ✓"),
    "a_time": ("time", Time(datetime.time(23, 59, 59, 999999))),
    "a_timestamp": ("timestamp", datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)),
    "a_timeuuid": ("timeuuid", uuid.UUID("8a8f4a1e-0b6c-11ef-9262-0242ac120002")),
    "a_tinyint": ("tinyint", -128),
    "a_uuid": ("uuid", uuid.UUID("1e4a5b4e-3a4f-4b4b-9c1d-2b1e3a4f5c6d")),
    "a_varchar": ("varchar", ""),
    "a_varint": ("varint", 123456789012345678901234567890),
    "a_list": ("list<int>", [3, 1, 2]),
    "a_set": ("set<text>", SortedSet(["b", "a"])),
    "a_map": ("map<text, int>", {"x": 1, "y": 2}),
    "a_tuple": ("tuple<int, text, boolean>", (1, "t", False)),
    "a_nested": ("frozen<list<map<text, frozen<set<int>>>>>", [{"k": SortedSet([1, 2])}]),
    "a_vector": ("vector<float, 3>", [1.0, 2.5, -3.0]),
}


@pytest.fixture
async def typed(session):
    await session.execute("DROP TABLE IF EXISTS all_types")
    await session.execute("DROP TYPE IF EXISTS address")
    await session.execute("CREATE TYPE address (street text, zip int, tags frozen<set<text>>)")
    cols = ", ".join(f"{name} {cql}" for name, (cql, _) in COLUMNS.items())
    await session.execute(f"CREATE TABLE all_types (k int PRIMARY KEY, {cols}, a_udt frozen<address>)")
    return session


async def insert_every_type(session):
    """Row k=1 of all_types: every column's value of COLUMNS, and a UDT (returned)."""
    names = list(COLUMNS)
    insert = await session.prepare(
        f"INSERT INTO all_types (k, {', '.join(names)}, a_udt) VALUES (?, {', '.join('?' * len(names))}, ?)")
    udt = namedtuple("Addr", "street zip tags")("Main", 12345, SortedSet(["x"]))
    await session.execute(insert, [1] + [v for _, v in COLUMNS.values()] + [udt])
    return udt


def driver_read(cql_type_class, value, protocol_version=5):
    """What the DataStax driver reads back for `value` written as that type."""
    return cql_type_class.from_binary(cql_type_class.to_binary(value, protocol_version), protocol_version)


async def test_every_type_round_trips_as_the_driver_reads_it(typed):
    session = typed
    names = list(COLUMNS)
    udt = await insert_every_type(session)
    select = await session.prepare(f"SELECT {', '.join(names)}, a_udt FROM all_types WHERE k = ?")
    row = (await session.execute(select, [1])).one()
    meta = {c.name: c.type for c in select.result_metadata}
    for name, (cql, written) in COLUMNS.items():
        got = getattr(row, name)
        expected = driver_read(meta[name], written)
        assert got == expected, f"{name} ({cql}): {got!r} != {expected!r}"
        assert type(got) is type(expected), f"{name} ({cql}): {type(got)} is not {type(expected)}"
    # Spot checks of the driver's types.
    assert isinstance(row.a_date, Date) and isinstance(row.a_time, Time) and isinstance(row.a_duration, Duration)
    assert isinstance(row.a_map, OrderedMapSerializedKey) and isinstance(row.a_set, SortedSet)
    assert row.a_inet == str(ipaddress.ip_address("2001:db8::1"))
    assert row.a_udt.street == "Main" and row.a_udt.zip == 12345 and row.a_udt.tags == SortedSet(["x"])
    assert row.a_udt == driver_read(meta["a_udt"], udt)


async def test_nulls_and_simple_statement_reads(typed):
    session = typed
    await session.execute("INSERT INTO all_types (k) VALUES (2)")
    row = (await session.execute("SELECT * FROM all_types WHERE k = 2")).one()
    for name in COLUMNS:
        assert getattr(row, name) is None, name
    assert row.a_udt is None
    # The same values through a simple statement (client-side formatting, as the driver).
    await session.execute("INSERT INTO all_types (k, a_int, a_text, a_list, a_map) VALUES (%s, %s, %s, %s, %s)",
                          [3, 42, "it's", [1, 2], {"a": 1}])
    row = (await session.execute("SELECT a_int, a_text, a_list, a_map FROM all_types WHERE k = 3")).one()
    assert (row.a_int, row.a_text, row.a_list, dict(row.a_map)) == (42, "it's", [1, 2], {"a": 1})


async def test_register_user_type_maps_udts_to_a_class(cluster, typed):
    session = typed

    class Address:
        def __init__(self, street=None, zip=None, tags=None):
            self.street, self.zip, self.tags = street, zip, tags

    await session.execute("INSERT INTO all_types (k, a_udt) VALUES (4, {street: 'Elm', zip: 1, tags: {'q'}})")
    before = (await session.execute("SELECT a_udt FROM all_types WHERE k = 4")).one().a_udt
    assert isinstance(before, tuple) and before.street == "Elm"
    cluster.register_user_type("py_test", "address", Address)
    after = (await session.execute("SELECT a_udt FROM all_types WHERE k = 4")).one().a_udt
    assert isinstance(after, Address)
    assert (after.street, after.zip, after.tags) == ("Elm", 1, SortedSet(["q"]))


async def test_counter(session):
    await session.execute("CREATE TABLE IF NOT EXISTS counts (k int PRIMARY KEY, c counter)")
    await session.execute("TRUNCATE counts")
    inc = await session.prepare("UPDATE counts SET c = c + ? WHERE k = 1")
    for _ in range(3):
        await session.execute(inc, [5])
    assert (await session.execute("SELECT c FROM counts WHERE k = 1")).one().c == 15


async def test_value_of_the_wrong_type_is_a_clear_error(typed):
    insert = await typed.prepare("INSERT INTO all_types (k, a_int) VALUES (?, ?)")
    with pytest.raises(TypeError):
        await typed.execute(insert, [1, "not an int"])


def _driver_rows(query):
    """The rows the DataStax driver itself reads from the node (a real connection of
    the driver, in this test only, as the reference reader)."""
    from cassandra.cluster import Cluster

    from conftest import HOST, KEYSPACE

    cluster = Cluster([HOST], protocol_version=5)
    try:
        return list(cluster.connect(KEYSPACE).execute(query))
    finally:
        cluster.shutdown()


async def test_every_type_as_the_driver_reads_the_same_rows(typed):
    import asyncio

    session = typed
    names = list(COLUMNS)
    udt = await insert_every_type(session)
    await session.execute("INSERT INTO all_types (k) VALUES (2)")  # every column null
    query = f"SELECT k, {', '.join(names)}, a_udt FROM all_types"
    theirs = {r.k: r for r in await asyncio.to_thread(_driver_rows, query)}
    select = await session.prepare(query)
    for source in (await session.execute(query), await session.execute(select)):  # simple and prepared
        ours = {r.k: r for r in source}
        assert sorted(ours) == sorted(theirs) == [1, 2]
        for k in (1, 2):
            assert ours[k]._fields == theirs[k]._fields
            for name in names:
                got, expected = getattr(ours[k], name), getattr(theirs[k], name)
                assert got == expected, f"row {k}, {name}: {got!r} != {expected!r}"
                assert type(got) is type(expected), f"row {k}, {name}: {type(got)} is not {type(expected)}"
        # The UDT: the driver makes a class of its own per type; fields and values agree.
        assert ours[1].a_udt._fields == theirs[1].a_udt._fields
        assert tuple(ours[1].a_udt) == tuple(theirs[1].a_udt)
        assert ours[2].a_udt is None and theirs[2].a_udt is None

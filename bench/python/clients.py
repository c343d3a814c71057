"""One Python client on cqlbench's workload, run by compare.py in that client's
own virtual environment: prepared single-row INSERT and SELECT on
py_bench.kv (k bigint PRIMARY KEY, v blob), 100-byte blob, uniform keys,
N requests in flight (N asyncio tasks, each awaiting its request).

    python clients.py CLIENT --host H [--port P] --seconds S --concurrency 64 256 --keys K [--prefill]

CLIENT: async_cassandra (this package, or the seed: both import as
async_cassandra), driver (the DataStax driver's execute_async bridged to
asyncio futures), acsylla, scyllapy; floor (no client: the harness's own
cost, each request a future resolved by call_soon). Prints one JSON object per phase:
{"client", "workload", "concurrency", "ops", "cpu_us"} where cpu_us is the
process's CPU time (every thread: engine, driver I/O threads) over the
requests completed in the phase, and ops the requests per second."""

import argparse
import asyncio
import json
import os
import random
import sys
import time

INSERT = "INSERT INTO py_bench.kv (k, v) VALUES (?, ?)"
SELECT = "SELECT k, v FROM py_bench.kv WHERE k = ?"
SCHEMA = ("CREATE KEYSPACE IF NOT EXISTS py_bench WITH replication = "
          "{'class': 'SimpleStrategy', 'replication_factor': 1}",
          "CREATE TABLE IF NOT EXISTS py_bench.kv (k bigint PRIMARY KEY, v blob)")


async def setup_async_cassandra(host, port, metrics="off"):
    from async_cassandra import AsyncCluster

    cluster = AsyncCluster([host], port=port)
    session = await cluster.connect()
    for ddl in SCHEMA:  # a fresh node has none (compare.py's prefill runs this client first)
        await session.execute(ddl)
    ins, sel = await session.prepare(INSERT), await session.prepare(SELECT)
    target = session
    if metrics == "listener":  # the engine reports each request to Python (what MetricsMiddleware turns on)
        session._bridge.engine.set_recording(True)
    elif metrics == "middleware":
        from async_cassandra.metrics import InMemoryMetricsCollector, MetricsMiddleware

        target = MetricsMiddleware(session, [InMemoryMetricsCollector()])

    async def insert(k, v):
        await target.execute(ins, (k, v))

    async def select(k):
        return (await target.execute(sel, (k,))).one()

    return insert, select, cluster.shutdown


async def setup_driver(host, port):
    from cassandra.cluster import Cluster

    loop = asyncio.get_running_loop()
    cluster = Cluster([host], port=port)
    session = cluster.connect()
    ins, sel = session.prepare(INSERT), session.prepare(SELECT)

    def bridged(rf):
        fut = loop.create_future()

        def ok(rows):
            loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(rows))

        def err(e):
            loop.call_soon_threadsafe(lambda: fut.done() or fut.set_exception(e))

        rf.add_callbacks(ok, err)
        return fut

    async def insert(k, v):
        await bridged(session.execute_async(ins, (k, v)))

    async def select(k):
        rows = await bridged(session.execute_async(sel, (k,)))
        return rows[0] if rows else None

    async def close():
        cluster.shutdown()

    return insert, select, close


async def setup_acsylla(host, port):
    import acsylla

    cluster = acsylla.create_cluster([host], port=port)
    session = await cluster.create_session()
    ins, sel = await session.create_prepared(INSERT), await session.create_prepared(SELECT)

    async def insert(k, v):
        await session.execute(ins.bind([k, v]))

    async def select(k):
        return (await session.execute(sel.bind([k]))).first()

    return insert, select, session.close


async def setup_scyllapy(host, port):
    from scyllapy import Scylla
    from scyllapy.extra_types import BigInt

    scylla = Scylla([f"{host}:{port}"])
    await scylla.startup()
    ins, sel = await scylla.prepare(INSERT), await scylla.prepare(SELECT)

    async def insert(k, v):
        await scylla.execute(ins, [BigInt(k), v])

    async def select(k):
        return (await scylla.execute(sel, [BigInt(k)])).first()

    return insert, select, scylla.shutdown


async def setup_floor(host, port):
    """No client: each request a future that call_soon resolves. What the
    harness and one asyncio wake-up cost, whatever the client."""
    loop = asyncio.get_running_loop()

    async def request(*_):
        fut = loop.create_future()
        loop.call_soon(fut.set_result, None)
        await fut

    async def close():
        pass

    return request, request, close


SETUPS = {"async_cassandra": setup_async_cassandra, "floor": setup_floor, "driver": setup_driver, "acsylla": setup_acsylla,
          "scyllapy": setup_scyllapy}


async def phase(op, make, concurrency, seconds):
    done = 0
    stop = time.monotonic() + seconds

    async def worker():
        nonlocal done
        while time.monotonic() < stop:
            await op(*make())
            done += 1

    cpu0, t0 = time.process_time(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    return done / wall, cpu / max(done, 1) * 1e6


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("client", choices=sorted(SETUPS))
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9042)
    ap.add_argument("--metrics", choices=["off", "listener", "middleware"], default="off",
                    help="async_cassandra only: the engine's request listener on, or MetricsMiddleware in front")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--prefill", action="store_true", help="write every key once first (no figures)")
    args = ap.parse_args()
    extra = {"metrics": args.metrics} if args.client == "async_cassandra" else {}
    insert, select, close = await SETUPS[args.client](args.host, args.port, **extra)
    blob = os.urandom(100)
    keys = args.keys
    try:
        if args.prefill:
            it = iter(range(keys))

            async def writer():
                for k in it:
                    await insert(k, blob)

            await asyncio.gather(*(writer() for _ in range(256)))
            # Every key must read back, or the SELECT figures would time misses.
            for k in (0, keys // 2, keys - 1):
                if await select(k) is None:
                    sys.exit(f"prefill: key {k} did not read back")
        # A short warm-up (connections, prepared statements, JIT-free caches).
        await phase(select, lambda: (random.randrange(keys),), 64, min(1.0, args.seconds))
        for c in args.concurrency:
            for name, op, make in (("INSERT", insert, lambda: (random.randrange(keys), blob)),
                                   ("SELECT", select, lambda: (random.randrange(keys),))):
                ops, cpu = await phase(op, make, c, args.seconds)
                print(json.dumps({"client": args.client, "workload": name, "concurrency": c, "ops": round(ops),
                                  "cpu_us": round(cpu, 2)}), flush=True)
    finally:
        await close()


if __name__ == "__main__":
    asyncio.run(main())

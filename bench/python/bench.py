"""Client CPU per request and ops/s of async_cassandra on the cqlbench workload:
prepared single-row SELECT and INSERT, 100-byte blob, uniform keys, N in flight.

    python bench/python/bench.py [--host 127.0.0.1] [--seconds 10] [--concurrency 64 256] [--keys 100000]

Client CPU is the process's CPU time (the engine thread included) over the
requests completed; pin the client (taskset -c 1) and the node (core 0) for
figures comparable with docs/benchmarks.md."""

import argparse
import asyncio
import os
import random
import time

from async_cassandra import AsyncCluster


async def run(session, stmt, make_args, concurrency, seconds):
    done = 0
    stop = time.monotonic() + seconds

    async def worker():
        nonlocal done
        while time.monotonic() < stop:
            await session.execute(stmt, make_args())
            done += 1

    cpu0, t0 = time.process_time(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    return done / wall, cpu / done * 1e6


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    ap.add_argument("--keys", type=int, default=100_000)
    args = ap.parse_args()
    setup = ["CREATE KEYSPACE IF NOT EXISTS py_bench WITH replication = "
             "{'class': 'SimpleStrategy', 'replication_factor': 1}",
             "CREATE TABLE IF NOT EXISTS py_bench.kv (k bigint PRIMARY KEY, v blob)"]
    async with AsyncCluster([args.host]) as cluster:
        session = await cluster.connect()
        for cql in setup:
            await session.execute(cql)
        insert, select = [await session.prepare(q) for q in (
            "INSERT INTO py_bench.kv (k, v) VALUES (?, ?)", "SELECT k, v FROM py_bench.kv WHERE k = ?")]
        blob = os.urandom(100)
        keys = args.keys
        print(f"{'workload':<8} {'in flight':>9} {'ops/s':>9} {'CPU µs/req':>11}")
        for c in args.concurrency:
            for name, stmt, make in (("INSERT", insert, lambda: (random.randrange(keys), blob)),
                                     ("SELECT", select, lambda: (random.randrange(keys),))):
                ops, cpu = await run(session, stmt, make, c, args.seconds)
                print(f"{name:<8} {c:>9} {ops:>9.0f} {cpu:>11.1f}")


if __name__ == "__main__":
    asyncio.run(main())

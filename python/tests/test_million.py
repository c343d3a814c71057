"""Streaming 1,000,000 rows: every row arrives once, in order per partition,
and the process's RSS stays bounded by the pages held, not the result."""

import asyncio
import os

from cassandra.query import BatchStatement, BatchType

from async_cassandra import StreamConfig

PARTITIONS, PER_PARTITION = 100, 10_000
TOTAL = PARTITIONS * PER_PARTITION


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def load(session):
    await session.execute("CREATE TABLE IF NOT EXISTS million (p int, c int, v bigint, PRIMARY KEY (p, c))")
    await session.execute("CREATE TABLE IF NOT EXISTS million_loaded (k int PRIMARY KEY, rows int)")
    done = (await session.execute("SELECT rows FROM million_loaded WHERE k = 0")).one()
    if done is not None and done.rows == TOTAL:
        return
    insert = await session.prepare("INSERT INTO million (p, c, v) VALUES (?, ?, ?)")
    sem = asyncio.Semaphore(128)

    async def batch(p, start):
        b = BatchStatement(batch_type=BatchType.UNLOGGED)
        for c in range(start, start + 100):
            b.add(insert, (p, c, p * PER_PARTITION + c))
        async with sem:
            await session.execute_batch(b)

    await asyncio.gather(*(batch(p, s) for p in range(PARTITIONS) for s in range(0, PER_PARTITION, 100)))
    await session.execute("INSERT INTO million_loaded (k, rows) VALUES (0, %s)", [TOTAL])


async def test_stream_a_million_rows_in_bounded_memory(session):
    await load(session)
    config = StreamConfig(fetch_size=5000)
    count = checksum = 0
    peak = 0
    async with await session.execute_stream("SELECT p, c, v FROM million", stream_config=config) as result:
        async for page in result.pages():
            if result.page_number == 2:
                baseline = rss_bytes()  # after the first pages: interpreter, caches and a page warmed up
            elif result.page_number > 2:
                peak = max(peak, rss_bytes())
            for row in page:
                assert row.v == row.p * PER_PARTITION + row.c
                checksum += row.v
            count += len(page)
    assert count == TOTAL
    assert checksum == TOTAL * (TOTAL - 1) // 2
    # 200 full pages (the server may end with an empty one).
    assert result.page_number in (TOTAL // 5000, TOTAL // 5000 + 1)
    # Holding the whole result would take hundreds of MB; the stream holds two pages.
    growth = peak - baseline
    assert growth < 32 * 1024 * 1024, f"RSS grew by {growth / 2**20:.1f} MiB while streaming"
    print(f"RSS growth while streaming {TOTAL} rows: {growth / 2**20:.1f} MiB")

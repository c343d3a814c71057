"""Streams a table to CSV page by page, with progress on the event loop.

    python examples/python/stream_export.py [host] > rows.csv
"""

import asyncio
import csv
import sys

from async_cassandra import AsyncCluster, StreamConfig


async def main(host: str) -> None:
    async with AsyncCluster([host]) as cluster:
        session = await cluster.connect()

        def progress(page: int, total: int) -> None:
            print(f"page {page}: {total} rows", file=sys.stderr)

        out = csv.writer(sys.stdout)
        config = StreamConfig(fetch_size=1000, page_callback=progress)
        async with await session.execute_stream(
                "SELECT keyspace_name, table_name, column_name, type FROM system_schema.columns",
                stream_config=config) as result:
            async for page in result.pages():
                out.writerows(page)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"))

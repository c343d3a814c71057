"""The first program of docs/python.md: a keyspace, a table, a prepared insert and select.

    python examples/python/hello.py [host]
"""

import asyncio
import sys
import uuid

from async_cassandra import AsyncCluster


async def main(host: str) -> None:
    async with AsyncCluster([host]) as cluster:
        session = await cluster.connect()
        await session.execute("CREATE KEYSPACE IF NOT EXISTS py_examples WITH replication = "
                              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        await session.set_keyspace("py_examples")
        await session.execute("CREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY, name text, email text)")
        insert = await session.prepare("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")
        uid = uuid.uuid4()
        await session.execute(insert, [uid, "Alice", "alice@example.com"])
        select = await session.prepare("SELECT * FROM users WHERE id = ?")
        user = (await session.execute(select, [uid])).one()
        print(f"{user.name} <{user.email}>")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"))

"""A FastAPI service on async_cassandra: user CRUD, a streamed listing and
query metrics. One cluster and session for the app's lifetime (its event loop).

    pip install fastapi uvicorn
    AC_HOST=127.0.0.1 uvicorn fastapi_app:app     (from examples/python)
"""

import os
import uuid
from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from async_cassandra import AsyncCluster, StreamConfig
from async_cassandra.metrics import InMemoryMetricsCollector, create_metrics_system

KEYSPACE = os.environ.get("AC_KEYSPACE", "py_fastapi")
collector = InMemoryMetricsCollector()
state = {}


class UserIn(BaseModel):
    name: str
    email: str
    age: Optional[int] = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    cluster = AsyncCluster([os.environ.get("AC_HOST", "127.0.0.1")])
    session = await cluster.connect()
    await session.execute(f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = "
                          "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    await session.set_keyspace(KEYSPACE)
    await session.execute("CREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY, name text, email text, age int)")
    state["session"] = create_metrics_system(session, [collector])
    state["insert"] = await session.prepare("INSERT INTO users (id, name, email, age) VALUES (?, ?, ?, ?)")
    state["select"] = await session.prepare("SELECT id, name, email, age FROM users WHERE id = ?")
    state["delete"] = await session.prepare("DELETE FROM users WHERE id = ?")
    yield
    await cluster.shutdown()


app = FastAPI(lifespan=lifespan)


def user_json(row):
    return {"id": str(row.id), "name": row.name, "email": row.email, "age": row.age}


@app.post("/users", status_code=201)
async def create_user(user: UserIn):
    uid = uuid.uuid4()
    await state["session"].execute(state["insert"], [uid, user.name, user.email, user.age])
    return {"id": str(uid), **user.model_dump()}


@app.get("/users/{user_id}")
async def get_user(user_id: uuid.UUID):
    row = (await state["session"].execute(state["select"], [user_id])).one()
    if row is None:
        raise HTTPException(status_code=404, detail="no such user")
    return user_json(row)


@app.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: uuid.UUID):
    await state["session"].execute(state["delete"], [user_id])


@app.get("/users")
async def list_users(limit: int = 100):
    out = []
    config = StreamConfig(fetch_size=100)
    async with await state["session"].execute_stream("SELECT id, name, email, age FROM users",
                                                     stream_config=config) as rows:
        async for row in rows:
            out.append(user_json(row))
            if len(out) >= limit:
                break
    return out


@app.get("/stats")
async def stats():
    s = collector.get_stats()
    return {"total_queries": s["total_queries"], "failed_queries": s["failed_queries"]}

"""examples/python/fastapi_app.py exercised with httpx (in-process ASGI),
1,000 concurrent HTTP requests included."""

import asyncio
import os
import sys

import httpx

from conftest import HOST

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))


async def test_fastapi_service(monkeypatch):
    monkeypatch.setenv("AC_HOST", HOST)
    monkeypatch.setenv("AC_KEYSPACE", "py_fastapi")
    import fastapi_app

    app = fastapi_app.app
    async with app.router.lifespan_context(app):
        await fastapi_app.state["session"].execute("TRUNCATE users")  # a known start, run after run
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            created = await client.post("/users", json={"name": "Ann", "email": "ann@example.com", "age": 33})
            assert created.status_code == 201
            uid = created.json()["id"]
            got = await client.get(f"/users/{uid}")
            assert got.json() == {"id": uid, "name": "Ann", "email": "ann@example.com", "age": 33}

            # 1,000 concurrent requests: 500 creations and 500 reads.
            creations = [client.post("/users", json={"name": f"u{i}", "email": f"u{i}@x", "age": i})
                         for i in range(500)]
            reads = [client.get(f"/users/{uid}") for _ in range(500)]
            responses = await asyncio.gather(*creations, *reads)
            assert [r.status_code for r in responses[:500]] == [201] * 500
            assert all(r.json()["name"] == "Ann" for r in responses[500:])
            new_ids = {r.json()["id"] for r in responses[:500]}
            assert len(new_ids) == 500

            listed = await client.get("/users", params={"limit": 10_000})
            assert new_ids | {uid} <= {u["id"] for u in listed.json()}
            assert (await client.delete(f"/users/{uid}")).status_code == 204
            assert (await client.get(f"/users/{uid}")).status_code == 404
            assert (await client.get("/users/not-a-uuid")).status_code == 422
            stats = (await client.get("/stats")).json()
            assert stats["total_queries"] >= 1004 and stats["failed_queries"] == 0

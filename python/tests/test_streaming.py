"""execute_stream: rows and pages, StreamConfig, page_callback on the loop thread."""

import asyncio
import threading

import pytest
from cassandra.query import SimpleStatement

from async_cassandra import AsyncStreamingResultSet, StreamConfig

ROWS = 2345


@pytest.fixture
async def filled(session):
    await session.execute("CREATE TABLE IF NOT EXISTS streamed (p int, c int, v text, PRIMARY KEY (p, c))")
    count = (await session.execute("SELECT count(*) FROM streamed WHERE p = 0")).one()[0]
    if count != ROWS:
        await session.execute("TRUNCATE streamed")
        insert = await session.prepare("INSERT INTO streamed (p, c, v) VALUES (0, ?, ?)")
        await asyncio.gather(*(session.execute(insert, [i, f"v{i}"]) for i in range(ROWS)))
    return session


async def test_rows_pages_and_counters(filled):
    calls = []
    loop_thread = threading.get_ident()

    def progress(page_no, total):
        calls.append((page_no, total, threading.get_ident()))

    config = StreamConfig(fetch_size=500, page_callback=progress)
    async with await filled.execute_stream("SELECT c, v FROM streamed WHERE p = 0", stream_config=config) as result:
        assert isinstance(result, AsyncStreamingResultSet)
        seen = [row.c async for row in result]
    assert seen == list(range(ROWS))
    assert result.page_number == 5 and result.total_rows_fetched == ROWS
    assert result.is_closed
    # Running totals, in order, on the loop's thread (never an engine thread).
    assert [(p, t) for p, t, _ in calls] == [(1, 500), (2, 1000), (3, 1500), (4, 2000), (5, ROWS)]
    assert {tid for _, _, tid in calls} == {loop_thread}


async def test_pages_and_max_pages(filled):
    stmt = await filled.prepare("SELECT c FROM streamed WHERE p = ?")
    sizes = []
    async with await filled.execute_stream(stmt, [0], stream_config=StreamConfig(fetch_size=1000)) as result:
        async for page in result.pages():
            sizes.append(len(page))
            assert result.page_number == len(sizes)
    assert sizes == [1000, 1000, ROWS - 2000]
    async with await filled.execute_stream(SimpleStatement("SELECT c FROM streamed WHERE p = 0"),
                                           stream_config=StreamConfig(fetch_size=100, max_pages=2)) as result:
        assert len([r async for r in result]) == 200
        assert result.paging_state is not None


async def test_close_midway_then_session_still_serves(filled):
    result = await filled.execute_stream("SELECT c FROM streamed WHERE p = 0",
                                         stream_config=StreamConfig(fetch_size=100))
    first = [await result.__anext__() for _ in range(150)]
    assert [r.c for r in first] == list(range(150))
    await result.close()
    assert [r async for r in result] == []
    assert (await filled.execute("SELECT count(*) FROM streamed WHERE p = 0")).one()[0] == ROWS


def test_stream_config_rejects_bad_values():
    with pytest.raises(ValueError, match="fetch_size"):
        StreamConfig(fetch_size=0)
    with pytest.raises(ValueError, match="timeout_seconds"):
        StreamConfig(timeout_seconds=-1)
    with pytest.raises(ValueError, match="page_callback"):
        StreamConfig(page_callback=3)

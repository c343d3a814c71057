"""Streaming large results: StreamConfig and AsyncStreamingResultSet.

Unlike the seed: the engine fetches the next page while you consume the
current one (prefetch 1); closing abandons the page in flight; timeout_seconds
bounds the whole stream; page_callback runs on the event loop after the page
is delivered, with the running total of rows."""

from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from ._rows import make_rows


@dataclass
class StreamConfig:
    fetch_size: int = 1000
    max_pages: Optional[int] = None
    page_callback: Optional[Callable[[int, int], None]] = None
    timeout_seconds: Optional[float] = None

    def __post_init__(self):
        if not isinstance(self.fetch_size, int) or self.fetch_size <= 0:
            raise ValueError(f"StreamConfig.fetch_size must be a positive int, not {self.fetch_size!r}")
        if self.max_pages is not None and (not isinstance(self.max_pages, int) or self.max_pages < 0):
            raise ValueError(f"StreamConfig.max_pages must be an int >= 0 or None, not {self.max_pages!r}")
        if self.timeout_seconds is not None and not self.timeout_seconds > 0:
            raise ValueError(f"StreamConfig.timeout_seconds must be > 0 or None, not {self.timeout_seconds!r}")
        if self.page_callback is not None and not callable(self.page_callback):
            raise ValueError("StreamConfig.page_callback must be callable")


class AsyncStreamingResultSet:
    """Rows (``async for row in result``) or pages (``async for page in result.pages()``);
    close it, or use ``async with``."""

    def __init__(self, bridge, native, row_factory, config: StreamConfig):
        self._bridge = bridge
        self._native = native
        self._factory = row_factory
        self._config = config
        self._rows: List[Any] = []
        self._pos = 0
        self._exhausted = False
        self._closed = False
        self.page_number = 0
        self.total_rows_fetched = 0
        self.column_names: Optional[List[str]] = None
        self.paging_state: Optional[bytes] = None

    async def _next_page(self) -> Optional[List[Any]]:
        if self._exhausted or self._closed:
            return None
        page = await self._bridge.call(self._native.next_page)
        if page is None:
            self._exhausted = True
            return None
        names, tuples, paging_state, _, _ = page
        self.column_names = list(names)
        self.paging_state = paging_state
        rows = make_rows(names, tuples, self._factory)
        self.page_number += 1
        self.total_rows_fetched += len(rows)
        cb = self._config.page_callback
        if cb is not None:
            cb(self.page_number, self.total_rows_fetched)
        return rows

    def __aiter__(self):
        return self

    async def __anext__(self):
        while self._pos >= len(self._rows):
            rows = await self._next_page()
            if rows is None:
                raise StopAsyncIteration
            self._rows, self._pos = rows, 0
        row = self._rows[self._pos]
        self._pos += 1
        return row

    async def pages(self):
        """Each page as a list of rows (rows not yet read from the current page come first)."""
        if self._pos < len(self._rows):
            rest = self._rows[self._pos:]
            self._rows, self._pos = [], 0
            yield rest
        while True:
            rows = await self._next_page()
            if rows is None:
                return
            yield rows

    async def close(self) -> None:
        """Stops fetching: the page in flight is abandoned and the pages held are released."""
        if self._closed:
            return
        self._closed = True
        self._rows = []
        await self._bridge.call(self._native.close)

    async def cancel(self) -> None:
        await self.close()

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

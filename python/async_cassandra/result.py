"""AsyncResultSet: the rows of an execute()."""

from typing import Any, Iterator, List, Optional

from uuid import UUID

from ._rows import make_rows

_new = object.__new__


class AsyncResultSet:
    """Rows as the row factory made them (the driver's named tuples by default)."""

    def __init__(self, rows: Optional[List[Any]] = None, response_future: Any = None):
        self._rows = list(rows) if rows is not None else []
        self.response_future = response_future
        self.column_names: List[str] = []
        self.paging_state: Optional[bytes] = None
        self.warnings: List[str] = []
        self.trace_id = None
        self._aiter = 0

    @classmethod
    def _from_page(cls, page, factory):
        """From the engine's page: (names, rows, paging state, warnings, tracing id
        [, rows already made by the row class[, (latency, host) of the request]])."""
        names, tuples, paging_state, warnings, tracing = page[:5]
        rs = _new(cls)
        rs.__dict__ = {
            "_rows": tuples if len(page) > 5 and page[5] else make_rows(names, tuples, factory),
            "response_future": None,
            "column_names": list(names),
            "paging_state": paging_state,
            "warnings": warnings,
            "trace_id": None if tracing is None else UUID(bytes=tracing),
            "_aiter": 0,
        }
        if len(page) > 6:  # (engine latency s, host): the engine's metrics of the request, when recorded
            rs.__dict__["_ac_request"] = page[6]
        return rs

    def _extend(self, page, factory):
        names, tuples, paging_state, warnings, _ = page[:5]
        self._rows.extend(tuples if len(page) > 5 and page[5] else make_rows(names, tuples, factory))
        self.paging_state = paging_state
        self.warnings.extend(warnings)
        if len(page) > 6:  # every page's latency adds up; the host is the last page's
            before = self.__dict__.get("_ac_request")
            latency, host = page[6]
            self.__dict__["_ac_request"] = (latency + (before[0] if before else 0.0), host)

    @property
    def rows(self) -> List[Any]:
        return self._rows

    @property
    def current_rows(self) -> List[Any]:
        return self._rows

    @property
    def has_more_pages(self) -> bool:
        return self.paging_state is not None

    @property
    def was_applied(self) -> bool:
        """For a lightweight transaction (IF ...): whether it was applied."""
        if not self._rows or "[applied]" not in self.column_names:
            return True
        row = self._rows[0]
        if isinstance(row, dict):
            return bool(row["[applied]"])
        return bool(row[self.column_names.index("[applied]")])

    async def get_query_trace(self, max_wait_sec: Optional[float] = None):
        """The driver's ``QueryTrace`` of a request run with ``trace=True`` (or a
        statement with ``trace``), read by the engine from system_traces once
        complete (waiting up to ``max_wait_sec``, 2 s by default); ``None`` when the
        request was not traced. Awaitable, unlike the driver's."""
        session = self.__dict__.get("_session")
        if self.trace_id is None or session is None:
            return None
        t = await session._trace(self.trace_id, max_wait_sec)
        return t

    async def get_all_query_traces(self, max_wait_sec_per: Optional[float] = None):
        """Every trace of the request (one per request sent: a list of at most one here)."""
        t = await self.get_query_trace(max_wait_sec_per)
        return [t] if t is not None else []

    def one(self) -> Optional[Any]:
        return self._rows[0] if self._rows else None

    def all(self) -> List[Any]:
        return list(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        return self._rows[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def __aiter__(self):
        return _AsyncRowIterator(self._rows)

    def __repr__(self) -> str:
        return f"<AsyncResultSet rows={len(self._rows)}>"


class _AsyncRowIterator:
    __slots__ = ("_it",)

    def __init__(self, rows):
        self._it = iter(rows)

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self._it)
        except StopIteration:
            raise StopAsyncIteration from None

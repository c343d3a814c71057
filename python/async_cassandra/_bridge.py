"""Glue between asyncio and the native engine: one engine per cluster, its
wake-up descriptor registered with the loop that connected it."""

import asyncio

from cassandra.query import UNSET_VALUE

from . import _native
from ._errors import make_error

_native.set_unset_marker(UNSET_VALUE)


class Bridge:
    def __init__(self, loop, types):
        self.loop = loop
        self.engine = _native.Engine()
        self.engine.set_factories(make_error, types.converter_for)
        self._fd = self.engine.fileno()
        loop.add_reader(self._fd, self.engine.drain)
        # Requests started during one loop iteration go to the engine thread together.
        self.engine.set_loop(loop.call_soon)
        from .result import AsyncResultSet
        self.engine.set_result_class(AsyncResultSet)
        self.closed = False

    def check_loop(self):
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("async_cassandra: call this from a coroutine on the event loop") from None
        if running is not self.loop:
            raise RuntimeError(
                "async_cassandra: this cluster belongs to another event loop "
                "(use one AsyncCluster per event loop)")

    async def call(self, start, *args):
        """Runs start(*args, future); a cancelled await cancels the engine operation."""
        fut = self.loop.create_future()
        req = start(*args, fut)
        try:
            return await fut
        except asyncio.CancelledError:
            req.cancel()
            raise

    def stop(self):
        if self.closed:
            return
        self.closed = True
        # Completions queued before the stop are delivered first (through
        # the loop: this runs in a task, which others cannot enter now).
        self.engine.drain_later()
        if not self.loop.is_closed():
            self.loop.remove_reader(self._fd)
        self.engine.stop()

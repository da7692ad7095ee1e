"""A bounded byte pipe from the IOLoop (request body pieces) to a worker thread.

The IOLoop side ``await put(data)``s pieces as they arrive and is held back while
more than ``high_water`` bytes wait, so a fast client never fills memory; the thread
side is a readable binary stream handed to the facade (which reads it in chunks).
"""

from __future__ import annotations

import asyncio
import collections
import io
import threading


class BridgeAborted(Exception):
    """The writer gave up (bad request, client gone); the reader stops with this."""


class StreamBridge(io.RawIOBase):
    def __init__(self, loop: asyncio.AbstractEventLoop, high_water: int = 4 * 1024 * 1024) -> None:
        super().__init__()
        self._loop = loop
        self._high = high_water
        self._low = high_water // 2
        self._cond = threading.Condition()
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._eof = False
        self._aborted = False
        self._reader_done = False
        self._space: asyncio.Future[None] | None = None
        self.total = 0

    # -- IOLoop side -----------------------------------------------------------------
    async def put(self, data: bytes) -> None:
        if not data:
            return
        with self._cond:
            if self._reader_done or self._aborted:
                return  # the reader stopped (e.g. size limit): the rest is discarded
            self._chunks.append(bytes(data))
            self._buffered += len(data)
            self.total += len(data)
            self._cond.notify_all()
            if self._buffered <= self._high:
                return
            self._space = self._loop.create_future()
            waiter = self._space
        await waiter

    def finish(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._cond.notify_all()
            self._wake_writer()

    # -- thread side -----------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        with self._cond:
            while not self._chunks and not self._eof and not self._aborted:
                self._cond.wait()
            if self._aborted:
                raise BridgeAborted("the upload was abandoned")
            if not self._chunks:
                return 0
            filled = 0
            while self._chunks and filled < len(view):
                chunk = self._chunks[0]
                take = min(len(chunk), len(view) - filled)
                view[filled : filled + take] = chunk[:take]
                filled += take
                if take == len(chunk):
                    self._chunks.popleft()
                else:
                    self._chunks[0] = chunk[take:]
            self._buffered -= filled
            if self._buffered <= self._low:
                self._wake_writer()
            return filled

    def reader_done(self) -> None:
        """Called when the reading thread returns (normally or not): release the writer."""
        with self._cond:
            self._reader_done = True
            self._chunks.clear()
            self._buffered = 0
            self._wake_writer()

    def _wake_writer(self) -> None:
        waiter, self._space = self._space, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_resolve, waiter)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

"""Native API: resumable uploads in pieces, the way the workbench's upload widget sends files.

``POST uploads/sessions`` opens an upload (name, size, steps; the type, size limit and
free disk are checked before a byte is sent), ``POST uploads/sessions/{id}/chunks?offset=N``
appends the request body at byte N, ``GET uploads/sessions/{id}`` says how many bytes the
server holds (where to resume), ``POST uploads/sessions/{id}/finish`` turns the file into a
recording and queues its job, ``DELETE uploads/sessions/{id}`` cancels.

A piece is streamed to the part file as it arrives, through a small double buffer, so
memory stays bounded whatever the size; if the connection drops half way, what arrived
is kept.  A new piece for an upload whose previous request is still open (a client that
lost its connection before the server noticed) takes over: the old connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tornado.web import RequestHandler, stream_request_body

from ..errors import InvalidInputError, RecordRouteError, TooLargeError, size_text
from ..models import UploadSession
from .base import CORS_HEADERS, BaseHandler, declared_length
from .schemas import JobOut, RecordingOut, Reply
from .schemas_uploads import (
    MAX_CHUNK_BYTES,
    ChunkQuery,
    UploadFinished,
    UploadProgress,
    UploadSessionOut,
    UploadStart,
)

log = logging.getLogger(__name__)

#: bytes gathered before a write to disk (two such buffers per piece at most)
WRITE_BYTES = 1024 * 1024
TAKE_OVER_S = 15.0


async def reply_and_close(handler: BaseHandler, body: Reply, status: int = 200) -> None:
    """Reply, then close the connection, so that the next upload request opens a new one.

    A browser silently sends a request again when a *reused* connection drops before the
    reply: a piece the server partly has would be sent whole a second time.  On a fresh
    connection the drop reaches the uploader, which asks where the upload stands and
    sends only the rest.  (A new connection per piece of megabytes costs nothing.)
    """
    handler.set_header("Connection", "close")
    await handler.send_model(body, status)
    handler.request.connection.close()  # type: ignore[union-attr]


class FreshConnections(BaseHandler):
    """Upload routes close every connection after the reply, the CORS preflight's too
    (a browser would otherwise send the next piece on the preflight's idle connection)."""

    async def options(self, *args: str, **kwargs: str) -> None:  # type: ignore[override]
        methods = [
            m
            for m in ("GET", "POST", "DELETE")
            if getattr(type(self), m.lower()) is not getattr(RequestHandler, m.lower())
        ]
        self.set_header("Access-Control-Allow-Methods", ", ".join(methods))
        self.set_header("Access-Control-Allow-Headers", CORS_HEADERS)
        self.set_header("Access-Control-Max-Age", "600")
        self.set_header("Connection", "close")
        self.set_status(204)
        await self.finish()
        self.request.connection.close()  # type: ignore[union-attr]


class UploadSessionsHandler(FreshConnections):
    async def post(self) -> None:
        body = self.body_model(UploadStart)
        session = await self.call(
            self.ctx.app.uploads.begin,
            body.file_name,
            body.size,
            tags=list(body.tags),
            steps=None if body.steps is None else list(body.steps),
            options=body.options.model_dump(exclude_none=True) if body.options else {},
        )
        await reply_and_close(self, UploadSessionOut.of(session), 201)


class UploadSessionHandler(FreshConnections):
    async def get(self, upload_id: str) -> None:
        piece = _OPEN.get(upload_id)
        if piece is not None and piece.ending is not None:
            # a piece whose connection just dropped is still writing what arrived: the
            # answer ("resume from byte N") must count it
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(piece.ending), TAKE_OVER_S)
        session = await self.call(self.ctx.app.uploads.get, upload_id)
        await reply_and_close(self, UploadSessionOut.of(session))

    async def delete(self, upload_id: str) -> None:
        await self.call(self.ctx.app.uploads.cancel, upload_id)
        self.set_status(204)
        self.finish()


class UploadFinishHandler(FreshConnections):
    async def post(self, upload_id: str) -> None:
        outcome = await self.call(self.ctx.app.uploads.finish, upload_id)
        if outcome.job is not None:
            self.ctx.ensure_workers()
        finished = UploadFinished(
            status="created",
            session=UploadSessionOut.of(outcome.session),
            recording=RecordingOut.of(outcome.recording),
            job=None if outcome.job is None else JobOut.of(outcome.job),
        )
        self.send_model(finished, 201)


def _seen(task: asyncio.Task[Any]) -> None:
    """Retrieve a wind-up's error when nobody waits for it (the client went away)."""
    if not task.cancelled() and task.exception() is not None:
        log.info("an interrupted upload piece ended with: %s", task.exception())


#: the open piece of each upload in this process (a newer piece takes over)
_OPEN: dict[str, UploadChunkHandler] = {}


@stream_request_body
class UploadChunkHandler(FreshConnections):
    """Appends the body at ``?offset=N``; replies with the bytes the server now holds."""

    def initialize(self, ctx: Any) -> None:
        super().initialize(ctx)
        self._body_limit = MAX_CHUNK_BYTES
        self._arrived = 0
        self._writer: Any = None
        self._buffer = bytearray()
        self._pending: asyncio.Future[int] | None = None
        self._failure: RecordRouteError | None = None
        self._closing: asyncio.Task[UploadSession | None] | None = None
        self._upload_id = ""

    async def prepare(self) -> None:  # type: ignore[override]
        super().prepare()  # a declared length over MAX_CHUNK_BYTES is refused there (413)
        if self.request.method != "POST":
            return
        if not self.get_query_argument("offset", ""):
            raise InvalidInputError(
                "A piece needs ?offset=N (the byte it starts at).",
                "Ask GET uploads/sessions/{id} where the upload stands and send from there.",
            )
        offset = self.query_model(ChunkQuery).offset
        length = declared_length(self)
        self._upload_id = self.path_kwargs["upload_id"]
        await self._take_over()
        self._writer = await self.call(
            self.ctx.app.uploads.open_piece, self._upload_id, offset, length
        )
        _OPEN[self._upload_id] = self

    async def _take_over(self) -> None:
        older = _OPEN.get(self._upload_id)
        if older is None:
            return
        log.info("upload %s: a new piece replaces one still open", self._upload_id)
        older.request.connection.close()  # type: ignore[union-attr]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(older.wind_up()), TAKE_OVER_S)

    # -- the body --------------------------------------------------------------------
    async def data_received(self, chunk: bytes) -> None:
        if self._writer is None or self._failure is not None or self._closing is not None:
            return
        self._arrived += len(chunk)
        if self._arrived > MAX_CHUNK_BYTES:  # a chunked body without a declared length
            self._failure = self.too_large(self._arrived)
            return
        self._buffer += chunk
        if len(self._buffer) >= WRITE_BYTES:
            await self._write()

    async def _write(self) -> None:
        """Hand the buffer to a thread; wait only for the write before it (double buffer)."""
        try:
            if self._pending is not None:
                await self._pending
        except RecordRouteError as exc:
            self._failure = exc
            self._pending = None
            return
        data, self._buffer = bytes(self._buffer), bytearray()
        self._pending = asyncio.ensure_future(self.call(self._writer.write, data))

    def too_large(self, size: int) -> TooLargeError:
        return TooLargeError(
            f"A piece of {size_text(size)} is larger than the {size_text(MAX_CHUNK_BYTES)} "
            "one piece may carry.",
            f"Send the file in pieces of at most {size_text(MAX_CHUNK_BYTES)}.",
        )

    @property
    def ending(self) -> asyncio.Task[UploadSession | None] | None:
        """The wind-up under way (the request ended or its connection dropped), if any."""
        return self._closing

    def wind_up(self) -> asyncio.Task[UploadSession | None]:
        """Write what arrived, release the upload (once, however the request ends)."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._wind_up())
            self._closing.add_done_callback(_seen)
        return self._closing

    async def _wind_up(self) -> UploadSession | None:
        try:
            if self._writer is None:
                return None
            if self._buffer and self._failure is None:
                await self._write()
            if self._pending is not None:
                try:
                    await self._pending
                except RecordRouteError as exc:
                    self._failure = self._failure or exc
            return await self.call(self.ctx.app.uploads.close_piece, self._writer)
        finally:
            if _OPEN.get(self._upload_id) is self:
                del _OPEN[self._upload_id]

    def on_connection_close(self) -> None:
        if self._writer is not None:
            self.wind_up()
        super().on_connection_close()

    async def post(self, upload_id: str) -> None:
        session = await self.wind_up()
        if self._failure is not None:
            raise self._failure
        assert session is not None
        progress = UploadProgress(
            id=session.id,
            received_bytes=session.received_bytes,
            size_bytes=session.size_bytes,
            state=session.state,  # type: ignore[arg-type]
        )
        await reply_and_close(self, progress)

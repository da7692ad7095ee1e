"""Streaming uploads: the body goes from the socket to the facade in bounded pieces.

Each file part of a ``multipart/form-data`` body is handed to
:meth:`RecordRoute.add_upload` running in a worker thread, through a
:class:`~recordroute.server.bridge.StreamBridge` that holds back the socket while the
thread is behind.  Nothing is held whole in memory.  If the request fails (bad
multipart, size limit, unsupported type), recordings it already created are removed
again, so a failed request writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import BinaryIO, cast

from tornado.web import stream_request_body

from ..app import RecordRoute
from ..errors import (
    DuplicateRecordingError,
    InvalidInputError,
    RecordRouteError,
    TooLargeError,
    size_text,
)
from ..models import Recording
from .base import BaseHandler, declared_length
from .bridge import StreamBridge
from .context import ServerContext
from .errors import MalformedRequestError
from .multipart import MultipartParser, PartEnd, PartStart, boundary_from

log = logging.getLogger(__name__)

#: room for part headers and boundaries on top of the file size limit
MULTIPART_OVERHEAD = 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024


@dataclasses.dataclass
class UploadResult:
    file_name: str
    field: str
    recording: Recording | None = None
    duplicate_of: str = ""
    error: RecordRouteError | None = None


def _retrieve(future: asyncio.Future[Recording]) -> None:
    """Mark a failed store as seen (its error is reported, or the client went away)."""
    if not future.cancelled():
        future.exception()


def _rollback(app: RecordRoute, ids: list[str]) -> None:
    for rid in ids:
        try:
            app.recordings.delete(rid)
            app.recordings.purge(rid)
        except RecordRouteError:
            log.exception("could not remove recording %s of a failed upload", rid)


@stream_request_body
class StreamingUploadHandler(BaseHandler):
    """Parses the body as it arrives; subclasses render ``self.results`` in ``post``."""

    file_fields: tuple[str, ...] = ("files", "file")

    def initialize(self, ctx: ServerContext) -> None:
        super().initialize(ctx)
        self.results: list[UploadResult] = []
        self.failure: Exception | None = None
        self._bridge: StreamBridge | None = None
        self._pending: asyncio.Future[Recording] | None = None
        self._current: UploadResult | None = None
        self._parser: MultipartParser | None = None
        self._field_size = 0
        self._received = 0
        self._expected = 0
        self._tags: list[str] = []
        self._body_limit = ctx.app.settings.max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD

    def too_large(self, size: int) -> TooLargeError:
        return TooLargeError(
            f"The upload is {size_text(size)}; the limit is "
            f"{self.ctx.app.settings.max_upload_mb} MB.",
            "Split the recording, or raise RECORDROUTE_MAX_UPLOAD_MB (the server's setting).",
        )

    def upload_tags(self) -> list[str]:
        """Tags for the new recordings (the native route takes ``?tags=``)."""
        return []

    def prepare(self) -> None:
        super().prepare()  # refuses a declared size over the limit
        declared = declared_length(self)
        self._expected = declared or 0
        self._parser = MultipartParser(boundary_from(self.request.headers.get("Content-Type", "")))
        self._tags = self.upload_tags()

    # -- body ------------------------------------------------------------------------
    async def data_received(self, chunk: bytes) -> None:
        if self.failure is not None or self._parser is None or self._finished:
            return  # keep reading (so the reply can be sent) but do nothing with it
        self._received += len(chunk)
        try:
            if self._received > self._body_limit:
                raise self.too_large(self._received)
            for event in self._parser.feed(chunk):
                await self._handle(event)
        except TooLargeError as exc:
            # answer now: a chunked body has no declared end, and the HTTP layer would
            # otherwise cut it off with a bare 400
            await self._fail(exc)
            log.info("%s %s -> too_large (streamed)", self.request.method, self.request.path)
            self.send_error(413, exc_info=(type(exc), exc, None))
        except RecordRouteError as exc:
            await self._fail(exc)
        except Exception as exc:  # unexpected: still answered, and nothing is kept
            await self._fail(exc)

    async def _handle(self, event: PartStart | PartEnd | bytes) -> None:
        if isinstance(event, PartStart):
            self._start_part(event)
        elif isinstance(event, PartEnd):
            await self._end_part()
        elif self._bridge is not None:
            if self._pending is not None and self._pending.done():
                return  # the facade stopped reading (it will report why at the part end)
            await self._bridge.put(event)
        else:
            self._field_size += len(event)
            if self._field_size > MAX_FIELD_BYTES:
                raise MalformedRequestError(
                    "A non-file form field is larger than 64 KB.",
                    "Send only files (and short fields) in an upload.",
                )

    def _start_part(self, part: PartStart) -> None:
        self._field_size = 0
        if part.filename is None or part.name not in self.file_fields:
            return  # other fields are ignored, as the original did
        if not part.filename:
            return  # an empty file input: skipped, as the original did
        loop = asyncio.get_running_loop()
        bridge = StreamBridge(loop)
        self._bridge = bridge
        self._current = UploadResult(part.filename, part.name)

        def store() -> Recording:
            try:
                return self.ctx.app.recordings.add_upload(
                    part.filename or "",
                    cast(BinaryIO, bridge),
                    tags=self._tags,
                    expected_size=self._expected,
                )
            finally:
                bridge.reader_done()

        self._pending = loop.run_in_executor(self.ctx.executor, store)
        self._pending.add_done_callback(_retrieve)

    async def _end_part(self) -> None:
        bridge, pending, current = self._bridge, self._pending, self._current
        self._bridge = self._pending = self._current = None
        if bridge is None or pending is None or current is None:
            return
        bridge.finish()
        try:
            current.recording = await pending
        except DuplicateRecordingError as exc:
            current.duplicate_of = exc.existing_id
        except Exception as exc:
            current.error = exc if isinstance(exc, RecordRouteError) else None
            self.results.append(current)
            raise
        self.results.append(current)

    async def _fail(self, exc: Exception) -> None:
        self.failure = exc
        if self._bridge is not None:
            self._bridge.abort()
        if self._pending is not None:
            with contextlib.suppress(Exception):  # its error is this one, or was reported
                await self._pending
        self._bridge = self._pending = None
        await self._rollback()

    async def _rollback(self) -> None:
        created = [r.recording.id for r in self.results if r.recording is not None]
        for result in self.results:
            result.recording = None
        if created:
            await self.call(_rollback, self.ctx.app, created)

    def on_connection_close(self) -> None:
        if self._bridge is not None:
            self._bridge.abort()
        super().on_connection_close()

    async def finish_body(self) -> list[UploadResult]:
        """After the whole body: check it ended properly; raise the request's error if any."""
        if self.failure is None:
            try:
                if self._parser is None:
                    raise MalformedRequestError("The upload has no body.", "Send the files.")
                self._parser.close()
                if not self.results:
                    raise InvalidInputError(
                        "The upload has no file in a 'files' or 'file' field.",
                        "Send one or more files as multipart/form-data field 'files'.",
                    )
            except RecordRouteError as exc:
                await self._fail(exc)
        if self.failure is not None:
            raise self.failure
        return self.results

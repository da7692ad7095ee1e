"""Native API: artifact downloads (with Range, so audio plays and seeks), transcript edits,
exports as TXT, MD, SRT, VTT or JSON."""

from __future__ import annotations

import mimetypes
import urllib.parse
from pathlib import Path
from typing import IO

from tornado.iostream import StreamClosedError

from ..app import RecordRoute
from ..models import Artifact
from .base import BaseHandler, parse_range
from .request_models import DownloadQuery, ExportQuery, TranscriptBody
from .schemas import ArtifactOut

CHUNK = 256 * 1024
EXPORT_TYPES = {
    "txt": "text/plain",
    "md": "text/markdown",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "json": "application/json",
}


def content_disposition(kind: str, name: str) -> str:
    """``attachment``/``inline`` with an ASCII fallback and the exact UTF-8 name (RFC 6266)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    encoded = urllib.parse.quote(name, safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _open(app: RecordRoute, artifact_id: str) -> tuple[Artifact, IO[bytes], int]:
    art = app.recordings.get_artifact(artifact_id)
    path: Path = app.recordings.artifact_path(artifact_id)
    handle = path.open("rb")
    return art, handle, path.stat().st_size


class DownloadBase(BaseHandler):
    """Streams one artifact file; a single byte range gives 206, an impossible one 416."""

    async def serve(self, artifact_id: str, *, attachment: bool, generic_type: bool) -> None:
        art, handle, size = await self.call(_open, self.ctx.app, artifact_id)
        try:
            await self._send(art, handle, size, attachment=attachment, generic_type=generic_type)
        finally:
            await self.call(handle.close)

    async def _send(
        self,
        art: Artifact,
        handle: IO[bytes],
        size: int,
        *,
        attachment: bool,
        generic_type: bool,
    ) -> None:
        kind = "application/octet-stream"
        if not generic_type:
            kind = mimetypes.guess_type(art.file_name)[0] or kind
            if kind.startswith("text/") or kind == "application/json":
                kind += "; charset=utf-8"
        etag = f'"{art.sha256[:32]}-{size}"'
        self.set_header("Content-Type", kind)
        self.set_header("Accept-Ranges", "bytes")
        self.set_header("ETag", etag)
        self.set_header("Cache-Control", "private, no-cache")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header(
            "Content-Disposition",
            content_disposition("attachment" if attachment else "inline", art.file_name),
        )
        if self.request.headers.get("If-None-Match") == etag:
            self.set_status(304)
            self.finish()
            return
        start, end = 0, size - 1
        header = self.request.headers.get("Range")
        if header and self.request.headers.get("If-Range", etag) == etag:
            try:
                wanted = parse_range(header, size)
            except ValueError:
                wanted = (0, size - 1) if size else None
                header = None  # not a range this server serves: send the whole file
            if header and wanted is None:
                self.set_status(416)
                self.set_header("Content-Range", f"bytes */{size}")
                self.clear_header("Content-Disposition")
                self.finish()
                return
            if header and wanted is not None:
                start, end = wanted
                self.set_status(206)
                self.set_header("Content-Range", f"bytes {start}-{end}/{size}")
        length = max(0, end - start + 1)
        self.set_header("Content-Length", str(length))
        if self.request.method == "HEAD" or length == 0:
            self.finish()
            return
        await self.call(handle.seek, start)
        remaining = length
        try:
            while remaining > 0:
                chunk = await self.call(handle.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                self.write(chunk)
                await self.flush()
        except StreamClosedError:
            return  # the player seeked elsewhere or the client went away
        self.finish()


class ArtifactHandler(DownloadBase):
    async def get(self, artifact_id: str) -> None:
        attachment = self.query_model(DownloadQuery).download in ("1", "true", "yes")
        await self.serve(artifact_id, attachment=attachment, generic_type=False)

    async def head(self, artifact_id: str) -> None:
        await self.get(artifact_id)


class TranscriptHandler(BaseHandler):
    async def put(self, recording_id: str) -> None:
        text = self.body_model(TranscriptBody).text
        art = await self.call(self.ctx.app.transcripts.edit, recording_id, text)
        self.send_model(ArtifactOut.of(art))


class ExportHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        fmt = self.query_model(ExportQuery).format
        name, text = await self.call(self.ctx.app.transcripts.export, recording_id, fmt)
        self.set_header("Content-Type", f"{EXPORT_TYPES[fmt]}; charset=utf-8")
        self.set_header("Content-Disposition", content_disposition("attachment", name))
        self.finish(text.encode("utf-8"))

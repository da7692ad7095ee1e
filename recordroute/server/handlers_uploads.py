"""Native API: uploads (multipart, streamed to disk, de-duplicated by SHA-256)."""

from __future__ import annotations

from typing import Any

from . import serialize
from .uploads import StreamingUploadHandler


class UploadsHandler(StreamingUploadHandler):
    async def post(self) -> None:
        results = await self.finish_body()
        items: list[dict[str, Any]] = []
        for result in results:
            if result.recording is not None:
                items.append(
                    {
                        "file_name": result.file_name,
                        "status": "created",
                        "recording": serialize.recording(result.recording),
                    }
                )
            else:
                items.append(
                    {
                        "file_name": result.file_name,
                        "status": "duplicate",
                        "existing_id": result.duplicate_of,
                    }
                )
        created = any(r.recording is not None for r in results)
        self.send_json({"items": items}, 201 if created else 200)

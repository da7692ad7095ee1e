"""Native API: uploads (multipart, streamed to disk, de-duplicated by SHA-256)."""

from __future__ import annotations

from .request_models import UploadQuery
from .schemas import RecordingOut, UploadCreated, UploadDuplicate, UploadList
from .uploads import StreamingUploadHandler


class UploadsHandler(StreamingUploadHandler):
    def upload_tags(self) -> list[str]:
        return self.query_model(UploadQuery).tags

    async def post(self) -> None:
        results = await self.finish_body()
        items: list[UploadCreated | UploadDuplicate] = []
        for result in results:
            if result.recording is not None:
                rec = RecordingOut.of(result.recording)
                items.append(
                    UploadCreated(file_name=result.file_name, status="created", recording=rec)
                )
            else:
                items.append(
                    UploadDuplicate(
                        file_name=result.file_name,
                        status="duplicate",
                        existing_id=result.duplicate_of,
                    )
                )
        created = any(r.recording is not None for r in results)
        self.send_model(UploadList(items=items), 201 if created else 200)

"""Native API: recordings (list, get, rename, tags, delete, restore, purge, similar)."""

from __future__ import annotations

from ..app import RecordRoute
from .base import BaseHandler
from .request_models import RecordingsQuery, RenameBody, SimilarQuery, TagsBody
from .schemas import (
    ArtifactOut,
    Purged,
    RecordingDetails,
    RecordingOut,
    RecordingPage,
    SimilarList,
    SimilarOut,
)


def _details(app: RecordRoute, recording_id: str) -> RecordingDetails:
    rec = app.recordings.get(recording_id)
    arts = app.recordings.artifacts(recording_id)
    return RecordingDetails(
        **RecordingOut.of(rec).model_dump(), artifacts=[ArtifactOut.of(a) for a in arts]
    )


class RecordingsHandler(BaseHandler):
    async def get(self) -> None:
        query = self.query_model(RecordingsQuery)
        items = await self.call(
            self.ctx.app.recordings.list,
            deleted={"false": False, "true": True, "all": None}[query.deleted],
            kind=query.kind,
            tag=query.tag or None,
            text=query.q or None,
            sort=query.sort,
            descending=query.order == "desc",
            limit=query.limit + 1,
            offset=query.offset,
        )
        more = len(items) > query.limit
        page = RecordingPage(
            items=[RecordingOut.of(r) for r in items[: query.limit]],
            limit=query.limit,
            offset=query.offset,
            next_offset=query.offset + query.limit if more else None,
        )
        self.send_model(page)


class RecordingHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        self.send_model(await self.call(_details, self.ctx.app, recording_id))

    async def patch(self, recording_id: str) -> None:
        body = self.body_model(RenameBody)
        rec = await self.call(self.ctx.app.recordings.rename, recording_id, body.display_name)
        self.send_model(RecordingOut.of(rec))

    async def delete(self, recording_id: str) -> None:
        rec = await self.call(self.ctx.app.recordings.delete, recording_id)
        self.send_model(RecordingOut.of(rec))


class TagsHandler(BaseHandler):
    async def put(self, recording_id: str) -> None:
        body = self.body_model(TagsBody)
        rec = await self.call(self.ctx.app.recordings.set_tags, recording_id, body.tags)
        self.send_model(RecordingOut.of(rec))


class RestoreHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        rec = await self.call(self.ctx.app.recordings.restore, recording_id)
        self.send_model(RecordingOut.of(rec))


class PurgeHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        await self.call(self.ctx.app.recordings.purge, recording_id)
        self.send_model(Purged(id=recording_id, purged=True))


class SimilarHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        k = self.query_model(SimilarQuery).k
        found = await self.call_search(self.ctx.app.search.similar, recording_id, k=k)
        self.send_model(SimilarList(items=[SimilarOut.of(s) for s in found]))

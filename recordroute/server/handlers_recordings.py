"""Native API: recordings (list, get, rename, tags, delete, restore, purge, similar)."""

from __future__ import annotations

from typing import Any

from ..app import RecordRoute
from ..errors import InvalidInputError
from . import serialize
from .base import BaseHandler

SORTS = ("created", "name", "duration", "updated", "kind")
KINDS = ("audio", "video", "text", "pdf", "unknown")


def _details(app: RecordRoute, recording_id: str) -> dict[str, Any]:
    rec = app.recordings.get(recording_id)
    arts = app.recordings.artifacts(recording_id)
    return {**serialize.recording(rec), "artifacts": [serialize.artifact(a) for a in arts]}


def _string_list(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError(
            f"{field!r} must be a list of strings.", f'Send {{"{field}": ["a"]}}.'
        )
    return list(value)


class RecordingsHandler(BaseHandler):
    async def get(self) -> None:
        deleted_arg = self.query_choice("deleted", "false", ("false", "true", "all"))
        deleted = {"false": False, "true": True, "all": None}[deleted_arg]
        limit = self.query_int("limit", 50, 1, 1000)
        offset = self.query_int("offset", 0, 0, 10**9)
        kind = self.query_choice("kind", "", ("", *KINDS)) or None
        order = self.query_choice("order", "desc", ("asc", "desc"))
        items = await self.call(
            self.ctx.app.recordings.list,
            deleted=deleted,
            kind=kind,
            tag=self.get_query_argument("tag", None) or None,
            text=self.get_query_argument("q", None) or None,
            sort=self.query_choice("sort", "created", SORTS),
            descending=order == "desc",
            limit=limit + 1,
            offset=offset,
        )
        more = len(items) > limit
        self.send_json(
            {
                "items": [serialize.recording(r) for r in items[:limit]],
                "limit": limit,
                "offset": offset,
                "next_offset": offset + limit if more else None,
            }
        )


class RecordingHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        self.send_json(await self.call(_details, self.ctx.app, recording_id))

    async def patch(self, recording_id: str) -> None:
        body = self.json_body()
        name = body.get("display_name")
        if not isinstance(name, str):
            raise InvalidInputError(
                "The body needs 'display_name' (a string).", 'Send {"display_name": "New name"}.'
            )
        rec = await self.call(self.ctx.app.recordings.rename, recording_id, name)
        self.send_json(serialize.recording(rec))

    async def delete(self, recording_id: str) -> None:
        rec = await self.call(self.ctx.app.recordings.delete, recording_id)
        self.send_json(serialize.recording(rec))


class TagsHandler(BaseHandler):
    async def put(self, recording_id: str) -> None:
        tags = _string_list(self.json_body().get("tags"), "tags")
        rec = await self.call(self.ctx.app.recordings.set_tags, recording_id, tags)
        self.send_json(serialize.recording(rec))


class RestoreHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        rec = await self.call(self.ctx.app.recordings.restore, recording_id)
        self.send_json(serialize.recording(rec))


class PurgeHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        await self.call(self.ctx.app.recordings.purge, recording_id)
        self.send_json({"id": recording_id, "purged": True})


class SimilarHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        k = self.query_int("k", 5, 1, 50)
        found = await self.call_search(self.ctx.app.search.similar, recording_id, k=k)
        self.send_json({"items": [serialize.similar(s) for s in found]})

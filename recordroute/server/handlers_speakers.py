"""Native API: the speakers of a recording (rename, merge, move a line) and voice profiles."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInputError
from .base import BaseHandler


def speakers_json(found: Any) -> dict[str, Any]:
    """A recording's speakers without their voice vectors (those stay on the server)."""
    return {
        "engine": found.engine,
        "model": found.model,
        "speakers": [
            {
                "label": s.label,
                "name": s.name,
                "display": s.display,
                "seconds": round(s.seconds, 2),
                "suggestion": s.suggestion,
                "score": round(s.score, 3),
            }
            for s in found.speakers
        ],
        "turns": [{"start": t.start, "end": t.end, "speaker": t.speaker} for t in found.turns],
    }


def profile_json(profile: Any) -> dict[str, Any]:
    return {
        "name": profile.name,
        "vectors": profile.vectors,
        "recordings": list(profile.recordings),
        "seconds": round(profile.seconds, 2),
    }


def _text(body: dict[str, Any], field: str, *, empty: bool = False) -> str:
    value = body.get(field)
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InvalidInputError(
            f"The body needs {field!r} (a {'' if empty else 'non-empty '}string).",
            f'Send {{"{field}": "..."}}.',
        )
    return value


def _seconds(body: dict[str, Any], field: str) -> float:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(
            f"The body needs {field!r} (seconds, a number).", f'Send {{"{field}": 12.5}}.'
        )
    return float(value)


class SpeakersHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        found = await self.call(self.ctx.app.speakers.of, recording_id)
        self.send_json(speakers_json(found))


class SpeakerRenameHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        body = self.json_body()
        who, name = _text(body, "speaker"), _text(body, "name", empty=True)
        found = await self.call(self.ctx.app.speakers.rename, recording_id, who, name)
        self.send_json(speakers_json(found))


class SpeakerMergeHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        body = self.json_body()
        keep, drop = _text(body, "keep"), _text(body, "drop")
        found = await self.call(self.ctx.app.speakers.merge, recording_id, keep, drop)
        self.send_json(speakers_json(found))


class SpeakerMoveHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        body = self.json_body()
        start, end, to = _seconds(body, "start"), _seconds(body, "end"), _text(body, "speaker")
        found = await self.call(self.ctx.app.speakers.move, recording_id, start, end, to)
        self.send_json(speakers_json(found))


class ProfilesHandler(BaseHandler):
    async def get(self) -> None:
        profiles = await self.call(self.ctx.app.speakers.list_profiles)
        self.send_json({"profiles": [profile_json(p) for p in profiles]})


class ProfileHandler(BaseHandler):
    async def patch(self, name: str) -> None:
        new_name = _text(self.json_body(), "name")
        profile = await self.call(self.ctx.app.speakers.rename_profile, name, new_name)
        self.send_json(profile_json(profile))

    async def delete(self, name: str) -> None:
        removed = await self.call(self.ctx.app.speakers.delete_profile, name)
        self.send_json({"deleted": name, "vectors_removed": removed})


class ProfileMergeHandler(BaseHandler):
    async def post(self) -> None:
        body = self.json_body()
        keep, drop = _text(body, "keep"), _text(body, "drop")
        profile = await self.call(self.ctx.app.speakers.merge_profiles, keep, drop)
        self.send_json(profile_json(profile))

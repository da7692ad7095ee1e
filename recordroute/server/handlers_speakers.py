"""Native API: the speakers of a recording (rename, merge, move a line) and voice profiles."""

from __future__ import annotations

from .base import BaseHandler
from .schemas_speakers import (
    KeepDropBody,
    ProfileRenameBody,
    SpeakerMoveBody,
    SpeakerRenameBody,
    SpeakersOut,
    VoiceProfileDeleted,
    VoiceProfileList,
    VoiceProfileOut,
)


class SpeakersHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        found = await self.call(self.ctx.app.speakers.of, recording_id)
        self.send_model(SpeakersOut.of(found))


class SpeakerRenameHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        body = self.body_model(SpeakerRenameBody)
        found = await self.call(self.ctx.app.speakers.rename, recording_id, body.speaker, body.name)
        self.send_model(SpeakersOut.of(found))


class SpeakerMergeHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        body = self.body_model(KeepDropBody)
        found = await self.call(self.ctx.app.speakers.merge, recording_id, body.keep, body.drop)
        self.send_model(SpeakersOut.of(found))


class SpeakerMoveHandler(BaseHandler):
    async def post(self, recording_id: str) -> None:
        body = self.body_model(SpeakerMoveBody)
        found = await self.call(
            self.ctx.app.speakers.move, recording_id, body.start, body.end, body.speaker
        )
        self.send_model(SpeakersOut.of(found))


class ProfilesHandler(BaseHandler):
    async def get(self) -> None:
        profiles = await self.call(self.ctx.app.speakers.list_profiles)
        self.send_model(VoiceProfileList(profiles=[VoiceProfileOut.of(p) for p in profiles]))


class ProfileHandler(BaseHandler):
    async def patch(self, name: str) -> None:
        body = self.body_model(ProfileRenameBody)
        profile = await self.call(self.ctx.app.speakers.rename_profile, name, body.name)
        self.send_model(VoiceProfileOut.of(profile))

    async def delete(self, name: str) -> None:
        removed = await self.call(self.ctx.app.speakers.delete_profile, name)
        self.send_model(VoiceProfileDeleted(deleted=name, vectors_removed=removed))


class ProfileMergeHandler(BaseHandler):
    async def post(self) -> None:
        body = self.body_model(KeepDropBody)
        profile = await self.call(self.ctx.app.speakers.merge_profiles, body.keep, body.drop)
        self.send_model(VoiceProfileOut.of(profile))

"""Native API: summary templates (list, show, save, delete) and who uses which."""

from __future__ import annotations

from ..errors import InvalidInputError, echo
from .base import BaseHandler
from .schemas_templates import (
    RecordingTemplate,
    TagTemplate,
    TemplateBody,
    TemplateChoice,
    TemplateDeleted,
    TemplateList,
    TemplateOut,
)


class TemplatesHandler(BaseHandler):
    async def get(self) -> None:
        service = self.ctx.app.summaries
        templates = await self.call(service.list)
        tags = await self.call(service.tag_templates)
        self.send_model(TemplateList(items=[TemplateOut.of(t) for t in templates], tags=tags))


class TemplateHandler(BaseHandler):
    async def get(self, name: str) -> None:
        template = await self.call(self.ctx.app.summaries.get, name)
        self.send_model(TemplateOut.of(template))

    async def put(self, name: str) -> None:
        body = self.body_model(TemplateBody)
        if body.name is not None and body.name != name:
            raise InvalidInputError(
                f"The body names the template {echo(body.name)} but the address names "
                f"{echo(name)}.",
                "Leave 'name' out of the body, or make them the same.",
            )
        # the core checks the template's rules, naming the section that breaks one
        data = {**self.json_body(), "name": name}
        template = await self.call(self.ctx.app.summaries.save, data)
        self.send_model(TemplateOut.of(template))

    async def delete(self, name: str) -> None:
        await self.call(self.ctx.app.summaries.delete, name)
        self.send_model(TemplateDeleted(deleted=name))


class TagTemplateHandler(BaseHandler):
    async def put(self, tag: str) -> None:
        name = self.body_model(TemplateChoice).template or None
        await self.call(self.ctx.app.summaries.set_tag_template, tag, name)
        self.send_model(TagTemplate(tag=tag, template=name))


class RecordingTemplateHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        name = await self.call(self.ctx.app.summaries.recording_template, recording_id)
        self.send_model(RecordingTemplate(recording_id=recording_id, template=name))

    async def put(self, recording_id: str) -> None:
        name = self.body_model(TemplateChoice).template or None
        service = self.ctx.app.summaries
        await self.call(service.set_recording_template, recording_id, name)
        effective = await self.call(service.recording_template, recording_id)
        self.send_model(RecordingTemplate(recording_id=recording_id, template=effective))

"""Native API: summary templates (list, show, save, delete) and who uses which."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInputError
from .base import BaseHandler


def _template_name(body: dict[str, Any]) -> str | None:
    value = body.get("template")
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(
            f"'template' must be a template name or null, not {value!r}.",
            'Send {"template": "lecture"}, or {"template": null} to use the defaults.',
        )
    return value or None


class TemplatesHandler(BaseHandler):
    async def get(self) -> None:
        service = self.ctx.app.summaries
        templates = await self.call(service.list)
        tags = await self.call(service.tag_templates)
        self.send_json({"items": [t.to_dict() for t in templates], "tags": tags})


class TemplateHandler(BaseHandler):
    async def get(self, name: str) -> None:
        template = await self.call(self.ctx.app.summaries.get, name)
        self.send_json(template.to_dict())

    async def put(self, name: str) -> None:
        body = self.json_body()
        given = body.get("name", name)
        if given != name:
            raise InvalidInputError(
                f"The body names the template {given!r} but the address names {name!r}.",
                "Leave 'name' out of the body, or make them the same.",
            )
        template = await self.call(self.ctx.app.summaries.save, {**body, "name": name})
        self.send_json(template.to_dict())

    async def delete(self, name: str) -> None:
        await self.call(self.ctx.app.summaries.delete, name)
        self.send_json({"deleted": name})


class TagTemplateHandler(BaseHandler):
    async def put(self, tag: str) -> None:
        name = _template_name(self.json_body())
        await self.call(self.ctx.app.summaries.set_tag_template, tag, name)
        self.send_json({"tag": tag, "template": name})


class RecordingTemplateHandler(BaseHandler):
    async def get(self, recording_id: str) -> None:
        name = await self.call(self.ctx.app.summaries.recording_template, recording_id)
        self.send_json({"recording_id": recording_id, "template": name})

    async def put(self, recording_id: str) -> None:
        name = _template_name(self.json_body())
        service = self.ctx.app.summaries
        await self.call(service.set_recording_template, recording_id, name)
        effective = await self.call(service.recording_template, recording_id)
        self.send_json({"recording_id": recording_id, "template": effective})

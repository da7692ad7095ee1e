"""Summary templates and modes: the built-in templates, custom ones, and who uses which.

A recording is summarised with, in order: the job's ``template`` option, the template
chosen for the recording, the template of its tags (the first tag, alphabetically, that
has one), ``RECORDROUTE_SUMMARY_TEMPLATE``. The pipeline reads this service as its
:class:`~recordroute.pipeline.TemplateSource`.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from ..config import Settings
from ..errors import InvalidInputError, NotFoundError
from ..events import EventBus
from ..models import Recording
from ..pipeline import BUILTIN_NAMES, SummaryTemplate, get_template, template_from_dict
from ..pipeline.capacity import MODES
from ..storage import Library
from ..storage.templates import TemplateRepository


class SummariesService:
    def __init__(
        self,
        repo: TemplateRepository,
        library: Library,
        settings: Settings,
        events: EventBus,
    ) -> None:
        self._repo = repo
        self._library = library
        self._settings = settings
        self._events = events

    # -- the pipeline's template source ------------------------------------------------
    @property
    def default_mode(self) -> str:
        return self._settings.summary_mode

    def find_template(self, name: str) -> SummaryTemplate | None:
        body = self._repo.find(name)
        return template_from_dict(body) if body is not None else None

    def default_template(self, recording: Recording) -> str:
        chosen = self._repo.recording(recording.id)
        if chosen:
            return chosen
        by_tag = self._repo.tags()
        for tag in sorted(recording.tags):
            if tag in by_tag:
                return by_tag[tag]
        return self._settings.summary_template

    # -- templates ----------------------------------------------------------------------
    def list(self) -> builtins.list[SummaryTemplate]:
        """The built-in templates, then the custom ones by name."""
        builtin = [get_template(name) for name in BUILTIN_NAMES]
        return [*builtin, *(template_from_dict(body) for body in self._repo.all())]

    def get(self, name: str) -> SummaryTemplate:
        return get_template(name, self)

    def save(self, data: Mapping[str, Any]) -> SummaryTemplate:
        """Create or replace a custom template (checked; errors name the bad value)."""
        template = template_from_dict(data)
        self._repo.save(template.name, template.to_dict())
        return template

    def delete(self, name: str) -> None:
        """Remove a custom template; tags and recordings that used it fall back to defaults."""
        if name in BUILTIN_NAMES:
            raise InvalidInputError(
                f"{name!r} is a built-in template and cannot be deleted.",
                "Delete only templates you created.",
            )
        if not self._repo.delete(name):
            raise NotFoundError(
                f"There is no custom template {name!r}.", "List them with `recordroute templates`."
            )

    # -- who uses which -------------------------------------------------------------------
    def tag_templates(self) -> dict[str, str]:
        return self._repo.tags()

    def set_tag_template(self, tag: str, name: str | None) -> None:
        """Recordings with ``tag`` use template ``name`` by default (None: no default)."""
        tag = tag.strip()
        if not tag:
            raise InvalidInputError("The tag is empty.", "Give the tag whose default to set.")
        if name:
            self.get(name)
        self._repo.set_tag(tag, name or None)

    def recording_template(self, recording_id: str) -> str:
        """The template the recording's next summary uses (its own choice, else a default)."""
        return self.default_template(self._library.get(recording_id))

    def set_recording_template(self, recording_id: str, name: str | None) -> None:
        """Summarise this recording with ``name`` from now on (None: use the defaults)."""
        rec = self._library.get_active(recording_id)
        if name:
            self.get(name)
        self._repo.set_recording(rec.id, name or None)
        self._events.publish("recording.changed", recording_id=rec.id, fields=["template"])

    def check_options(self, options: Mapping[str, Any]) -> None:
        """Refuse a job whose ``template`` or ``summary_mode`` option names nothing known."""
        if options.get("template"):
            self.get(str(options["template"]))
        mode = options.get("summary_mode")
        if mode and mode not in MODES:
            raise InvalidInputError(
                f"{mode!r} is not a summary mode.", f"Use one of: {', '.join(MODES)}."
            )

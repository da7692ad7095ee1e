"""What the summary-template routes send and take, as pydantic models.

The core checks a template's rules (unique titles, a ``cues`` section needs cues, the
limits) with messages naming the bad section; the body model checks the types, and the
document states the limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import Field, StringConstraints

from .schemas import Reply, Request

if TYPE_CHECKING:  # the server imports only the facade and the leaves at run time
    from ..pipeline.templates import SummaryTemplate

SectionSource = Literal["topics", "key_points", "cues", "query"]
#: a custom template's name (built-in names are refused by the core)
TEMPLATE_NAME = "^[a-z0-9][a-z0-9_-]{0,39}$"


class TemplateSectionOut(Reply):
    key: str
    title: str = Field(description="The English title")
    titles: dict[str, str] = Field(description="The title by language (ko, en)")
    source: SectionSource = Field(description="How the section is filled")
    cues: list[str] = Field(description="Cue sets (built-in) or words to look for (custom)")
    instruction: str


class TemplateOut(Reply):
    name: str
    builtin: bool
    instructions: str
    sections: list[TemplateSectionOut]

    @classmethod
    def of(cls, template: SummaryTemplate) -> Self:
        return cls.model_validate(template.to_dict())


class TemplateList(Reply):
    items: list[TemplateOut]
    tags: dict[str, str] = Field(description="The default template of each tag")


class TemplateDeleted(Reply):
    deleted: str


class TagTemplate(Reply):
    tag: str
    template: str | None = Field(description="None: the tag has no default")


class RecordingTemplate(Reply):
    recording_id: str
    template: str = Field(description="The template its next summary uses")


# -- bodies ----------------------------------------------------------------------------
Cue = Annotated[str, StringConstraints(pattern=r"\S", max_length=40)]


class TemplateSectionIn(Request):
    title: Annotated[str, StringConstraints(pattern=r"\S", max_length=60)]
    instruction: str = Field("", max_length=300)
    cues: list[Cue] = Field(default_factory=list, max_length=20)
    source: SectionSource | None = Field(
        None, description="Default: cues when there are cues, else query"
    )


class TemplateBody(Request):
    name: str | None = Field(None, description="If given, the same as in the address")
    instructions: str = Field("", max_length=1000)
    sections: list[TemplateSectionIn] = Field(json_schema_extra={"minItems": 1, "maxItems": 8})


class TemplateChoice(Request):
    template: str | None = Field(
        None, description="A template name; null (or empty): use the tag's or the default"
    )

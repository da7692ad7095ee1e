"""What an answer is: sentences, each with the recording and moment it came from.

Every sentence of an answer carries a :class:`Citation`, written ``[recording, HH:MM:SS]``
(a document has no times: ``[document, ¶3]`` names its paragraph).  Answers are plain
frozen data that round-trip through JSON (``to_dict``/``from_dict``), which is how a
conversation keeps them in the database and how the edges send them.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

#: ``extractive``: passages quoted from the recordings (the embedded model cannot write);
#: ``written``: prose from a language model, every sentence checked against the sources;
#: ``not_found``: nothing in the archive answers the question
AnswerMode = Literal["extractive", "written", "not_found"]
ANSWER_MODES: tuple[AnswerMode, ...] = ("extractive", "written", "not_found")
#: where a passage comes from
SOURCES = ("transcript", "summary", "document")


def clock(seconds: float) -> str:
    """``HH:MM:SS`` (hours keep counting past 99)."""
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


@dataclasses.dataclass(frozen=True)
class Citation:
    """Where a sentence came from: a recording and a moment (or a document's paragraph)."""

    recording_id: str
    name: str
    source: str = "transcript"
    start_s: float | None = None
    end_s: float | None = None
    #: for documents (no times): the paragraph, counted from 1
    paragraph: int | None = None

    @property
    def place(self) -> str:
        if self.start_s is not None:
            return clock(self.start_s)
        if self.paragraph is not None:
            return f"¶{self.paragraph}"
        return self.source

    @property
    def label(self) -> str:
        """``[name, HH:MM:SS]``: how the citation is written after a sentence."""
        name = self.name.replace("[", "(").replace("]", ")")
        return f"[{name}, {self.place}]"


@dataclasses.dataclass(frozen=True)
class Passage:
    """A retrieved piece of a recording (one to a few sentences) and how well it matches."""

    text: str
    citation: Citation
    score: float


@dataclasses.dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer, its citation and its grounding support (0..1)."""

    text: str
    citation: Citation
    support: float

    def render(self) -> str:
        return f"{self.text} {self.citation.label}"


@dataclasses.dataclass(frozen=True)
class AnswerGroup:
    """The quoted passages of one recording (extractive answers)."""

    recording_id: str
    name: str
    sentences: tuple[AnswerSentence, ...]


@dataclasses.dataclass(frozen=True)
class Answer:
    question: str
    mode: AnswerMode
    #: the answer's sentences in reading order (extractive: every quoted passage)
    sentences: tuple[AnswerSentence, ...] = ()
    #: extractive answers: the same passages grouped by recording, best recording first
    groups: tuple[AnswerGroup, ...] = ()
    #: a one-line lead: the single passage that best answers the question
    lead: AnswerSentence | None = None
    #: sentences the grounding check removed (written answers)
    dropped: int = 0
    #: the text model that wrote a written answer
    model: str = ""
    #: why the answer has the mode it has, in plain words
    note: str = ""
    conversation_id: str | None = None

    @property
    def found(self) -> bool:
        return self.mode != "not_found" and bool(self.sentences)

    @property
    def recordings(self) -> list[str]:
        """The recordings cited, in order of first citation."""
        seen: dict[str, None] = {}
        for sentence in self.sentences:
            seen.setdefault(sentence.citation.recording_id, None)
        return list(seen)

    def text(self) -> str:
        """The answer as plain text, one cited sentence after another."""
        if not self.found:
            return NOT_FOUND_TEXT
        if self.mode == "written":
            return " ".join(s.render() for s in self.sentences)
        lines = []
        if self.lead is not None:
            lines += [self.lead.render(), ""]
        for group in self.groups:
            rest = [s for s in group.sentences if s != self.lead]
            if rest:
                lines.append(f"{group.name}:")
                lines += [f"- {s.render()}" for s in rest]
        return "\n".join(lines).strip()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["found"] = self.found
        data["text"] = self.text()
        for sentence in _all_sentences(data):
            sentence["citation"]["label"] = Citation(**_citation_fields(sentence)).label
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        def sentence(raw: dict[str, Any]) -> AnswerSentence:
            return AnswerSentence(
                str(raw["text"]),
                Citation(**_citation_fields(raw)),
                float(raw.get("support", 0.0)),
            )

        mode = str(data["mode"])
        if mode not in ANSWER_MODES:
            raise ValueError(f"unknown answer mode {mode!r}")
        lead = data.get("lead")
        return cls(
            question=str(data["question"]),
            mode=mode,
            sentences=tuple(sentence(s) for s in data.get("sentences", ())),
            groups=tuple(
                AnswerGroup(
                    str(g["recording_id"]),
                    str(g["name"]),
                    tuple(sentence(s) for s in g.get("sentences", ())),
                )
                for g in data.get("groups", ())
            ),
            lead=sentence(lead) if lead else None,
            dropped=int(data.get("dropped", 0)),
            model=str(data.get("model", "")),
            note=str(data.get("note", "")),
            conversation_id=data.get("conversation_id"),
        )


NOT_FOUND_TEXT = "Not found in your recordings."


def _citation_fields(sentence: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(Citation)}
    return {k: v for k, v in sentence["citation"].items() if k in names}


def _all_sentences(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(data.get("sentences", ()))
    for group in data.get("groups", ()):
        found += group.get("sentences", ())
    if data.get("lead"):
        found.append(data["lead"])
    return found

"""Asking the archive: answers composed from the recordings, every sentence cited.

Free of storage and of the search index: the app layer gives it an :class:`Archive`
(retrieval), a grounding check and, for written answers, a :class:`Writer`.
"""

from .answers import (
    ANSWER_MODES,
    NOT_FOUND_TEXT,
    Answer,
    AnswerGroup,
    AnswerMode,
    AnswerSentence,
    Citation,
    Passage,
    clock,
)
from .asking import MODES, Asker, Context, EventFn, check_mode, check_question
from .grounding_port import GroundFn, Verdict
from .retrieval import Archive, Chunk, Located, Retrieval, Retriever, Scope, Weights
from .units import Unit, document_units, split_text, timed_units
from .written import Writer

__all__ = [
    "ANSWER_MODES",
    "MODES",
    "NOT_FOUND_TEXT",
    "Answer",
    "AnswerGroup",
    "AnswerMode",
    "AnswerSentence",
    "Archive",
    "Asker",
    "Chunk",
    "Citation",
    "Context",
    "EventFn",
    "GroundFn",
    "Located",
    "Passage",
    "Retrieval",
    "Retriever",
    "Scope",
    "Unit",
    "Verdict",
    "Weights",
    "Writer",
    "check_mode",
    "check_question",
    "clock",
    "document_units",
    "split_text",
    "timed_units",
]

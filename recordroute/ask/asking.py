"""Answering one question: retrieve, then quote (extractive) or write (with a capable model).

:class:`Asker` is the whole flow without storage: the app layer gives it the archive, the
grounding check and, when a capable language model is configured, a writer; it keeps the
conversation and publishes the events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..errors import InvalidInputError
from .answers import Answer, AnswerSentence, Passage
from .compose import extractive, not_found
from .grounding_port import GroundFn
from .retrieval import Retriever, Scope
from .written import Checked, Writer, written

MODES = ("auto", "extractive", "written")
MAX_QUESTION = 2000

#: ``on_event(kind, data)``: ``passages``, ``token``, ``sentence`` as they happen
EventFn = Callable[[str, dict[str, Any]], None]


@dataclasses.dataclass(frozen=True)
class Context:
    """What a follow-up question knows of the conversation so far."""

    questions: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()

    def history(self, turns: int = 3) -> list[str]:
        pairs = list(zip(self.questions, self.answers, strict=False))[-turns:]
        return [line for q, a in pairs for line in (f"Q: {q}", f"A: {a}")]

    def retrieval_context(self) -> str:
        """The previous question, so that "and when?" still finds the budget meeting."""
        return self.questions[-1] if self.questions else ""


def check_question(question: str) -> str:
    text = " ".join(question.split())
    if not text:
        raise InvalidInputError(
            "The question is empty.", "Type a question, e.g. 예산은 언제 승인됐나요?"
        )
    if len(text) > MAX_QUESTION:
        raise InvalidInputError(
            f"The question is {len(text)} characters long.",
            f"Ask in at most {MAX_QUESTION} characters.",
        )
    return text


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidInputError(
            f"Answer mode {mode!r} is not known.", f"Use one of: {', '.join(MODES)}."
        )
    return mode


class Asker:
    def __init__(
        self,
        retriever: Retriever,
        ground: GroundFn,
        writer: Callable[[], Writer | None],
        *,
        ground_quotes: GroundFn | None = None,
        passages: int = 8,
    ) -> None:
        """``ground`` checks written sentences; ``ground_quotes`` (default: the same)
        checks quoted passages, where a cheaper, words-only check is enough."""
        self.retriever = retriever
        self.ground = ground
        self.ground_quotes = ground_quotes or ground
        self.writer = writer
        self.passages = passages

    def ask(
        self,
        question: str,
        scope: Scope,
        *,
        mode: str = "auto",
        context: Context | None = None,
        on_event: EventFn | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> Answer:
        question = check_question(question)
        check_mode(mode)
        scope.check()
        context = context or Context()
        found = self.retriever.retrieve(
            question, scope, k=self.passages, context=context.retrieval_context()
        )
        emit = on_event or (lambda _kind, _data: None)
        emit("passages", {"passages": [_passage(p) for p in found.passages]})
        if not found.passages:
            return not_found(question)
        writer = None if mode == "extractive" else self.writer()
        if mode == "written" and writer is None:
            self.require_writer()
        if writer is None:
            return extractive(
                question,
                found.passages,
                self.ground_quotes,
                on_sentence=lambda s: emit("sentence", _sentence(s, True, "")),
            )

        def checked(item: Checked) -> None:
            data = (
                _sentence(item.sentence, True, "")
                if item.sentence is not None
                else {"text": item.text, "kept": False, "reason": item.reason, "citation": None}
            )
            emit("sentence", data)

        return written(
            question,
            found.passages,
            writer,
            self.ground,
            history=context.history(),
            on_token=lambda text: emit("token", {"text": text}),
            on_checked=checked,
            should_cancel=should_cancel,
        )

    def require_writer(self) -> Writer:
        writer = self.writer()
        if writer is None:
            raise InvalidInputError(
                "Written answers need a language model that can write; the configured one is "
                "the small embedded model.",
                "Set RECORDROUTE_LLM_PROVIDER=ollama and RECORDROUTE_LLM_MODEL (e.g. gemma3:4b), "
                "or ask for an extractive answer.",
            )
        return writer


def _passage(passage: Passage) -> dict[str, Any]:
    return {
        "text": passage.text,
        "score": passage.score,
        "citation": {**dataclasses.asdict(passage.citation), "label": passage.citation.label},
    }


def _sentence(sentence: AnswerSentence, kept: bool, reason: str) -> dict[str, Any]:
    return {
        "text": sentence.text,
        "kept": kept,
        "reason": reason,
        "support": sentence.support,
        "citation": {**dataclasses.asdict(sentence.citation), "label": sentence.citation.label},
    }

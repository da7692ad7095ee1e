"""Written answers: a language model writes prose from numbered passages, sentence by
sentence; each sentence is checked and cited before it counts.

The model is told to end every sentence with the number of the passage it used (``[2]``).
Tokens are passed on as they arrive (``on_token``); whenever a sentence is complete it is
checked against the passages, and either kept with the citation of the passage that
supports it best, or dropped (``on_sentence`` hears both).  A model that answers
``NOT FOUND`` says the passages hold no answer; a model none of whose sentences can be
grounded gets the extractive answer instead, and the note says why.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from ..errors import JobCancelledError
from .answers import Answer, AnswerSentence, Passage
from .compose import FALLBACK_NOTE, extractive, not_found
from .grounding_port import GroundFn, Verdict

NOT_FOUND_REPLY = "NOT FOUND"
_MARK = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
#: the end of a sentence in a stream: a citation mark or end punctuation, then a space
_SENTENCE_END = re.compile(r"(\]|[.!?。！？])[\"'”’)]*\s+")
HANGUL = re.compile(r"[가-힣]")


class Writer(Protocol):
    """A language model that streams what it writes."""

    @property
    def model_name(self) -> str: ...

    def stream(
        self, prompt: str, *, system: str, max_tokens: int, temperature: float
    ) -> Iterator[str]: ...


@dataclasses.dataclass(frozen=True)
class Drafted:
    """A sentence as the model wrote it: its text without marks, and the passages it cited."""

    text: str
    cited: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Checked:
    text: str
    kept: bool
    reason: str
    sentence: AnswerSentence | None


TokenFn = Callable[[str], None]
CheckedFn = Callable[[Checked], None]


def system_prompt(question: str) -> str:
    language = "Korean" if HANGUL.search(question) else "the language of the question"
    return (
        "You answer questions about the user's own recordings (meetings, lectures, "
        "interviews). Use only the numbered passages given. Write in "
        f"{language}, in short plain sentences. End every sentence with the number of the "
        "passage it comes from in square brackets, for example [2]. Do not add anything the "
        f"passages do not say. If the passages do not answer the question, reply only: "
        f"{NOT_FOUND_REPLY}"
    )


def user_prompt(question: str, passages: Sequence[Passage], history: Sequence[str] = ()) -> str:
    lines = []
    if history:
        lines += ["Earlier in this conversation:", *history, ""]
    lines.append("Passages:")
    for number, passage in enumerate(passages, start=1):
        lines.append(
            f"[{number}] ({passage.citation.name}, {passage.citation.place}) {passage.text}"
        )
    lines += ["", f"Question: {question}", "Answer:"]
    return "\n".join(lines)


def split_drafted(text: str) -> tuple[list[Drafted], str]:
    """Complete sentences of ``text`` and the unfinished rest."""
    out: list[Drafted] = []
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        piece = text[pos:end].strip()
        # a mark right after end punctuation belongs to the sentence before the space
        following = _MARK.match(text, end)
        if following is not None:
            piece = text[pos : following.end()].strip()
            end = following.end()
        if piece:
            out.append(drafted(piece))
        pos = end
    return out, text[pos:]


def drafted(piece: str) -> Drafted:
    cited = tuple(int(n) for mark in _MARK.findall(piece) for n in mark.split(","))
    text = " ".join(_MARK.sub("", piece).split())
    return Drafted(text, cited)


def written(
    question: str,
    passages: Sequence[Passage],
    writer: Writer,
    ground: GroundFn,
    *,
    history: Sequence[str] = (),
    max_tokens: int = 400,
    on_token: TokenFn | None = None,
    on_checked: CheckedFn | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> Answer:
    if not passages:
        return not_found(question)
    stream = writer.stream(
        user_prompt(question, passages, history),
        system=system_prompt(question),
        max_tokens=max_tokens,
        temperature=0.1,
    )
    text = ""
    rest = ""
    checked: list[Checked] = []
    try:
        for token in stream:
            if should_cancel is not None and should_cancel():
                raise JobCancelledError("The question was cancelled.", "Ask it again.")
            text += token
            rest += token
            if on_token is not None and token:
                on_token(token)
            done, rest = split_drafted(rest)
            for sentence in done:
                checked.append(_check(sentence, passages, ground, on_checked))
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    if rest.strip():
        checked.append(_check(drafted(rest.strip()), passages, ground, on_checked))
    said = [c for c in checked if c.text]
    if not said or (len(said) == 1 and said[0].text.strip(" .").upper() == NOT_FOUND_REPLY):
        return not_found(
            question,
            f"{writer.model_name} found no answer in the passages that best match the question.",
        )
    kept = tuple(c.sentence for c in said if c.sentence is not None)
    if not kept:
        note = FALLBACK_NOTE.format(model=writer.model_name, dropped=len(said), total=len(said))
        return extractive(question, passages, ground, note=note)
    return Answer(
        question=question,
        mode="written",
        sentences=kept,
        lead=None,
        dropped=len(said) - len(kept),
        model=writer.model_name,
        note=f"Written by {writer.model_name}; every sentence was checked against the passage "
        "it cites, and sentences the recordings do not support were removed.",
    )


def _check(
    sentence: Drafted,
    passages: Sequence[Passage],
    ground: GroundFn,
    on_checked: CheckedFn | None,
) -> Checked:
    if not sentence.text or sentence.text.strip(" .").upper() == NOT_FOUND_REPLY:
        result = Checked(sentence.text, False, "no content", None)
    else:
        verdict: Verdict = ground([sentence.text], passages)[0]
        if verdict.kept and verdict.support is not None:
            passage = passages[verdict.support]
            answer = AnswerSentence(sentence.text, passage.citation, round(verdict.score, 4))
            result = Checked(sentence.text, True, "", answer)
        else:
            result = Checked(sentence.text, False, verdict.reason or "not supported", None)
    if on_checked is not None and result.text:
        on_checked(result)
    return result

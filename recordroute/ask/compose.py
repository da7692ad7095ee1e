"""Extractive answers: the best passages, grouped by recording, under a one-line lead.

Used with the embedded model (which cannot write) and whenever a written answer fails the
grounding check.  Every quoted passage still goes through the check: a quote is grounded
by construction, and the check proves it rather than assuming it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .answers import Answer, AnswerGroup, AnswerSentence, Passage
from .grounding_port import GroundFn

#: called with each sentence as it is ready (for streaming)
SentenceFn = Callable[[AnswerSentence], None]

EXTRACTIVE_NOTE = (
    "Extractive answer: the embedded model cannot write answers, so these are the passages "
    "of your recordings that best match the question, quoted as they were said. For "
    "written answers, use an Ollama model (RECORDROUTE_LLM_PROVIDER=ollama)."
)
FALLBACK_NOTE = (
    "Extractive answer: the written answer of {model} could not be checked against your "
    "recordings ({dropped} of {total} sentences unsupported), so the passages themselves "
    "are shown."
)
NOT_FOUND_NOTE = (
    "Nothing in your recordings clears the relevance bar for this question. Try other "
    "words, a wider date range, or fewer filters."
)


def extractive(
    question: str,
    passages: Sequence[Passage],
    ground: GroundFn,
    *,
    per_recording: int = 3,
    recordings: int = 3,
    share: float = 0.75,
    note: str = EXTRACTIVE_NOTE,
    on_sentence: SentenceFn | None = None,
) -> Answer:
    """Quote the best passages, at most ``per_recording`` from each of ``recordings``.

    A passage scoring below ``share`` of the best one is left out: the lead shows
    what matches, the rest only what matches nearly as well.
    """
    chosen: dict[str, list[int]] = {}
    best_score = max((p.score for p in passages), default=0.0)
    for index, passage in enumerate(passages):
        if passage.score < share * best_score:
            continue
        rid = passage.citation.recording_id
        if rid not in chosen and len(chosen) >= recordings:
            continue
        picks = chosen.setdefault(rid, [])
        if len(picks) < per_recording:
            picks.append(index)
    order = [i for picks in chosen.values() for i in picks]
    if not order:
        return not_found(question)
    verdicts = ground([passages[i].text for i in order], passages)
    kept: dict[int, AnswerSentence] = {}
    for index, verdict in zip(order, verdicts, strict=True):
        if verdict.kept:
            passage = passages[index]
            kept[index] = AnswerSentence(passage.text, passage.citation, round(verdict.score, 4))
    groups = []
    for rid, picks in chosen.items():
        sentences = tuple(
            sorted(
                (kept[i] for i in picks if i in kept),
                key=lambda s: (s.citation.start_s or 0.0, s.citation.paragraph or 0),
            )
        )
        if sentences:
            groups.append(AnswerGroup(rid, sentences[0].citation.name, sentences))
    if not groups:
        return not_found(question)
    best = min(kept)  # the passages are ranked: the lowest index is the best one
    lead = kept[best]
    flat = tuple(s for group in groups for s in group.sentences)
    if on_sentence is not None:
        for sentence in flat:
            on_sentence(sentence)
    return Answer(
        question=question,
        mode="extractive",
        sentences=flat,
        groups=tuple(groups),
        lead=lead,
        dropped=len(order) - len(kept),
        note=note,
    )


def not_found(question: str, note: str = NOT_FOUND_NOTE) -> Answer:
    return Answer(question=question, mode="not_found", note=note)

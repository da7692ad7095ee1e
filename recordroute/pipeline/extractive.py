"""The extractive summary: a template's sections filled with the recording's own sentences.

No language model is needed. Key points are the most central, mutually different
sentences (embedding centrality with MMR, per chunk and then across chunks); topics
are keyphrases; decisions, action items, risks and the like are sentences with cue
phrases; a custom section without cues gets the sentences closest in meaning to it.
A sentence is used in one section only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..grounding import EmbedFn, TimedSentence
from ..grounding.text import content_words
from . import cues as cue_phrases
from .keyphrases import keyphrases, topic_count
from .ranking import key_indices, mmr, unit_rows
from .templates import SectionSpec, SummaryTemplate

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: when a sentence matches several cue sets, the first here wins
_PRECEDENCE = (
    "decisions",
    "action_items",
    "definitions",
    "examples",
    "assignments",
    "risks",
    "next_steps",
    "questions",
    "background",
    "quotes",
)
#: a ``query`` section takes sentences at least this close in meaning to its description
QUERY_MIN_SIMILARITY = 0.3
_LABELS = {"ko": ("담당", "기한"), "en": ("owner", "due")}


@dataclasses.dataclass(frozen=True)
class Candidate:
    section: str
    text: str
    #: the sentence it was taken from
    sentence: int
    owner: str | None = None
    due: str | None = None


def sentence_prior(sentence: TimedSentence) -> float:
    """Short fillers ("네 맞아요", "Okay.") and run-on walls of text make poor key points."""
    count = len(content_words(sentence.text))
    if count < 3 or cue_phrases.PROCEDURE.search(sentence.text):
        return 0.3
    if count < 5:
        return 0.8
    return 0.85 if count > 60 else 1.0


def cap_for(sentences: int) -> int:
    """At most this many cue sentences per section: 8, plus one per 100 sentences, up to 20."""
    return min(20, 8 + sentences // 100)


def key_point_count(sentences: int) -> int:
    return min(8, max(1, math.ceil(sentences / 4)))


def extract(
    template: SummaryTemplate,
    sentences: Sequence[TimedSentence],
    vectors: npt.NDArray[np.float32],
    embed: EmbedFn,
    language: str,
) -> dict[str, list[Candidate]]:
    """Candidate lines for every section of ``template`` (sections may stay empty)."""
    out: dict[str, list[Candidate]] = {s.key: [] for s in template.sections}
    if not sentences:
        return out
    vectors = unit_rows(vectors)
    prior = np.array([sentence_prior(s) for s in sentences])
    centroid = unit_rows(vectors.mean(axis=0, keepdims=True))[0]
    relevance = np.asarray(vectors @ centroid, dtype=np.float64) * prior
    used: set[int] = set()
    cue_sections = [s for s in template.sections if s.source == "cues"]
    for section, found in _assign_cues(cue_sections, sentences, template.builtin).items():
        spec = next(s for s in cue_sections if s.key == section)
        indices = [i for i, _strength in found]
        boosted = relevance.copy()
        for i, strength in found:
            boosted[i] += 0.3 * strength
        chosen = _pick(indices, vectors, boosted, cap_for(len(sentences)))
        out[section] = [_cue_line(spec, i, sentences[i], language) for i in chosen]
        used.update(chosen)
    for spec in template.sections:
        if spec.source == "key_points":
            soft = prior * np.array([0.05 if i in used else 1.0 for i in range(len(sentences))])
            picked = [
                i
                for i in key_indices(vectors, soft, key_point_count(len(sentences)))
                if i not in used
            ]
            out[spec.key] = [Candidate(spec.key, sentences[i].text, i) for i in picked]
            used.update(picked)
        elif spec.source == "topics":
            phrases = keyphrases(sentences, embed, topic_count(sentences), centroid=centroid)
            out[spec.key] = [Candidate(spec.key, p.text, p.sentence) for p in phrases]
        elif spec.source == "query":
            out[spec.key] = _query(spec, sentences, vectors, relevance, embed, used)
            used.update(c.sentence for c in out[spec.key])
    return out


def _assign_cues(
    sections: Sequence[SectionSpec], sentences: Sequence[TimedSentence], builtin: bool
) -> dict[str, list[tuple[int, int]]]:
    """Each cue sentence goes to one section: its strongest match, ties by precedence."""
    sets: list[tuple[str, int, cue_phrases.CueSet]] = []
    for spec in sections:
        if builtin:
            for name in spec.cues:
                rank = _PRECEDENCE.index(name) if name in _PRECEDENCE else len(_PRECEDENCE)
                sets.append((spec.key, rank, cue_phrases.CUES[name]))
        else:
            sets.append((spec.key, -1, cue_phrases.custom_cues(spec.cues)))
    found: dict[str, list[tuple[int, int]]] = {s.key: [] for s in sections}
    for index, sentence in enumerate(sentences):
        if len(content_words(sentence.text)) < 3:
            continue
        scored = [
            (cue_phrases.cue_strength(sentence.text, cues), -rank, key) for key, rank, cues in sets
        ]
        scored = [s for s in scored if s[0] > 0]
        if not scored:
            continue
        strength, _rank, key = max(scored)
        if any(k == "action_items" for _s, _r, k in scored) and _has_owner(sentence.text):
            key, strength = "action_items", strength + 1
        found[key].append((index, strength))
    return found


def _has_owner(text: str) -> bool:
    return cue_phrases.find_owner(text) is not None


def _pick(
    indices: Sequence[int],
    vectors: npt.NDArray[np.float32],
    relevance: npt.NDArray[np.float64],
    cap: int,
) -> list[int]:
    if len(indices) <= cap:
        return list(indices)
    chosen = mmr(vectors[list(indices)], relevance[list(indices)], cap, diversity=0.2)
    return sorted(indices[i] for i in chosen)


def _cue_line(spec: SectionSpec, index: int, sentence: TimedSentence, language: str) -> Candidate:
    if spec.key != "action_items":
        return Candidate(spec.key, sentence.text, index)
    owner = cue_phrases.find_owner(sentence.text) or (
        sentence.speaker
        if sentence.speaker and cue_phrases.FIRST_PERSON.search(sentence.text)
        else None
    )
    due = cue_phrases.find_due(sentence.text)
    owner_label, due_label = _LABELS["ko" if language == "ko" else "en"]
    notes = [f"{owner_label}: {owner}" if owner else "", f"{due_label}: {due}" if due else ""]
    note = " · ".join(n for n in notes if n)
    text = f"{sentence.text} — {note}" if note else sentence.text
    return Candidate(spec.key, text, index, owner, due)


def _query(
    spec: SectionSpec,
    sentences: Sequence[TimedSentence],
    vectors: npt.NDArray[np.float32],
    relevance: npt.NDArray[np.float64],
    embed: EmbedFn,
    used: set[int],
) -> list[Candidate]:
    description = f"{spec.title('en')}. {spec.instruction}".strip()
    query = unit_rows(embed([description]))[0]
    closeness = np.asarray(vectors @ query, dtype=np.float64)
    indices = [
        i
        for i in np.argsort(-closeness)[:40]
        if closeness[i] >= QUERY_MIN_SIMILARITY and i not in used
    ]
    chosen = _pick([int(i) for i in indices], vectors, closeness + 0.2 * relevance, 4)
    return [Candidate(spec.key, sentences[i].text, i) for i in chosen]

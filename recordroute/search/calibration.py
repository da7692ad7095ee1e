"""Per-model similarity scales: what cosine a related and an unrelated pair typically get.

Embedding models put similarity on different scales (the bundled USE model gives
unrelated text about 0.02 and related text about 0.4; all-MiniLM gives unrelated English
text about 0.1 and cannot relate Korean text at all).  A model is calibrated once by
embedding the probe set (:mod:`recordroute.search.probes`): the cosines of queries with
passages of their own topic and of other topics give, per language pairing (Korean or
English query and passage), the two means and the spread of the unrelated ones.  The
result is kept per model key in ``<index>/calibration/<model slug>.json`` (written
atomically) and measured again when the probe set changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import CorruptDataError
from ..lexicon import hangul_share
from .probes import TOPICS, probe_texts
from .writer import embed_checked

EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.float32]]
#: changes whenever the probe set does, so stored calibrations are redone
PROBE_VERSION = hashlib.sha256(json.dumps(TOPICS, ensure_ascii=False).encode()).hexdigest()[:16]
#: the scales kept per language pairing: query language, then passage language
PAIRINGS = ("en-en", "en-ko", "ko-en", "ko-ko")
#: a pairing whose related pairs score less than this many unrelated standard deviations
#: above its unrelated pairs cannot tell them apart: its vectors say nothing there
MIN_SEPARATION = 1.0
_MIN_GAP = 1e-3
_FIX = "Delete it; RecordRoute measures the model's scale again on the next search."


@dataclasses.dataclass(frozen=True)
class Scale:
    """Typical cosines of unrelated and related pairs, and the spread of the unrelated."""

    unrelated: float
    related: float
    spread: float

    @property
    def usable(self) -> bool:
        """Whether related pairs stand out from unrelated ones at all."""
        return self.related - self.unrelated >= MIN_SEPARATION * max(self.spread, _MIN_GAP)

    def meaning(self, cosine: float) -> float:
        """``cosine`` on this scale: 0 = a typical unrelated pair, 1 = a typical related one."""
        return (cosine - self.unrelated) / max(self.related - self.unrelated, _MIN_GAP)


@dataclasses.dataclass(frozen=True)
class Calibration:
    """One embedding model's similarity scales, measured on the probe set.

    ``scales`` holds a :class:`Scale` per language pairing (``"ko-en"``: a Korean query
    and an English passage): most models score a translation lower than a paraphrase,
    and an English-only model cannot relate Korean text at all.
    """

    model: str
    scales: dict[str, Scale]
    pairs: int
    probe_version: str = PROBE_VERSION

    def __hash__(self) -> int:
        return hash((self.model, self.probe_version, tuple(sorted(self.scales.items()))))

    def scale(self, query_korean: bool, passage_korean: bool) -> Scale:
        return self.scales[f"{'ko' if query_korean else 'en'}-{'ko' if passage_korean else 'en'}"]

    def meaning(self, cosine: float, query_korean: bool, passage_korean: bool) -> float | None:
        """``cosine`` on the model's own scale (0 unrelated, 1 related) for this pairing.

        The scale is pooled over the usable pairings of the same kind (one language, or
        two), which halves the noise of the estimate.  None when the model cannot tell
        related from unrelated text in this pairing.
        """
        if not self.scale(query_korean, passage_korean).usable:
            return None
        one_language = query_korean == passage_korean
        pooled = [
            scale
            for key, scale in self.scales.items()
            if scale.usable and (key[:2] == key[3:]) == one_language
        ]
        return Scale(
            sum(s.unrelated for s in pooled) / len(pooled),
            sum(s.related for s in pooled) / len(pooled),
            max(s.spread for s in pooled),
        ).meaning(cosine)

    def to_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "scales": {key: dataclasses.asdict(scale) for key, scale in self.scales.items()},
            "pairs": self.pairs,
            "probe_version": self.probe_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, object], source: Path) -> Calibration:
        try:
            scales = data["scales"]
            if not isinstance(scales, dict) or set(scales) != set(PAIRINGS):
                raise ValueError(f"scales for {', '.join(PAIRINGS)} expected")
            return cls(
                model=str(data["model"]),
                scales={
                    key: Scale(float(v["unrelated"]), float(v["related"]), float(v["spread"]))
                    for key, v in scales.items()
                },
                pairs=int(str(data["pairs"])),
                probe_version=str(data["probe_version"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptDataError(
                f"The calibration file {source} is damaged ({exc}).", _FIX
            ) from None


def measure(model: str, embed: EmbedFn) -> Calibration:
    """Embed the probe set with ``embed`` and measure the model's scale per language pairing."""
    queries, passages, query_topics, passage_topics = probe_texts()
    vectors = embed_checked(embed, [*queries, *passages], model)
    scores = vectors[: len(queries)] @ vectors[len(queries) :].T
    same = np.asarray(query_topics)[:, None] == np.asarray(passage_topics)[None, :]
    query_korean = np.asarray([hangul_share(text) >= 0.5 for text in queries])
    passage_korean = np.asarray([hangul_share(text) >= 0.5 for text in passages])
    scales: dict[str, Scale] = {}
    for key in PAIRINGS:
        query_lang, passage_lang = key.split("-")
        where = (query_korean == (query_lang == "ko"))[:, None] & (
            passage_korean == (passage_lang == "ko")
        )[None, :]
        unrelated, related = scores[~same & where], scores[same & where]
        scales[key] = Scale(float(unrelated.mean()), float(related.mean()), float(unrelated.std()))
    return Calibration(model=model, scales=scales, pairs=int(scores.size))


def calibration_path(index_dir: Path, slug: str) -> Path:
    return index_dir / "calibration" / f"{slug}.json"


def load(path: Path, model: str) -> Calibration | None:
    """The stored calibration of ``model``; None when absent or made with another probe set."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptDataError(
            f"The calibration file {path} is not valid JSON (line {exc.lineno}).", _FIX
        ) from None
    if not isinstance(data, dict):
        raise CorruptDataError(f"The calibration file {path} does not hold an object.", _FIX)
    found = Calibration.from_json(data, path)
    if found.model != model or found.probe_version != PROBE_VERSION:
        return None
    return found


def save(path: Path, calibration: Calibration) -> None:
    """Write ``calibration`` atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".calibration-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(calibration.to_json(), out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

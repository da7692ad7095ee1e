"""Per-model similarity scales: what cosine a related and an unrelated pair typically get.

Embedding models put similarity on different scales (the bundled USE model gives
unrelated text about 0.0 and related text about 0.4; other models give unrelated text
0.3 or more).  A model is calibrated once by embedding the probe set
(:mod:`recordroute.search.probes`): the cosines of queries with passages of their own
topic (in either language) and of other topics give the two means.  The result is kept
per model key in ``<index>/calibration/<model slug>.json`` (written atomically) and
recomputed when the probe set changes.
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
#: the smallest gap between the related and unrelated means treated as a usable scale
_MIN_GAP = 1e-3


@dataclasses.dataclass(frozen=True)
class Calibration:
    """One embedding model's similarity scale, measured on the probe set."""

    model: str
    unrelated_mean: float
    unrelated_std: float
    related_mean: float
    related_std: float
    pairs: int
    #: the same means for query and passage in one language, and in two
    same_language: tuple[float, float] = (0.0, 1.0)
    cross_language: tuple[float, float] = (0.0, 1.0)
    probe_version: str = PROBE_VERSION

    def meaning(self, cosine: float, cross: bool = False) -> float:
        """``cosine`` on the model's own scale: 0 = a typical unrelated pair, 1 = a related one.

        ``cross`` uses the scale of a query and a passage in different languages (most
        models score a translation lower than a paraphrase).
        """
        unrelated, related = self.cross_language if cross else self.same_language
        return (cosine - unrelated) / max(related - unrelated, _MIN_GAP)

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object], source: Path) -> Calibration:
        try:
            return cls(
                model=str(data["model"]),
                unrelated_mean=float(data["unrelated_mean"]),  # type: ignore[arg-type]
                unrelated_std=float(data["unrelated_std"]),  # type: ignore[arg-type]
                related_mean=float(data["related_mean"]),  # type: ignore[arg-type]
                related_std=float(data["related_std"]),  # type: ignore[arg-type]
                pairs=int(data["pairs"]),  # type: ignore[call-overload]
                same_language=_pair(data["same_language"]),
                cross_language=_pair(data["cross_language"]),
                probe_version=str(data["probe_version"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptDataError(
                f"The calibration file {source} is damaged ({exc!r}).",
                "Delete it; RecordRoute measures the model's scale again on the next search.",
            ) from None


def _pair(value: object) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TypeError(f"expected two numbers, got {value!r}")
    return float(value[0]), float(value[1])


def measure(model: str, embed: EmbedFn) -> Calibration:
    """Embed the probe set with ``embed`` and measure the model's scale."""
    queries, passages, query_topics, passage_topics = probe_texts()
    vectors = embed_checked(embed, [*queries, *passages], model)
    scores = vectors[: len(queries)] @ vectors[len(queries) :].T
    same = np.asarray(query_topics)[:, None] == np.asarray(passage_topics)[None, :]
    query_lang = np.asarray([hangul_share(text) >= 0.5 for text in queries])
    passage_lang = np.asarray([hangul_share(text) >= 0.5 for text in passages])
    one_language = query_lang[:, None] == passage_lang[None, :]
    related, unrelated = scores[same], scores[~same]

    def means(where: npt.NDArray[np.bool_]) -> tuple[float, float]:
        return float(scores[~same & where].mean()), float(scores[same & where].mean())

    return Calibration(
        model=model,
        unrelated_mean=float(unrelated.mean()),
        unrelated_std=float(unrelated.std()),
        related_mean=float(related.mean()),
        related_std=float(related.std()),
        pairs=int(scores.size),
        same_language=means(one_language),
        cross_language=means(~one_language),
    )


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
            f"The calibration file {path} is not valid JSON (line {exc.lineno}).",
            "Delete it; RecordRoute measures the model's scale again on the next search.",
        ) from None
    if not isinstance(data, dict):
        raise CorruptDataError(
            f"The calibration file {path} does not hold an object.",
            "Delete it; RecordRoute measures the model's scale again on the next search.",
        )
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

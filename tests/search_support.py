"""Helpers shared by the search tests: seeded data, a deterministic embedder, references."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from recordroute.search import RecordingInfo, RecordingVectors, SearchIndex, TextChunk

REPO = Path(__file__).resolve().parent.parent
MODEL = "test-model"
BASE_DATE = datetime(2024, 3, 1, 9, 0)
KINDS = ("audio", "video", "text", "pdf")


def unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def chunks_for(recording_id: str, count: int) -> list[TextChunk]:
    return [
        TextChunk(f"{recording_id} chunk {i}", i * 20, i * 20 + 15, i * 30.0, i * 30.0 + 30.0)
        for i in range(count)
    ]


def info_for(number: int, *, deleted: bool = False) -> RecordingInfo:
    return RecordingInfo(
        f"rec-{number}",
        BASE_DATE + timedelta(days=number),
        KINDS[number % 4],  # type: ignore[arg-type]
        (f"t{number % 3}", "all") if number % 2 else (f"t{number % 3}",),
        deleted,
    )


def fill(
    index: SearchIndex,
    recordings: int,
    dim: int = 16,
    seed: int = 0,
    chunks: int = 4,
    model: str = MODEL,
) -> dict[str, np.ndarray]:
    """Add ``recordings`` recordings of random unit chunk vectors; returns them by id."""
    rng = np.random.default_rng(seed)
    stored: dict[str, np.ndarray] = {}
    items = []
    for number in range(recordings):
        info = info_for(number)
        vectors = unit(rng.standard_normal((chunks, dim)))
        stored[info.recording_id] = vectors
        items.append(RecordingVectors(info, chunks_for(info.recording_id, chunks), vectors))
    index.add_recordings(items, model=model)
    return stored


def reference_chunks(
    stored: dict[str, np.ndarray], query: np.ndarray, allowed: Sequence[str] | None = None
) -> list[tuple[str, int, float]]:
    """Every (recording, ordinal, cosine) by brute force in float64, best first."""
    q = np.asarray(query, dtype=np.float64)
    q = q / np.linalg.norm(q)
    scored = []
    for recording_id, vectors in stored.items():
        if allowed is not None and recording_id not in allowed:
            continue
        for ordinal, vector in enumerate(np.asarray(vectors, dtype=np.float64)):
            scored.append((recording_id, ordinal, float(vector @ q)))
    scored.sort(key=lambda item: -item[2])
    return scored


def assert_same_ranking(
    got: list[tuple[str, int, float]], want: list[tuple[str, int, float]]
) -> None:
    """Same items in the same order, allowing swaps only between float-rounding ties."""
    assert len(got) == len(want)
    for (g_id, g_ord, g_score), (w_id, w_ord, w_score) in zip(got, want, strict=True):
        assert abs(g_score - w_score) < 1e-5
        if (g_id, g_ord) != (w_id, w_ord):
            tied = [s for r, o, s in want if (r, o) == (g_id, g_ord)]
            assert tied and abs(tied[0] - w_score) < 1e-5


class HashEmbedder:
    """Deterministic bag-of-character-trigrams embedding; similar texts get similar vectors."""

    name = "hash-embedder"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.casefold()}  "
            for i in range(len(padded) - 2):
                out[row, zlib.crc32(padded[i : i + 3].encode()) % self.dim] += 1.0
            out[row, 0] += 0.01
        return out


def run_child(index_dir: Path, script: str, *args: str) -> dict[str, object]:
    """Run ``script`` in a fresh interpreter with ``index_dir`` and args; returns its JSON."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", script, str(index_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])

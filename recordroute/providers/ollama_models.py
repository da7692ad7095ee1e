"""Text generation and embeddings served by an Ollama server (``ollama`` client 0.6.x).

The server is never started by RecordRoute (the original spawned ``ollama serve`` as a side
effect).  Model information (``/api/show``) is fetched once per provider object: the context
length caps RECORDROUTE_LLM_CONTEXT, and a model with a chat template is prompted through
``/api/chat``, one without through ``/api/generate``.  Answers are streamed so that
``should_cancel`` is checked between chunks; closing the stream stops the generation.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Settings
from ..engine_protocols import CancelCheck, ProviderStatus
from ..errors import InvalidInputError, ProviderError, ProviderUnavailableError
from .cancellation import raise_if_cancelled
from .ollama_client import (
    PROBE_TIMEOUT_S,
    REQUIREMENT,
    has_model,
    list_model_names,
    make_client,
    ollama_errors,
)
from .status import status_of
from .token_estimate import estimate_tokens
from .vectors import l2_normalize

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: used when RECORDROUTE_LLM_MODEL / RECORDROUTE_EMBED_MODEL still name a bundled model
DEFAULT_LLM = "gemma3:4b"
DEFAULT_EMBEDDING = "bge-m3"
#: vector lengths of common Ollama embedding models, so ``dimension`` needs no request
KNOWN_DIMENSIONS = {
    "bge-m3": 1024,
    "nomic-embed-text": 768,
    "mxbai-embed-large": 1024,
    "all-minilm": 384,
    "snowflake-arctic-embed2": 1024,
}


def ollama_model_name(configured: str, default: str) -> str:
    """``configured``, or ``default`` when it names one of the embedded (bundled) models."""
    return default if configured.startswith("bundled-") else configured


@dataclasses.dataclass(frozen=True)
class OllamaModelInfo:
    """What ``/api/show`` says about a model that matters here."""

    context_length: int | None
    has_template: bool
    #: ``general.parameter_count`` where the server reports it
    parameter_count: int | None = None


class _OllamaBase:
    name = "ollama"

    def __init__(self, settings: Settings, model: str) -> None:
        self._settings = settings
        self._model = model
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return self._model

    def available(self) -> ProviderStatus:
        """Whether Ollama answers at the configured host and has the model (short timeout)."""
        return status_of(self.name, self._check_available, REQUIREMENT)

    def _check_available(self) -> str:
        names = list_model_names(self._settings, timeout_s=PROBE_TIMEOUT_S)
        if not has_model(names, self._model):
            raise ProviderUnavailableError(
                f"Ollama at {self._settings.ollama_host} has no model '{self._model}'.",
                f"Run `ollama pull {self._model}`, or choose one of: {', '.join(names) or 'none'}.",
            )
        return f"model {self._model} at {self._settings.ollama_host}"

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = make_client(self._settings)
            return self._client

    def _errors(self, action: str) -> Any:
        return ollama_errors(self._settings, self._model, action)


class OllamaLanguageModel(_OllamaBase):
    """:class:`~recordroute.engine_protocols.LanguageModel` served by Ollama."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, ollama_model_name(settings.llm_model, DEFAULT_LLM))
        self._info: OllamaModelInfo | None = None

    @property
    def context_window(self) -> int:
        """RECORDROUTE_LLM_CONTEXT, the ``num_ctx`` asked for (no request is made).

        :meth:`complete` also enforces the model's own context length from ``/api/show``.
        """
        return self._settings.llm_context

    def model_info(self) -> OllamaModelInfo:
        """The model's context length and whether it has a chat template (fetched once)."""
        if self._info is None:
            client = self._get_client()
            with self._errors("reading model information"):
                shown = client.show(self._model)
            info = dict(shown.modelinfo or {})
            lengths = [v for k, v in info.items() if k.endswith(".context_length")]
            parameters = info.get("general.parameter_count")
            self._info = OllamaModelInfo(
                context_length=int(lengths[0]) if lengths else None,
                has_template=bool((shown.template or "").strip()),
                parameter_count=int(parameters) if parameters else None,
            )
        return self._info

    @property
    def parameter_count(self) -> int | None:
        """How big the model is (from ``/api/show``): summaries know whether it can write."""
        return self.model_info().parameter_count

    def count_tokens(self, text: str) -> int:
        """An upper estimate: Ollama has no tokenizer endpoint (see :mod:`.token_estimate`)."""
        return estimate_tokens(text)

    def load(self) -> None:
        """Ask Ollama to load the model into memory now (an empty generate request)."""
        client = self._get_client()
        with self._errors("loading the model"):
            client.generate(model=self._model, prompt="", stream=False)

    def complete(
        self,
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        should_cancel: CancelCheck | None = None,
    ) -> str:
        pieces = self.stream(
            prompt,
            system=system,
            max_tokens=max_tokens,
            temperature=temperature,
            should_cancel=should_cancel,
        )
        return "".join(pieces).strip()

    def stream(
        self,
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        should_cancel: CancelCheck | None = None,
    ) -> Iterator[str]:
        """The answer piece by piece, as Ollama sends it (closing the generator stops it)."""
        what = f"Text generation with Ollama model '{self._model}'"
        raise_if_cancelled(should_cancel, what)
        info = self.model_info()
        window = min(self.context_window, info.context_length or self.context_window)
        used = estimate_tokens(prompt) + (estimate_tokens(system) if system else 0)
        if used >= window:
            raise InvalidInputError(
                f"The prompt has about {used} tokens, more than the context window of {window} "
                f"tokens of Ollama model '{self._model}' allows.",
                "Shorten or split the text (summaries do this by chunking); a larger "
                "RECORDROUTE_LLM_CONTEXT helps only up to the model's own context length.",
            )
        return self._pieces(prompt, system, info, window, max_tokens, temperature, should_cancel)

    def _pieces(
        self,
        prompt: str,
        system: str | None,
        info: OllamaModelInfo,
        window: int,
        max_tokens: int,
        temperature: float,
        should_cancel: CancelCheck | None,
    ) -> Iterator[str]:
        what = f"Text generation with Ollama model '{self._model}'"
        options = {
            "num_ctx": window,
            "num_predict": max_tokens,
            "temperature": temperature,
        }
        client = self._get_client()
        with self._errors("generating text"):
            stream: Iterator[Any]
            if info.has_template:
                messages = [{"role": "user", "content": prompt}]
                if system:
                    messages.insert(0, {"role": "system", "content": system})
                stream = client.chat(
                    model=self._model, messages=messages, options=options, stream=True
                )
            else:
                stream = client.generate(
                    model=self._model, prompt=prompt, system=system, options=options, stream=True
                )
            try:
                for chunk in stream:
                    raise_if_cancelled(should_cancel, what)
                    message = getattr(chunk, "message", None)
                    yield (message.content or "") if message is not None else (chunk.response or "")
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()


class OllamaEmbedder(_OllamaBase):
    """:class:`~recordroute.engine_protocols.Embedder` served by Ollama's ``/api/embed``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, ollama_model_name(settings.embed_model, DEFAULT_EMBEDDING))
        self._dimension: int | None = KNOWN_DIMENSIONS.get(self._model.split(":")[0])

    @property
    def dimension(self) -> int:
        """The length of the model's vectors: known for common models, else asked once."""
        if self._dimension is None:
            self.embed(["dimension"])
        assert self._dimension is not None
        return self._dimension

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        client = self._get_client()
        with self._errors("embedding text"):
            response = client.embed(model=self._model, input=list(texts))
        vectors = np.asarray(response.embeddings, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise ProviderError(
                f"Ollama model '{self._model}' returned {vectors.shape[0]} vectors of shape "
                f"{vectors.shape[1:]} for {len(texts)} texts.",
                "Use an embedding model (e.g. `ollama pull bge-m3`) for RECORDROUTE_EMBED_MODEL.",
            )
        self._dimension = int(vectors.shape[1])
        return l2_normalize(vectors)

"""Text generation with an embedded GGUF model through llama-cpp-python.

``RECORDROUTE_LLM_MODEL`` is ``bundled-smollm2`` (SmolLM2-135M-Instruct, chat template),
``bundled-gemma3-270m`` (Gemma 3 270M base, plain completion) or a path to a ``.gguf`` file.
Models with a chat template in their metadata are prompted through it; base models get
a plain completion prompt.  Tokens are streamed so ``should_cancel`` is checked between them.

The model is loaded with ``verbose=False``.  llama-cpp-python then points file descriptors
1 and 2 at /dev/null *while it loads* (a fraction of a second, once per process because
loaded models are cached); it does not do so while generating.
"""

from __future__ import annotations

import atexit
import logging
from pathlib import Path
from typing import Any

from ..config import Settings
from ..engine_protocols import CancelCheck, ProviderStatus
from ..errors import InvalidInputError, ProviderUnavailableError
from . import bundled, model_cache
from .cancellation import raise_if_cancelled
from .devices import llama_cpp_has_gpu, resolve_device
from .status import status_of

log = logging.getLogger(__name__)

ENGINE = "llama-cpp"
REQUIREMENT = "llama-cpp-python==0.3.36"
#: tokens reserved for the chat template's role markers around system and user text
TEMPLATE_OVERHEAD = 32
_FIX_MODEL = (
    "Set RECORDROUTE_LLM_MODEL to bundled-smollm2, bundled-gemma3-270m or the path of a .gguf file."
)


class LlamaCppModel:
    """:class:`~recordroute.engine_protocols.LanguageModel` running a GGUF model in-process."""

    name = ENGINE

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def model_name(self) -> str:
        return self._settings.llm_model

    @property
    def context_window(self) -> int:
        """Tokens the model sees at once: RECORDROUTE_LLM_CONTEXT, the ``n_ctx`` it is loaded with.

        Known without loading the model (a runtime-checkable protocol's ``isinstance`` reads
        this property on Python 3.11).
        """
        return self._settings.llm_context

    @property
    def has_chat_template(self) -> bool:
        return bool(self._loaded().model.metadata.get("tokenizer.chat_template"))

    def available(self) -> ProviderStatus:
        """Whether llama-cpp-python is installed and the model file exists (loads nothing)."""
        return status_of(ENGINE, self._check_available, REQUIREMENT)

    def load(self) -> None:
        """Load the model now (it is otherwise loaded by the first call that needs it)."""
        self._loaded()

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by the model's own tokenizer (no BOS token)."""
        entry = self._loaded()
        with entry.lock:
            return len(entry.model.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(
        self,
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        should_cancel: CancelCheck | None = None,
    ) -> str:
        what = "Text generation"
        raise_if_cancelled(should_cancel, what)
        entry = self._loaded()
        llm = entry.model
        used = self.count_tokens(prompt) + (self.count_tokens(system) if system else 0)
        window = int(llm.n_ctx())
        if used + TEMPLATE_OVERHEAD >= window:
            raise InvalidInputError(
                f"The prompt has {used} tokens, more than the model's context window of "
                f"{window} tokens allows.",
                "Shorten or split the text (summaries do this by chunking), or raise "
                "RECORDROUTE_LLM_CONTEXT.",
            )
        max_tokens = max(1, min(max_tokens, window - used - TEMPLATE_OVERHEAD))
        pieces: list[str] = []
        with entry.lock:
            if llm.metadata.get("tokenizer.chat_template"):
                messages = [{"role": "user", "content": prompt}]
                if system:
                    messages.insert(0, {"role": "system", "content": system})
                stream = llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True
                )
                delta_of = _chat_delta
            else:
                text = f"{system.strip()}\n\n{prompt}" if system else prompt
                stream = llm.create_completion(
                    text, max_tokens=max_tokens, temperature=temperature, stream=True
                )
                delta_of = _completion_delta
            try:
                for chunk in stream:
                    raise_if_cancelled(should_cancel, what)
                    pieces.append(delta_of(chunk))
            finally:
                stream.close()
        return "".join(pieces).strip()

    def _model_path(self) -> Path:
        name = self.model_name.strip()
        if name.startswith("bundled-"):
            return bundled.locate(name, "llm", self._settings)
        path = Path(name).expanduser()
        if path.suffix.lower() != ".gguf":
            hint = (
                " It looks like an Ollama model name: set RECORDROUTE_LLM_PROVIDER=ollama "
                "to use it."
                if ":" in name or "/" not in name
                else ""
            )
            raise ProviderUnavailableError(
                f"LLM model '{name}' is neither a bundled model nor a .gguf file.{hint}",
                _FIX_MODEL,
            )
        if not path.is_file():
            raise ProviderUnavailableError(f"LLM model file '{path}' does not exist.", _FIX_MODEL)
        return path

    def _loaded(self) -> model_cache.LoadedModel[Any]:
        path = self._model_path()
        device = resolve_device(self._settings.device, ENGINE, llama_cpp_has_gpu)
        n_ctx = self._settings.llm_context
        key = (ENGINE, str(path), device, f"gguf/ctx={n_ctx}")
        threads = self._settings.threads
        return model_cache.get_or_load(key, lambda: _load(path, device, n_ctx, threads))

    def _check_available(self) -> str:
        import llama_cpp  # noqa: F401  (the engine must be installed)

        return f"model {self.model_name} ({self._model_path()})"


def _load(path: Path, device: str, n_ctx: int, threads: int) -> Any:
    from llama_cpp import Llama

    try:
        llm = Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=threads,
            n_gpu_layers=-1 if device == "cuda" else 0,
            verbose=False,
        )
    except (ValueError, RuntimeError) as exc:
        raise ProviderUnavailableError(
            f"llama.cpp could not load '{path}' ({exc}).",
            "Check that the file is a complete GGUF model (re-download or re-assemble it). "
            + _FIX_MODEL,
        ) from exc
    # free the native model before interpreter shutdown tears down the modules its
    # destructor needs (otherwise it fails noisily at exit)
    atexit.register(llm.close)
    return llm


def _chat_delta(chunk: Any) -> str:
    return str(chunk["choices"][0]["delta"].get("content") or "")


def _completion_delta(chunk: Any) -> str:
    return str(chunk["choices"][0].get("text") or "")

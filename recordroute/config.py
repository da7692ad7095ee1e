"""Settings: one frozen object built from arguments, the environment and ``.env``.

Precedence, highest first: explicit arguments, the process environment, a ``.env``
file, the defaults below.  This module is the only reader of ``os.environ`` and it
reads it only when :meth:`Settings.load` is called (never at import time).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SPEECH_ENGINES = ("faster-whisper", "openai-whisper")
LLM_PROVIDERS = ("llama-cpp", "ollama")
EMBED_PROVIDERS = ("use", "ollama")
DEVICES = ("auto", "cpu", "cuda")
DIARIZE_PROVIDERS = ("bundled", "pyannote")
SUMMARY_MODES = ("auto", "extractive", "abstractive")


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything RecordRoute can be configured with.

    Each field maps to an environment variable ``RECORDROUTE_<FIELD>`` (upper case);
    ``data_dir`` also accepts the original RecordRoute's ``DB_FOLDER_PATH``.
    """

    data_dir: Path | str = Path("db")
    log_level: str = "INFO"
    log_max_bytes: int = 5 * 1024 * 1024
    log_backup_count: int = 5
    min_free_mb: int = 200
    max_upload_mb: int = 4096
    temp_max_age_s: int = 3600
    busy_timeout_s: float = 60.0
    # jobs
    workers: int = 1
    job_attempts: int = 3
    retry_base_s: float = 2.0
    # providers (used by the pipeline)
    speech_engine: str = "faster-whisper"
    whisper_model: str = "bundled-base"
    language: str = "auto"
    device: str = "auto"
    threads: int = 2
    llm_provider: str = "llama-cpp"
    llm_model: str = "bundled-smollm2"
    llm_context: int = 2048
    #: summaries: the template used unless a recording or its tag has one, and the mode
    summary_template: str = "meeting"
    summary_mode: str = "auto"
    embed_provider: str = "use"
    embed_model: str = "bundled-use-multilingual"
    ollama_host: str = "http://127.0.0.1:11434"
    # speakers: who spoke when
    diarize_provider: str = "bundled"
    #: 0 finds the number of speakers; a number fixes it
    diarize_speakers: int = 0
    diarize_max_speakers: int = 8
    #: cosine distance beyond which two voices count as different speakers
    diarize_threshold: float = 0.35
    #: a local pyannote pipeline folder (with config.yaml), for diarize_provider=pyannote
    pyannote_pipeline: str = ""
    #: voice similarity from which a known voice is named in a new recording (below: suggested)
    voice_threshold: float = 0.84
    ollama_timeout_s: float = 300.0
    # notes for Obsidian (or any folder): written when steps finish; empty = off
    export_dir: str = ""
    # server
    host: str = "127.0.0.1"
    port: int = 8080
    ws_port: int = 8765
    token: str = ""
    #: the API's address as a browser reaches it (``recordroute serve`` sets it for the
    #: dashboards; set it yourself when the API sits behind a proxy)
    api_url: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.data_dir, Path):  # accept a str, as callers naturally pass
            object.__setattr__(self, "data_dir", Path(self.data_dir))
        _check_choice("log_level", self.log_level, LOG_LEVELS)
        _check_choice("speech_engine", self.speech_engine, SPEECH_ENGINES)
        _check_choice("llm_provider", self.llm_provider, LLM_PROVIDERS)
        _check_choice("embed_provider", self.embed_provider, EMBED_PROVIDERS)
        _check_choice("device", self.device, DEVICES)
        _check_choice("diarize_provider", self.diarize_provider, DIARIZE_PROVIDERS)
        _check_choice("summary_mode", self.summary_mode, SUMMARY_MODES)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", self.summary_template):
            raise ConfigError(
                f"{env_name('summary_template')}={self.summary_template!r} is not a template name.",
                "Use meeting, lecture, interview or the name of a custom template "
                "(lower-case letters, digits, '-' and '_').",
            )
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                raise ConfigError(
                    f"{env_name(name)}={value!r} is out of range.",
                    f"Use a number from {low} to {high}.",
                )
        if not str(self.data_dir).strip():
            raise ConfigError(
                f"{env_name('data_dir')} is empty.",
                "Set it to the folder that holds RecordRoute's data, e.g. ./db.",
            )
        if self.api_url and not self.api_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"{env_name('api_url')}={self.api_url!r} is not an http(s) URL.",
                "Use a URL such as http://127.0.0.1:8080/recordroute/api/v1, or leave it unset.",
            )
        if not self.ollama_host.startswith(("http://", "https://")):
            raise ConfigError(
                f"{env_name('ollama_host')}={self.ollama_host!r} is not an http(s) URL.",
                "Use a URL such as http://127.0.0.1:11434.",
            )

    @property
    def data_path(self) -> Path:
        """The data folder as an absolute path."""
        return Path(self.data_dir).expanduser().resolve()

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        env_file: Path | str | None = ".env",
    ) -> Settings:
        """Build settings from ``overrides`` > environment > ``env_file`` > defaults.

        ``overrides`` uses field names; ``None`` values in it are ignored so that
        unset command-line options fall through to the environment.
        """
        env = dict(os.environ if environ is None else environ)
        file_values = read_env_file(Path(env_file)) if env_file else {}
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = _lookup(field.name, env, file_values)
            if raw is not None:
                values[field.name] = _convert(field.name, raw, _FIELD_TYPES[field.name])
        for name, value in (overrides or {}).items():
            if name not in _FIELD_TYPES:
                raise ConfigError(
                    f"Unknown setting {name!r}.",
                    f"Known settings: {', '.join(sorted(_FIELD_TYPES))}.",
                )
            if value is not None:
                values[name] = _convert(name, value, _FIELD_TYPES[name])
        return cls(**values)


_RANGES: tuple[tuple[str, float, float], ...] = (
    ("log_max_bytes", 10_000, 1 << 34),
    ("log_backup_count", 1, 100),
    ("min_free_mb", 0, 1 << 24),
    ("max_upload_mb", 1, 1 << 24),
    ("temp_max_age_s", 1, 10**8),
    ("busy_timeout_s", 0.1, 3600),
    ("workers", 1, 64),
    ("job_attempts", 1, 100),
    ("retry_base_s", 0, 3600),
    ("threads", 1, 512),
    ("llm_context", 256, 1 << 20),
    ("diarize_speakers", 0, 64),
    ("diarize_max_speakers", 1, 64),
    ("diarize_threshold", 0.01, 2.0),
    ("voice_threshold", 0.0, 1.0),
    ("ollama_timeout_s", 1, 86_400),
    ("port", 0, 65_535),
    ("ws_port", 0, 65_535),
)

#: environment names the original RecordRoute used, accepted as aliases
ALIASES = {"data_dir": ("DB_FOLDER_PATH",), "ollama_host": ("OLLAMA_HOST",)}


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return f"RECORDROUTE_{field.upper()}"


def _lookup(name: str, env: Mapping[str, str], file_values: Mapping[str, str]) -> str | None:
    keys = (env_name(name), *ALIASES.get(name, ()))
    for source in (env, file_values):
        for key in keys:
            if key in source and source[key].strip() != "":
                return source[key]
    return None


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(
            f"{env_name(name)}={value!r} is not allowed.",
            f"Use one of: {', '.join(allowed)}.",
        )


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


_CONVERTERS: dict[type, Callable[[str], Any]] = {
    int: int,
    float: float,
    bool: _to_bool,
    Path: Path,
    str: str,
}
_FIELD_TYPES: dict[str, type] = {
    "data_dir": Path,
    **{f.name: type(f.default) for f in dataclasses.fields(Settings) if f.name != "data_dir"},
}


def _convert(name: str, raw: Any, kind: type) -> Any:
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
        return raw
    text = str(raw).strip()
    try:
        return _CONVERTERS[kind](text)
    except ValueError:
        expected = {int: "a whole number", float: "a number", bool: "true or false"}.get(
            kind, kind.__name__
        )
        raise ConfigError(
            f"{env_name(name)}={text!r} is not {expected}.", f"Set it to {expected}."
        ) from None


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=VALUE`` lines, ``#`` comments, optional quotes.

    A missing file gives no values; a malformed line is an error naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text ({exc}).", "Save it as UTF-8.") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        key, sep, value = stripped.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise ConfigError(
                f"{path}:{number}: {line!r} is not a KEY=VALUE line.",
                "Fix or remove that line.",
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values

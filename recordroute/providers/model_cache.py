"""A process-wide cache of loaded models: each model is loaded once, behind a lock.

Keys are ``(engine, model, device, compute type)``.  Loading happens under a lock of its
own key, so two threads asking for the same model wait for one load, while different
models load in parallel.  A failed load caches nothing; the next call tries again.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

log = logging.getLogger(__name__)

T = TypeVar("T")
#: (engine, model location, device, compute type)
CacheKey = tuple[str, str, str, str]


@dataclasses.dataclass(frozen=True)
class LoadedModel(Generic[T]):
    """A loaded engine object and the lock that serialises its use where it is not thread-safe."""

    key: CacheKey
    model: T
    load_seconds: float
    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock, compare=False)


_lock = threading.Lock()
_entries: dict[CacheKey, LoadedModel[Any]] = {}
_key_locks: dict[CacheKey, threading.Lock] = {}


def get_or_load(key: CacheKey, loader: Callable[[], T]) -> LoadedModel[T]:
    """The cached model for ``key``, calling ``loader`` once if it is not loaded yet."""
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            return cast(LoadedModel[T], entry)
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:
        with _lock:
            entry = _entries.get(key)
        if entry is not None:
            return cast(LoadedModel[T], entry)
        started = time.perf_counter()
        model = loader()
        loaded = LoadedModel(key=key, model=model, load_seconds=time.perf_counter() - started)
        log.info("Loaded %s model %s on %s (%s) in %.1f s", *key, loaded.load_seconds)
        with _lock:
            _entries[key] = loaded
        return loaded


def loaded_keys() -> tuple[CacheKey, ...]:
    """The keys of every model loaded in this process."""
    with _lock:
        return tuple(_entries)

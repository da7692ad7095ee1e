"""A small in-process TTL + LRU cache with hit/miss counters.

The index keeps two: query embeddings keyed by ``(model, query)`` and results keyed
by ``(operation, model, query, filters, k)``.  The result cache is cleared whenever
the index revision changes, in this process or another, so deleted or edited
recordings never come back from it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from ..errors import InvalidInputError
from .results import CacheStats

V = TypeVar("V")


class TTLCache(Generic[V]):
    """Entries live ``ttl_s`` seconds; beyond ``max_entries`` the least recently used go."""

    def __init__(
        self,
        ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s < 0 or max_entries < 0:
            raise InvalidInputError(
                f"Cache ttl_s={ttl_s} and max_entries={max_entries} must not be negative.",
                "Use 0 to turn the cache off.",
            )
        self._ttl_s = ttl_s
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._hits = self._misses = self._expired = self._invalidations = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return None
            stored_at, value = entry
            if self._clock() - stored_at >= self._ttl_s:
                del self._entries[key]
                self._expired += 1
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        if self._max == 0 or self._ttl_s == 0:
            return
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            if self._entries:
                self._invalidations += 1
            self._entries.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                expired=self._expired,
                invalidations=self._invalidations,
                size=len(self._entries),
            )

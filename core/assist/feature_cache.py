"""Feature stacks kept per image and scale, least recently used first out, bounded by bytes.

Features of a 1918x1280 photo at the working scale take about 170 MB and a
second to compute; the strokes that follow on the same image then reuse them.
A lock makes one cache safe to share between the live assist and a review scorer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

import numpy as np

DEFAULT_CACHE_BYTES = 768 * 1024 * 1024


class FeatureCache:
    """``get(key, compute)`` returns the cached array or computes, stores and returns it."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        if max_bytes <= 0:
            raise ValueError(f"cache size must be > 0 bytes; got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._entries: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(array.nbytes for array in self._entries.values())

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        array = compute()  # outside the lock: a second thread may compute the same key, never blocks
        with self._lock:
            self.misses += 1
            self._entries[key] = array
            self._entries.move_to_end(key)
            self._evict()
        return array

    def _evict(self) -> None:
        """Drop the oldest entries until within budget; the newest always stays."""
        total = sum(array.nbytes for array in self._entries.values())
        while total > self.max_bytes and len(self._entries) > 1:
            _, array = self._entries.popitem(last=False)
            total -= array.nbytes

    def drop(self, predicate: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [k for k in self._entries if predicate(k)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

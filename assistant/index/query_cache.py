"""A bounded, thread-safe LRU of query vectors: a question asked again is not encoded again.

A query's vector depends only on its text and the model, never on the index, so nothing has to
be invalidated when sources change; one cache belongs to one model handle (`LazyEmbeddings`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable


class QueryVectors:
    """The last `size` query vectors by their exact text (`size` 0: no cache)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"a query cache holds 0 or more vectors, not {size}")
        self.size = size
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, tuple[float, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str, encode: Callable[[str], list[float]]) -> list[float]:
        """The vector of `text`: remembered, or `encode(text)` (outside the lock), remembered."""
        if self.size:
            with self._lock:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    self.hits += 1
                    return list(vector)  # a new list: a caller may change its own copy
                self.misses += 1
        fresh = encode(text)
        if self.size:
            with self._lock:
                self._vectors[text] = tuple(fresh)
                self._vectors.move_to_end(text)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return fresh

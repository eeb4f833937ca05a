"""A bounded, thread-safe LRU of query vectors: a question asked again is not encoded again.

A query's vector depends only on its text and the model, never on the index, so nothing has to
be invalidated when sources change; one cache belongs to one model handle (`LazyEmbeddings`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # numpy is not imported at CLI start
    from assistant.index.word_vectors import WordVectors

Encoded: TypeAlias = "tuple[list[float], WordVectors | None]"  # a vector and word vectors


class QueryVectors:
    """The last `size` query vectors by their exact text (`size` 0: no cache)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"a query cache holds 0 or more vectors, not {size}")
        self.size = size
        self.hits = 0
        self.misses = 0
        # text -> (vector, word vectors, whether word vectors were asked for)
        self._vectors: OrderedDict[str, tuple[tuple[float, ...], WordVectors | None, bool]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str, encode: Callable[[str], list[float]]) -> list[float]:
        """The vector of `text`: remembered, or `encode(text)` (outside the lock), remembered."""
        return self.get_with_words(text, lambda t: (encode(t), None), words=False)[0]

    def get_with_words(
        self, text: str, encode: Callable[[str], Encoded], *, words: bool = True
    ) -> Encoded:
        """The vector and word vectors of `text`, as `get`; a vector remembered without asking
        for its word vectors is encoded again when `words` are wanted."""
        if self.size:
            with self._lock:
                found = self._vectors.get(text)
                if found is not None and (found[2] or not words):
                    self._vectors.move_to_end(text)
                    self.hits += 1
                    return list(found[0]), found[1]  # a new list: a caller may change its own
                self.misses += 1
        vector, word_vectors = encode(text)
        if self.size:
            with self._lock:
                self._vectors[text] = (tuple(vector), word_vectors, words)
                self._vectors.move_to_end(text)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return vector, word_vectors

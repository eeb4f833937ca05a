"""Deterministic fakes, registered like the real parts (`Assistant.open(embeddings=...)`)."""

from __future__ import annotations

import hashlib
import math
import re
import threading

from langchain_core.embeddings import Embeddings

DIMENSIONS = 384
_WORD = re.compile(r"[a-z0-9]+")


class KeywordEmbeddings(Embeddings):
    """A hashed bag of lower-cased words in 384 dimensions, L2-normalised; counts its calls.

    Deterministic across processes (hashlib, not Python's salted `hash`), and fast enough that
    indexing the shipped sources takes milliseconds. Texts that share words get similar vectors,
    so retrieval over it behaves like a crude keyword search.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.query_calls = 0
        self.document_calls = 0
        self.texts_embedded = 0

    def reset(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self.query_calls = self.document_calls = self.texts_embedded = 0

    @property
    def calls(self) -> int:
        """Model calls of either kind."""
        return self.query_calls + self.document_calls

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for texts to store."""
        with self._lock:
            self.document_calls += 1
            self.texts_embedded += len(texts)
        return [vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """The vector of a query."""
        with self._lock:
            self.query_calls += 1
            self.texts_embedded += 1
        return vector(text)


class OtherKeywordEmbeddings(KeywordEmbeddings):
    """The same vectors under another class name, so the index records another model id."""


def vector(text: str) -> list[float]:
    """The hashed bag-of-words vector of `text` (a fixed unit vector for a text with no words)."""
    values = [0.0] * DIMENSIONS
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        values[int.from_bytes(digest[:4], "big") % DIMENSIONS] += 1.0
    norm = math.sqrt(sum(v * v for v in values))
    if norm == 0.0:
        values[0] = 1.0
        return values
    return [v / norm for v in values]

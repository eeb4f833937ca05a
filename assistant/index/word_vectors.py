"""Word vectors: each content word of an embedded text as the model read it there.

A sentence vector is one mean over all its words, so a question in other words than its
answer ("wrap up" for "closed", "writer" for "I") can score below a sentence that shares its
topic. Matching word by word with the model's contextual vectors (late interaction, as in
ColBERT or BERTScore) finds such answers: for each word of the question, the most similar word
of the sentence, weighted by the question word's rarity (`match`).

They cost no extra model work: the encoder pass that gives a sentence its vector gives every
wordpiece a vector too (`OnnxEmbeddings.embed_with_words`); a word's vector is the mean of its
wordpieces'. The catalog stores them packed (`pack`: int8 with one scale per word, about 400
bytes a word) by the content hash of the embedded text, like the sentence vectors: reused
across files and edits (`index.word_table`). On the shipped commentary this put the right
sentence first for 11 more of the 108 held-out answerable questions (BENCHMARKS.md, "Word
vectors").
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.index.text import stem, term_spans

_HEADER = struct.Struct("<HH")  # words, dimensions


@dataclass(frozen=True)
class WordVectors:
    """The stems of a text's content words and their unit vectors, one row each."""

    stems: tuple[str, ...]
    matrix: np.ndarray  # (len(stems), dimensions), float32, rows of length 1

    def pack(self) -> bytes:
        """Compact bytes: int8 rows with one float32 scale each, then the stems."""
        scales = np.abs(self.matrix).max(axis=1, initial=0.0) / 127.0
        safe = np.where(scales > 0, scales, 1.0)[:, None]
        rows = np.round(self.matrix / safe).astype(np.int8)
        words = "\x1f".join(self.stems).encode("utf-8")
        header = _HEADER.pack(len(self.stems), self.matrix.shape[1] if self.stems else 0)
        data: bytes = header + scales.astype("<f4").tobytes() + rows.tobytes() + words
        return data

    @classmethod
    def unpack(cls, data: bytes) -> WordVectors:
        """The vectors `pack` wrote (rows made unit length again)."""
        n, dims = _HEADER.unpack_from(data)
        at = _HEADER.size
        scales = np.frombuffer(data, "<f4", n, at)
        at += 4 * n
        rows = np.frombuffer(data, np.int8, n * dims, at).reshape(n, dims)
        at += n * dims
        stems = tuple(data[at:].decode("utf-8").split("\x1f")) if n else ()
        matrix = rows.astype(np.float32) * scales[:, None]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return cls(stems, matrix / np.clip(norms, 1e-12, None))


def from_tokens(text: str, offsets: Sequence[tuple[int, int]], hidden: np.ndarray) -> WordVectors:
    """The content words of `text` from its wordpieces' character `offsets` and vectors.

    A word truncated away by the model's length limit has no vector and is left out.
    """
    starts = np.array([s for s, _ in offsets])
    ends = np.array([e for _, e in offsets])
    real = ends > starts  # [CLS], [SEP] and padding have empty offsets
    stems: list[str] = []
    rows: list[np.ndarray] = []
    for word, start, end in term_spans(text):
        pieces = real & (starts >= start) & (ends <= end)
        if pieces.any():
            vector = hidden[pieces].mean(axis=0)
            stems.append(stem(word))
            rows.append(vector / max(float(np.linalg.norm(vector)), 1e-12))
    dims = hidden.shape[-1]
    matrix = np.stack(rows).astype(np.float32) if rows else np.zeros((0, dims), np.float32)
    return WordVectors(tuple(stems), matrix)


def match(question: WordVectors, weights: Mapping[str, float], other: WordVectors) -> float:
    """How well `other` holds the question's words, by meaning: for each question word the
    cosine of the nearest word of `other`, averaged with the words' `weights` (stem -> weight;
    words without one do not count). 0.0 when nothing can be compared."""
    if not len(question.stems) or not len(other.stems):
        return 0.0
    w = np.array([weights.get(s, 0.0) for s in question.stems], dtype=np.float32)
    if float(w.sum()) <= 0.0:
        return 0.0
    nearest = (question.matrix @ other.matrix.T).max(axis=1)
    return float((nearest * w).sum() / w.sum())


@runtime_checkable
class WordEncoder(Protocol):
    """An embedding model that can give the word vectors of the texts it embeds (None when
    the model behind it cannot, or `gives_words` is False: a setting turned them off)."""

    @property
    def gives_words(self) -> bool:
        """Whether word vectors are wanted and can be given."""

    def embed_with_words(
        self, texts: list[str]
    ) -> tuple[list[list[float]], list[WordVectors] | None]:
        """Vectors of `texts` to store, with their word vectors."""

    def embed_query_with_words(self, text: str) -> tuple[list[float], WordVectors | None]:
        """The vector of a query, with its word vectors."""

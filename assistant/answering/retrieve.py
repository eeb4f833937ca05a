"""Hybrid retrieval: dense sentence search and keyword search over chunks, fused by rank."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answering.intent import read
from assistant.answering.question import Analysis, Constraint
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore
from assistant.index.text import terms
from assistant.schema import Chunk, Passage

RRF_K = 60
DENSE_CANDIDATES = 40
KEYWORD_CANDIDATES = 30


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found: ranked passages, their chunks, and per-sentence similarities."""

    query: str
    passages: list[Passage]
    chunks: dict[str, Chunk]
    similarity: dict[str, float]  # sentence id -> cosine similarity with the query
    idf: dict[str, float]  # query term -> inverse document frequency over chunks
    absent: frozenset[str] = frozenset()  # query terms found in no chunk at all
    question: str = ""  # the user's own words, when `query` also carries earlier turns
    said: str = ""  # the previous answer in the conversation, not to be repeated
    analysis: Analysis | None = None  # the user's own question, read once
    missing: tuple[Constraint, ...] = ()  # constraints of the question that no source contains


class Retriever:
    """Finds the passages for a query; the one model call is the query embedding."""

    def __init__(self, *, catalog: Catalog, store: VectorStore, embeddings: Embeddings) -> None:
        self._catalog = catalog
        self._store = store
        self._embeddings = embeddings

    def retrieve(
        self,
        query: str,
        k: int,
        *,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Retrieval:
        """The `k` best passages for `query`, optionally only of some kinds or sources."""
        vector = self._embeddings.embed_query(query)
        words = terms(query)
        dense = self._store.search(vector, DENSE_CANDIDATES, kinds, sources)
        keyword = self._catalog.keyword_search(words, KEYWORD_CANDIDATES, kinds, sources)
        fused: dict[str, float] = {}
        for rank, chunk_id in enumerate(dict.fromkeys(c for _, c, _ in dense)):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        for rank, (chunk_id, _) in enumerate(keyword):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        # Equal fused scores: an exact keyword match decides.
        keyword_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(keyword)}
        best = sorted(fused, key=lambda c: (-fused[c], keyword_rank.get(c, len(keyword))))[:k]
        # A question that names a resolution gets all of its clauses to choose from.
        named = read(query).acts
        if named and not (kinds and not {"resolution", "decision"} & set(kinds)):
            best += [c for c in self._catalog.act_chunk_ids(named) if c not in best]
        return self.expand(query, best, vector, fused, words)

    def missing(self, analysis: Analysis) -> tuple[Constraint, ...]:
        """The constraints of `analysis` ("Resolution 200", "Dubai") that no chunk contains."""
        return tuple(c for c in analysis.constraints if not self._contains(c))

    def _contains(self, constraint: Constraint) -> bool:
        frequency = self._catalog.document_frequency
        if constraint.kind == "name":  # each word somewhere: names are often run together
            return all(frequency(w) for w in constraint.words())
        return any(frequency(form) for form in constraint.forms())

    def expand(
        self,
        query: str,
        chunk_ids: Sequence[str],
        vector: Sequence[float],
        scores: dict[str, float],
        words: list[str],
    ) -> Retrieval:
        """Load the chunks, their sentence similarities and term weights."""
        chunks = self._catalog.chunks(chunk_ids)
        sentence_ids = [s.id for c in chunks.values() for s in c.sentences]
        vectors = self._store.vectors(sentence_ids)
        similarity = {sid: _dot(vector, v) for sid, v in vectors.items()}
        titles = self._catalog.titles({c.source for c in chunks.values()})
        passages = [
            Passage(
                c.text,
                c.source,
                titles.get(c.source, c.source),
                c.locator,
                c.kind,
                round(scores.get(cid, 0.0), 6),
                c.start,
                c.end,
                cid,
            )
            for cid in chunk_ids
            if (c := chunks.get(cid)) is not None
        ]
        frequency = {w: self._catalog.document_frequency(w) for w in dict.fromkeys(words)}
        total = max(1, self._catalog.chunk_count())
        idf = {w: math.log(1.0 + (total - df + 0.5) / (df + 0.5)) for w, df in frequency.items()}
        absent = frozenset(w for w, df in frequency.items() if df == 0)
        return Retrieval(query, passages, chunks, similarity, idf, absent)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))

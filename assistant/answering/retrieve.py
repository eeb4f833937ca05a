"""Hybrid retrieval: dense sentence search and keyword search over chunks, fused by rank.

`Retriever` and `Reranker` are the seams the Assistant is built with; `HybridRetriever` is the
real retriever, over any `KeywordIndex` (the SQLite catalog) and `VectorIndex` (Chroma).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # langchain_core costs ~0.5 s to import: not at CLI start
    from langchain_core.embeddings import Embeddings

from assistant.answering.cited import cited_positions, neighbours
from assistant.answering.intent import read
from assistant.answering.keywords import KeywordLimit
from assistant.answering.question import Analysis, Constraint
from assistant.answering.references import paged
from assistant.answering.turn import Turn
from assistant.index.pages import PageMap
from assistant.index.text import terms
from assistant.index.word_vectors import WordEncoder, WordVectors
from assistant.schema import Chunk, Passage

RRF_K = 60
DENSE_CANDIDATES = 40
KEYWORD_CANDIDATES = 30
CITED_CANDIDATES = 8  # chunks searched for the sentences a previous answer quoted


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found: ranked passages, their chunks, and per-sentence similarities."""

    query: str
    passages: list[Passage]
    chunks: dict[str, Chunk]
    similarity: dict[str, float]  # sentence id -> cosine similarity with the query
    idf: dict[str, float]  # query term -> inverse document frequency over chunks
    absent: frozenset[str] = frozenset()  # query terms found in no chunk at all
    turn: Turn | None = None  # the question these passages were found for, read once
    missing: tuple[Constraint, ...] = ()  # constraints of the question that no source contains
    query_words: WordVectors | None = None  # the query's word vectors, when the model gives them
    words: dict[str, WordVectors] = field(default_factory=dict)  # sentence id -> word vectors


class KeywordIndex(Protocol):
    """What retrieval needs from the keyword index (the catalog)."""

    def keyword_search(
        self,
        words: Iterable[str],
        k: int,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The `k` best chunks for `words` as (chunk id, score), best first."""
        ...

    def document_frequency(self, word: str) -> int:
        """How many chunks contain `word` (a phrase for several words)."""
        ...

    def chunk_count(self) -> int:
        """How many chunks are indexed."""
        ...

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks with these ids."""
        ...

    def titles(self, ids: Iterable[str]) -> dict[str, str]:
        """Source titles by source id."""
        ...

    def act_chunk_ids(self, acts: Iterable[tuple[str, str]], limit: int = 80) -> list[str]:
        """The chunks of the named resolutions or decisions."""
        ...

    def word_vectors(self, ids: Sequence[str]) -> dict[str, bytes]:
        """Sentence id -> its packed word vectors, for those of `ids` that have them."""
        ...

    def pages(self, source: str) -> PageMap | None:
        """Where a PDF source's pages start in its text (None without pages)."""
        ...


class VectorIndex(Protocol):
    """What retrieval needs from the vector store."""

    def search(
        self,
        vector: Sequence[float],
        k: int,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[tuple[str, str, float]]:
        """Nearest sentences as (sentence id, chunk id, similarity), best first."""
        ...

    def vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by sentence id."""
        ...


class Retriever(Protocol):
    """Finds the passages that may answer a question."""

    def retrieve(
        self,
        query: str,
        k: int,
        *,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Retrieval:
        """The `k` best passages for `query`."""
        ...

    def for_turn(
        self,
        turn: Turn,
        k: int,
        *,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Retrieval:
        """The `k` best passages for a question, with what of it no source contains."""
        ...


class Reranker(Protocol):
    """Reorders or filters retrieved passages before an answerer reads them."""

    def rerank(self, turn: Turn, retrieval: Retrieval) -> Retrieval:
        """`retrieval` with its passages (and chunks) reordered or reduced."""
        ...


class HybridRetriever:
    """Dense and keyword search fused by rank; the one model call is the query embedding."""

    def __init__(
        self,
        *,
        catalog: KeywordIndex,
        store: VectorIndex,
        embeddings: Embeddings,
        keyword_limit: KeywordLimit | None = None,
    ) -> None:
        """`keyword_limit`: how a large index's keyword query is cut; None: every word, always."""
        self._catalog = catalog
        self._store = store
        self._embeddings = embeddings
        self._keyword_limit = keyword_limit

    @property
    def keyword_limit(self) -> KeywordLimit | None:
        """How a large index's keyword query is cut (None: every word is searched)."""
        return self._keyword_limit

    def retrieve(
        self,
        query: str,
        k: int,
        *,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
        acts: frozenset[tuple[str, str]] | None = None,
        also: Sequence[str] = (),
    ) -> Retrieval:
        """The `k` best passages for `query`, optionally only of some kinds or sources.

        `acts` are the resolutions the question names (read from `query` when not given): all
        of their clauses are candidates too, as are the chunks `also` names.
        """
        query_words = None
        if isinstance(self._embeddings, WordEncoder) and self._embeddings.gives_words:
            vector, query_words = self._embeddings.embed_query_with_words(query)
        else:
            vector = self._embeddings.embed_query(query)
        words = terms(query)
        dense = self._store.search(vector, DENSE_CANDIDATES, kinds, sources)
        # Looked up once: they choose the keyword query's words and weigh the terms.
        frequency = {w: self._catalog.document_frequency(w) for w in dict.fromkeys(words)}
        total = self._catalog.chunk_count()
        searched = words
        if self._keyword_limit is not None:
            searched = self._keyword_limit.words(words, frequency, total)
        keyword = self._catalog.keyword_search(searched, KEYWORD_CANDIDATES, kinds, sources)
        fused: dict[str, float] = {}
        for rank, chunk_id in enumerate(dict.fromkeys(c for _, c, _ in dense)):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        for rank, (chunk_id, _) in enumerate(keyword):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        # Equal fused scores: an exact keyword match decides.
        keyword_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(keyword)}
        best = sorted(fused, key=lambda c: (-fused[c], keyword_rank.get(c, len(keyword))))[:k]
        # A question that names a resolution gets all of its clauses to choose from, unless a
        # filter says which sources (files or acts) to search.
        named = read(query).acts if acts is None else acts
        if named and not sources and not (kinds and not {"resolution", "decision"} & set(kinds)):
            best += [c for c in self._catalog.act_chunk_ids(named) if c not in best]
        best += [c for c in also if c not in best]
        found = self.expand(query, best, vector, fused, frequency, total)
        if query_words is None:
            return found
        ids = [s.id for c in found.chunks.values() for s in c.sentences]
        packed = self._catalog.word_vectors(ids)
        unpacked = {sid: WordVectors.unpack(data) for sid, data in packed.items()}
        return replace(found, query_words=query_words, words=unpacked)

    def for_turn(
        self,
        turn: Turn,
        k: int,
        *,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Retrieval:
        """The `k` best passages for a question, with what of it no source contains.

        In a conversation, the passages the previous answer quoted and the ones beside them
        are candidates too: a follow-up is most often answered there.
        """
        cited = self.cited(turn.said, kinds=kinds, sources=sources) if turn.said else []
        query = self.searchable(turn.query, turn.analysis)
        found = self.retrieve(
            query, k, kinds=kinds, sources=sources, acts=turn.intent.acts, also=cited
        )
        return replace(found, turn=turn, missing=self.missing(turn.analysis))

    def cited(
        self,
        said: str,
        *,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[str]:
        """The chunks an earlier answer quoted (found again by its words), then their neighbours.

        Neighbours are added only without a filter, which they might not meet.
        """
        found = self._catalog.keyword_search(terms(said), CITED_CANDIDATES, kinds, sources)
        chunks = self._catalog.chunks([chunk_id for chunk_id, _ in found])
        positions = cited_positions(chunks.values(), said)
        quoted = [c for c, _ in found if any(at[0] == c for at in positions)]
        if kinds or sources:
            return quoted
        beside = [n for c in quoted for n in neighbours(c) if n not in quoted]
        return quoted + list(self._catalog.chunks(list(dict.fromkeys(beside))))

    def searchable(self, query: str, analysis: Analysis) -> str:
        """`query` with each name no source contains put as the name that stands for it in
        the sources: a capital as its country ("New Delhi's draft" as "India's draft")."""
        for constraint in analysis.constraints:
            if not constraint.also or self._contains_exactly(constraint):
                continue
            known = [c.text for c in constraint.alternatives()[1:] if self._contains_exactly(c)]
            if known:  # the name as a word: "US" in "USB" stays
                name = rf"(?<![\w.]){re.escape(constraint.text)}(?![\w])"
                query = re.sub(name, known[0].replace("\\", r"\\"), query)
        return query

    def missing(self, analysis: Analysis) -> tuple[Constraint, ...]:
        """The constraints of `analysis` ("Resolution 200", "Dubai") that no chunk contains."""
        return tuple(c for c in analysis.constraints if not self._contains(c))

    def _contains(self, constraint: Constraint) -> bool:
        if constraint.kind == "name" and not terms(constraint.text):
            return True  # "US", "IT": stop words the keyword index does not hold; cannot tell
        return any(self._contains_exactly(c) for c in constraint.alternatives())

    def _contains_exactly(self, constraint: Constraint) -> bool:
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
        frequency: dict[str, int],
        chunk_count: int,
    ) -> Retrieval:
        """Load the chunks, their sentence similarities and term weights (from `frequency`:
        query term -> chunks containing it, of `chunk_count` chunks)."""
        chunks = self._catalog.chunks(chunk_ids)
        sentence_ids = [s.id for c in chunks.values() for s in c.sentences]
        vectors = self._store.vectors(sentence_ids)
        similarity = {sid: _dot(vector, v) for sid, v in vectors.items()}
        titles = self._catalog.titles({c.source for c in chunks.values()})
        pages = {s: self._catalog.pages(s) for s in {c.source for c in chunks.values()}}
        passages = [
            paged(
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
                ),
                pages[c.source],
            )
            for cid in chunk_ids
            if (c := chunks.get(cid)) is not None
        ]
        total = max(1, chunk_count)
        idf = {w: math.log(1.0 + (total - df + 0.5) / (df + 0.5)) for w, df in frequency.items()}
        absent = frozenset(w for w, df in frequency.items() if df == 0)
        return Retrieval(query, passages, chunks, similarity, idf, absent)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))

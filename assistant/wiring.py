"""The one place that builds the real parts from settings: catalog, vector store, retriever and
answerer. `Assistant.from_settings` calls it; tests pass their own parts to `Assistant` instead.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore
from assistant.ingest import corpus
from assistant.ingest import sync as folder_sync

if TYPE_CHECKING:  # imported when first needed: `assistant sources` never needs them
    from langchain_core.embeddings import Embeddings

    from assistant.answering.answerer import Answerer
    from assistant.answering.retrieve import Retrieval, Retriever
    from assistant.schema import Answer


@dataclass(frozen=True)
class Parts:
    """What an `Assistant` is wired from; the store and retriever open on first need."""

    catalog: Catalog
    store: VectorStore | Callable[[], VectorStore]
    retriever: Callable[[VectorStore], Retriever]
    model: str  # the embedding model's id, recorded in the catalog


def build_parts(
    settings: Settings, *, embeddings: Embeddings | None = None, rebuild: bool = False
) -> Parts:
    """Open (or, with `rebuild`, empty) the index named by the settings, without a model load."""
    from assistant.index import models

    made: list[Embeddings] = [embeddings] if embeddings is not None else []
    if embeddings is None:
        models.model_path(settings.embedding_model)  # a bad setting is reported now
        model = models.model_id(settings.embedding_model, settings.embedding_backend)
    else:
        model = f"custom:{type(embeddings).__name__}"
    settings.index.mkdir(parents=True, exist_ok=True)

    def vectors() -> Embeddings:
        # Made on first need (it imports LangChain, ~0.5 s), and the model itself loads at the
        # first embedding: listing, removing or describing sources and refused input never
        # pay for either.
        if not made:
            from assistant.index.embeddings import LazyEmbeddings

            made.append(
                LazyEmbeddings(
                    settings.embedding_model,
                    settings.embedding_backend,
                    settings.embedding_cache,
                    query_cache=settings.query_cache_size,
                    words=settings.word_vectors,
                )
            )
        return made[0]

    # Chroma and SQLite create their tables on first open; two processes doing that at once
    # race ("table collections already exists"), so opening is serialised. A rebuild also
    # holds the writer lock, since it deletes what another writer may be writing.
    def open_store() -> VectorStore:
        with folder_sync.opening_lock(settings.index):
            return VectorStore(vectors(), folder=settings.index / "chroma", url=settings.chroma_url)

    store: VectorStore | Callable[[], VectorStore] = open_store
    with contextlib.ExitStack() as locks:
        if rebuild:
            locks.enter_context(folder_sync.writer_lock(settings.index))
        locks.enter_context(folder_sync.opening_lock(settings.index))
        if rebuild:
            catalog = corpus.fresh_catalog(settings.index)
            store = corpus.fresh_store(vectors(), settings.index / "chroma", settings.chroma_url)
        else:
            catalog = Catalog(settings.index)
            folder_sync.check_compatible(catalog, model)

    def retriever(opened: VectorStore) -> Retriever:
        from assistant.answering.keywords import KeywordLimit
        from assistant.answering.retrieve import HybridRetriever

        limit = KeywordLimit(
            settings.keyword_limit_from_chunks,
            settings.keyword_common_fraction,
            settings.keyword_max_terms,
            settings.keyword_max_postings,
        )
        return HybridRetriever(
            catalog=catalog, store=opened, embeddings=vectors(), keyword_limit=limit
        )

    return Parts(catalog=catalog, store=store, retriever=retriever, model=model)


def build_answerer(settings: Settings) -> Answerer:
    """The answerer named by the `llm` setting: extractive, or an LLM with extractive fallback.

    The extractive one is built at its first question (its ranking imports numpy, ~0.3 s that
    `assistant sources` need not pay); an LLM one at once, so a bad LLM setting is reported
    when the assistant opens.
    """
    if settings.llm.strip().lower() == "extractive":
        return ExtractiveOnFirstUse(settings.abstain_below)
    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.answering.llm import build_llm_answerer

    extractive = ExtractiveAnswerer(abstain_below=settings.abstain_below)
    return build_llm_answerer(settings, fallback=extractive)


class ExtractiveOnFirstUse:
    """The extractive answerer, built on its first question (an `Answerer`)."""

    def __init__(self, abstain_below: float) -> None:
        self.abstain_below = abstain_below
        self._built: Answerer | None = None
        self._lock = threading.Lock()

    def _answerer(self) -> Answerer:
        with self._lock:
            if self._built is None:
                from assistant.answering.extractive import ExtractiveAnswerer

                self._built = ExtractiveAnswerer(abstain_below=self.abstain_below)
            return self._built

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """The answer to `question` from the retrieved passages."""
        return self._answerer().answer(question, retrieval)

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """The answer's text pieces, then the Answer."""
        return self._answerer().stream(question, retrieval)

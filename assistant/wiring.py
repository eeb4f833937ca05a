"""The one place that builds the real parts from settings: catalog, vector store, retriever and
answerer. `Assistant.from_settings` calls it; tests pass their own parts to `Assistant` instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from assistant.answering.answerer import Answerer
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.retrieve import HybridRetriever, Retriever
from assistant.config import Settings
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore
from assistant.ingest import corpus
from assistant.ingest import sync as folder_sync


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
    from assistant.index import embeddings as embedding_models

    if embeddings is None:
        # Loaded on the first embedding: listing, removing or describing sources and
        # refused input never load torch and the model.
        embeddings = embedding_models.LazyEmbeddings(
            settings.embedding_model, settings.embedding_backend, settings.embedding_cache
        )
        model = embedding_models.model_id(settings.embedding_model, settings.embedding_backend)
    else:
        model = f"custom:{type(embeddings).__name__}"
    settings.index.mkdir(parents=True, exist_ok=True)
    vectors = embeddings

    # Chroma and SQLite create their tables on first open; two processes doing that at once
    # race ("table collections already exists"), so opening is serialised. A rebuild also
    # holds the writer lock, since it deletes what another writer may be writing.
    def open_store() -> VectorStore:
        with folder_sync.opening_lock(settings.index):
            return VectorStore(vectors, folder=settings.index / "chroma", url=settings.chroma_url)

    store: VectorStore | Callable[[], VectorStore] = open_store
    with contextlib.ExitStack() as locks:
        if rebuild:
            locks.enter_context(folder_sync.writer_lock(settings.index))
        locks.enter_context(folder_sync.opening_lock(settings.index))
        if rebuild:
            catalog = corpus.fresh_catalog(settings.index)
            store = corpus.fresh_store(embeddings, settings.index / "chroma", settings.chroma_url)
        else:
            catalog = Catalog(settings.index)
            folder_sync.check_compatible(catalog, model)

    def retriever(opened: VectorStore) -> Retriever:
        return HybridRetriever(catalog=catalog, store=opened, embeddings=vectors)

    return Parts(catalog=catalog, store=store, retriever=retriever, model=model)


def build_answerer(settings: Settings) -> Answerer:
    """The answerer named by the `llm` setting: extractive, or an LLM with extractive fallback."""
    from assistant.answering.llm import build_llm_answerer, parse_llm

    extractive = ExtractiveAnswerer(abstain_below=settings.abstain_below)
    if parse_llm(settings.llm).provider == "extractive":
        return extractive
    return build_llm_answerer(settings, fallback=extractive)

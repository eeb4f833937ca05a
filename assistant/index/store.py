"""The vector store: sentence vectors in a Chroma collection (embedded on disk, or a server).

Vectors come from our LangChain embeddings (or are given, reused by content hash) and are
written to the collection directly; Chroma's own default embedding function is never built
(it would download a model).

Chroma's embedded client keeps each collection's vector index in memory and never re-reads it
from disk (chroma-core/chroma#3792, #3769): a process sees what other processes wrote to the
folder only once its client is re-opened, and a stale client that writes saves its old index
over theirs. `catch_up` re-opens it when the catalog's generation says the index changed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:  # langchain_core costs ~0.5 s to import, numpy ~0.1 s: not at CLI start
    from langchain_core.embeddings import Embeddings

    from assistant.index.word_vectors import WordVectors

from assistant.errors import ConfigError, IndexDamagedError, StoreUnavailableError

logger = logging.getLogger(__name__)

COLLECTION = "sentences"
BATCH = 512

# One lock per folder, shared by every store on it in this process (they share one Chroma
# client): a re-open never happens while a write is under way.
_FOLDER_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_LOCK = threading.Lock()


def _folder_lock(where: str) -> threading.RLock:
    with _LOCKS_LOCK:
        return _FOLDER_LOCKS.setdefault(where, threading.RLock())


class VectorStore:
    """Sentence vectors with `source`, `kind` and `chunk_id` metadata."""

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        folder: Path | None = None,
        url: str | None = None,
        collection: str = COLLECTION,
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        self.shared = bool(url)
        self.where = url or str(folder)
        self._lock = _folder_lock(url or str(Path(str(folder)).resolve()))
        self._generation: int | None = None  # the catalog generation this client has seen
        try:
            if url:
                parts = urlparse(url)
                if not parts.hostname:
                    raise ConfigError(
                        f"ASSISTANT_CHROMA_URL={url!r} has no host; "
                        "use a URL such as http://127.0.0.1:8000"
                    )
                self._client: Any = chromadb.HttpClient(
                    host=parts.hostname,
                    port=parts.port or 8000,
                    ssl=parts.scheme == "https",
                    settings=settings,
                )
            else:
                assert folder is not None
                self._client = chromadb.PersistentClient(path=str(folder), settings=settings)
            self._collection = self._client.get_or_create_collection(
                name=collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - any Chroma failure here means an unusable store
            where = url or str(folder)
            if folder is not None and not url:
                forget_client(folder)
            raise IndexDamagedError(
                f"the vector store at {where} cannot be opened ({exc}); if it is on disk, "
                "run `assistant index --rebuild`; if it is a server, check it is running"
            ) from None
        self._embeddings = embeddings
        self.name = collection

    def catch_up(self, generation: int, *, wait: bool = False) -> bool:
        """See what other processes wrote, if the catalog's `generation` moved; True if re-opened.

        Cheap when nothing changed. The query path passes `wait=False`: while this process
        writes (`writing`), it skips the re-open, since the writer caught up before it began.
        A Chroma server needs none of this: every writer goes through its one process.
        """
        if self.shared or generation == self._generation:
            return False
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            if generation == self._generation:
                return False
            # A new PersistentClient would get the same cached System and its stale bindings;
            # RustBindingsAPI.start() builds fresh ones over the folder, which read the vector
            # index from disk on their first use. Calls in flight finish on the old ones.
            self._client._server.start()
            if self._generation is not None:
                logger.info("the index at %s changed; re-opened its vector store", self.where)
            self._generation = generation
            return True
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def writing(self, generation: int) -> Iterator[None]:
        """Hold the store for a sync, caught up with catalog `generation` first.

        Meanwhile queries of this process skip re-opening it: nobody else writes while the
        caller holds the writer lock, and the caller `mark`s what it wrote when it is done.
        """
        with self._lock:
            self.catch_up(generation, wait=True)
            yield

    def mark(self, generation: int) -> None:
        """Record that this client has seen every change up to catalog `generation`.

        For a writer that caught up, then wrote under the writer lock: nobody else wrote since.
        """
        with self._lock:
            self._generation = generation

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn a failure of the Chroma server into an AssistantError that names it."""
        if not self.shared:
            yield
            return
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - httpx and chromadb errors alike
            raise StoreUnavailableError(
                f"the Chroma server at {self.where} did not answer ({type(exc).__name__}: "
                f"{exc}); check it is running"
            ) from None

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, str]],
        progress: Callable[[int], None] | None = None,
        *,
        vectors: Sequence[Sequence[float]] | None = None,
    ) -> None:
        """Store the vectors of `texts` under `ids`: `vectors`, or embedded here (idempotent:
        existing ids are replaced). The texts themselves are not stored (the catalog has them)."""
        with self._lock, self._guard():
            for i in range(0, len(ids), BATCH):
                part = list(texts[i : i + BATCH])
                found = vectors[i : i + BATCH] if vectors is not None else self.embed(part)
                # No `documents=`: the catalog keeps the texts, and Chroma would index them
                # again for full-text search (~40% of an upsert's time, benchmarks/indexing.py).
                self._collection.upsert(
                    ids=list(ids[i : i + BATCH]),
                    embeddings=[list(v) for v in found],
                    metadatas=list(metadatas[i : i + BATCH]),
                )
                if progress:
                    progress(min(BATCH, len(ids) - i))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of `texts` from the embedding model (nothing is stored)."""
        return self._embeddings.embed_documents(list(texts))

    @property
    def gives_words(self) -> bool:
        """Whether the embedding model can give word vectors (`index.word_vectors`)."""
        from assistant.index.word_vectors import WordEncoder  # numpy: not at CLI start

        return isinstance(self._embeddings, WordEncoder) and self._embeddings.gives_words

    def embed_with_words(
        self, texts: Sequence[str]
    ) -> tuple[list[list[float]], list[WordVectors] | None]:
        """Vectors of `texts` and their word vectors (None: the model gives none); nothing is
        stored."""
        from assistant.index.word_vectors import WordEncoder  # numpy: not at CLI start

        if isinstance(self._embeddings, WordEncoder) and self._embeddings.gives_words:
            return self._embeddings.embed_with_words(list(texts))
        return self.embed(texts), None

    def vectors_by_hash(self, hashes: Sequence[str]) -> dict[str, list[float]]:
        """A stored vector for each content hash (metadata `hash`) that has one.

        Slow on a large server (a metadata scan): `index.hashes` asks the catalog first.
        """
        found: dict[str, list[float]] = {}
        with self._guard():
            for i in range(0, len(hashes), BATCH):
                got = self._collection.get(
                    where={"hash": {"$in": list(hashes[i : i + BATCH])}},
                    include=["embeddings", "metadatas"],
                )
                metas = got["metadatas"] or []
                for meta, vector in zip(metas, got["embeddings"], strict=True):
                    found[str(meta["hash"])] = [float(x) for x in vector]
        return found

    def relabel(self, ids: Sequence[str], metadatas: Sequence[dict[str, str]]) -> None:
        """Replace the metadata of stored vectors, keeping the vectors (nothing is embedded)."""
        with self._lock, self._guard():
            for i in range(0, len(ids), BATCH):
                self._collection.update(
                    ids=list(ids[i : i + BATCH]), metadatas=list(metadatas[i : i + BATCH])
                )

    def delete_source(self, source: str) -> None:
        """Delete every vector of one source."""
        with self._lock, self._guard():
            self._collection.delete(where={"source": source})

    def delete(self, ids: Sequence[str]) -> None:
        """Delete vectors by id."""
        with self._lock, self._guard():
            for i in range(0, len(ids), BATCH):
                self._collection.delete(ids=list(ids[i : i + BATCH]))

    def search(
        self,
        vector: Sequence[float],
        k: int,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[tuple[str, str, float]]:
        """Nearest sentences as (sentence id, chunk id, cosine similarity), best first."""
        with self._guard():
            # No count() first: it costs a fifth of a query at 100k vectors, and an empty
            # collection answers with no ids anyway.
            result = self._collection.query(
                query_embeddings=[list(vector)],
                n_results=k,
                where=_where(kinds, sources),
                include=["metadatas", "distances"],
            )
            ids = result["ids"][0]
            metas = (result["metadatas"] or [[]])[0]
            dists = (result["distances"] or [[]])[0]
            return [
                (i, str(m["chunk_id"]), 1.0 - float(d))
                for i, m, d in zip(ids, metas, dists, strict=True)
            ]

    def vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by id (ids not stored are absent)."""
        with self._guard():
            if not ids:
                return {}
            got = self._collection.get(ids=list(ids), include=["embeddings"])
            return {i: list(v) for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def hashed_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, list[float]]]:
        """Stored vectors by id, each with its content hash metadata ("" if it has none)."""
        found: dict[str, tuple[str, list[float]]] = {}
        with self._guard():
            for i in range(0, len(ids), BATCH):
                got = self._collection.get(
                    ids=list(ids[i : i + BATCH]), include=["embeddings", "metadatas"]
                )
                metas = got["metadatas"] or []
                for sid, meta, vector in zip(got["ids"], metas, got["embeddings"], strict=True):
                    found[sid] = (str(meta.get("hash", "")), [float(x) for x in vector])
        return found

    def count(self) -> int:
        """Number of stored vectors."""
        with self._guard():
            return int(self._collection.count())

    def ids(self) -> set[str]:
        """Every stored id (used only to repair after a crash)."""
        with self._guard():
            found: set[str] = set()
            offset = 0
            while True:
                got = self._collection.get(include=[], limit=10_000, offset=offset)
                if not got["ids"]:
                    return found
                found.update(got["ids"])
                offset += len(got["ids"])

    def reset(self) -> None:
        """Delete every vector (for a rebuild), keeping the collection that readers hold."""
        with self._lock, self._guard():
            self.delete(sorted(self.ids()))


def forget_client(folder: Path) -> None:
    """Drop Chroma's cached client for `folder` when it failed to start.

    chromadb registers a System for a path before starting it, and keeps it if the start fails,
    so every later PersistentClient for that path in this process reuses the broken one.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(folder)
    if key not in SharedSystemClient._identifier_to_refcount:  # no live client uses it
        SharedSystemClient._identifier_to_system.pop(key, None)


def _where(kinds: Sequence[str] | None, sources: Sequence[str] | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if kinds:
        clauses.append({"kind": {"$in": list(kinds)}})
    if sources:  # file ids, or act ids "file#Resolution 102 (Rev. Busan, 2014)"
        wanted = list(sources)
        clauses.append({"$or": [{"source": {"$in": wanted}}, {"act": {"$in": wanted}}]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}

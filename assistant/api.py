"""The Assistant: the public entry point (`wiring` builds its real parts)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from assistant import wiring
from assistant.answering import changes, editions, recheck, references
from assistant.answering import compare as editions_compare
from assistant.answering.citations import one_per_passage
from assistant.answering.question import checked_question
from assistant.answering.turn import read_turn
from assistant.config import Settings
from assistant.errors import SourceError
from assistant.index.catalog import Catalog
from assistant.index.filters import check_filters, filter_notice
from assistant.index.store import VectorStore
from assistant.ingest import corpus
from assistant.ingest import sources as source_files
from assistant.ingest import sync as folder_sync
from assistant.ingest.naming import safe_target
from assistant.ingest.sandbox import ParseLimits
from assistant.schema import Answer, Comparison, IndexReport, Passage, SourceInfo, Verification

if TYPE_CHECKING:  # langchain_core, numpy: imported when first needed, not at CLI start
    from langchain_core.embeddings import Embeddings

    from assistant.answering.answerer import Answerer
    from assistant.answering.retrieve import Reranker, Retriever

logger = logging.getLogger(__name__)

History = Sequence[dict[str, Any]]
LIST_TOP_K = 60


class Assistant:
    """Cited answers over the documents in a sources folder."""

    def __init__(
        self,
        *,
        settings: Settings,
        catalog: Catalog,
        store: VectorStore | Callable[[], VectorStore],
        retriever: Retriever | Callable[[VectorStore], Retriever],
        answerer: Answerer,
        model: str,
        reranker: Reranker | None = None,
    ) -> None:
        """Wire the parts (`from_settings` builds the real ones); `store` and `retriever` may be
        factories, called on first need: listing sources reads the catalog only, no Chroma."""
        self.settings = settings
        self._catalog = catalog
        self._open_store = store
        self._open_retriever = retriever
        self._parts: tuple[VectorStore, Retriever] | None = None
        self._parts_lock = threading.Lock()
        self._model = model
        self._answerer = answerer
        self._reranker = reranker
        self._write = threading.Lock()
        self.last_report: IndexReport | None = None  # of the latest reindex, for status displays

    def _opened(self) -> tuple[VectorStore, Retriever]:
        with self._parts_lock:
            if self._parts is None:
                store, retriever = self._open_store, self._open_retriever
                store = store if isinstance(store, VectorStore) else store()
                # A retriever has `for_turn`; anything else given is its factory.
                found = retriever if hasattr(retriever, "for_turn") else retriever(store)
                self._parts = (store, cast("Retriever", found))
            return self._parts

    @property
    def _store(self) -> VectorStore:
        return self._opened()[0]

    @property
    def _retriever(self) -> Retriever:
        return self._opened()[1]

    @classmethod
    def open(
        cls,
        sources: str | Path | None = None,
        index: str | Path | None = None,
        *,
        settings: Settings | None = None,
        embeddings: Embeddings | None = None,
        answerer: Answerer | None = None,
        reranker: Reranker | None = None,
        sync: bool = True,
        rebuild: bool = False,
        progress: folder_sync.Progress | None = None,
    ) -> Assistant:
        """Open the index for a sources folder, building real parts from settings, and sync."""
        settings = settings or Settings()
        updates: dict[str, Any] = {}
        if sources is not None:
            updates["sources"] = Path(sources)
        if index is not None:
            updates["index"] = Path(index)
        settings = settings.model_copy(update=updates)
        return cls.from_settings(
            settings,
            embeddings=embeddings,
            answerer=answerer,
            reranker=reranker,
            sync=sync,
            rebuild=rebuild,
            progress=progress,
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        embeddings: Embeddings | None = None,
        answerer: Answerer | None = None,
        reranker: Reranker | None = None,
        sync: bool = True,
        rebuild: bool = False,
        progress: folder_sync.Progress | None = None,
    ) -> Assistant:
        """Build the assistant from settings; collaborators given here replace the real ones.

        `rebuild=True` re-embeds every source: the way out of an index built with another
        model or chunking, or with an unreadable catalog.
        """
        parts = wiring.build_parts(settings, embeddings=embeddings, rebuild=rebuild)
        assistant = cls(
            settings=settings,
            catalog=parts.catalog,
            store=parts.store,
            retriever=parts.retriever,
            answerer=answerer or wiring.build_answerer(settings),
            model=parts.model,
            reranker=reranker,
        )
        if sync or rebuild:
            assistant.reindex(rebuild=rebuild, progress=progress)
        return assistant

    # -- questions ------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: History | None = None,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Answer:
        """Answer a question from the sources, with verified citations."""
        final: Answer | None = None
        for part in self.stream(question, history=history, kinds=kinds, sources=sources):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: History | None = None,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer's text pieces as they are ready, then the final Answer.

        The final Answer has one marker per cited passage, with pages and the sources'
        metadata on its citations; an LLM's streamed pieces may still number markers as the
        model wrote them (the final text is what to show).
        """
        question, notice = self._check_question(question)
        check_filters(self._catalog, kinds, sources)
        self._refresh_if_changed()
        turn = read_turn(question, history)
        # An act held in several editions: a change question is answered from their
        # comparison; another is answered from the latest edition, saying so.
        similar = self.settings.compare_min_similarity
        route = None if sources else changes.route(turn, self._catalog, similar, kinds)
        if route is not None and route.answer is not None:
            yield route.answer.text
            yield self._stamped(route.answer.noted(notice))
            return
        # "Which resolutions instruct ...?" wants every matching clause, not the top few.
        k = LIST_TOP_K if turn.intent.is_list else self.settings.top_k
        scoped = route.sources if route is not None else sources
        retrieval = self._retriever.for_turn(turn, k, kinds=kinds, sources=scoped)
        if self._reranker is not None:
            retrieval = self._reranker.rerank(turn, retrieval)
        for part in self._answerer.stream(turn.query, retrieval):
            if isinstance(part, Answer):  # a decline under a filter says what was searched
                part = part.noted(notice, filter_notice(kinds, sources) if part.abstained else "")
                part = references.described(one_per_passage(part), self._catalog)
                part = self._stamped(route.noted(part, self._catalog) if route else part)
            yield part

    def _stamped(self, answer: Answer) -> Answer:
        """`answer` with its fingerprint: the digest of each source it cites."""
        return replace(answer, fingerprint=recheck.fingerprint(answer, self._catalog))

    def retrieve(
        self,
        query: str,
        k: int = 5,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Passage]:
        """The `k` passages that best match `query`."""
        query, _ = self._check_question(query)
        check_filters(self._catalog, kinds, sources)
        self._refresh_if_changed()
        return self._retriever.retrieve(query, k, kinds=kinds, sources=sources).passages

    def compare(self, act: str, old: str | None = None, new: str | None = None) -> Comparison:
        """Two indexed editions of `act` ("Resolution 130"; by default the latest two), item by
        item, each side cited verbatim (`assistant.answering.compare`); no model is loaded."""
        return editions_compare.compare(
            self._catalog, act, old, new, min_similarity=self.settings.compare_min_similarity
        )

    def verify(self, answer: Answer) -> Verification:
        """Re-check an answer (say, one read back with `Answer.from_json`) against the sources
        as indexed now (`reindex` first after editing files): `ok` when every quote still stands
        at its offsets, `stale` the markers whose quote does not."""
        return recheck.verify(answer, self._catalog)

    def check_question(
        self,
        question: str,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> None:
        """Raise the error `ask` would raise for this input, without embedding anything."""
        self._check_question(question)
        check_filters(self._catalog, kinds, sources)

    def _refresh_if_changed(self) -> None:
        # One SQLite read: another process (`assistant add`, `assistant index`) may have
        # committed sources since the last question; the store then re-reads its vectors.
        self._store.catch_up(self._catalog.generation())

    def _check_question(self, question: str) -> tuple[str, str | None]:
        return checked_question(question, self.settings.max_question_chars)

    # -- sources and index ----------------------------------------------------------------

    def reindex(
        self, rebuild: bool = False, progress: folder_sync.Progress | None = None
    ) -> IndexReport:
        """Sync the index with the sources folder (or rebuild it from scratch)."""
        with self._write, folder_sync.writer_lock(self.settings.index):
            report = folder_sync.sync_folder(
                self.settings.sources,
                self._catalog,
                self._store,
                model=self._model,
                rebuild=rebuild,
                progress=progress,
                limits=ParseLimits.from_settings(self.settings),
                group=self.settings.embed_group_texts,
            )
        self.last_report = report
        return report

    def add_source(
        self,
        path: str | Path,
        *,
        title: str | None = None,
        kind: str | None = None,
        name: str | None = None,
        progress: folder_sync.Progress | None = None,
    ) -> IndexReport:
        """Copy a file into the sources folder under a safe name, then index it.

        A file whose text is already indexed is not stored: the report lists it in
        `duplicates` with the id it is indexed as. A near copy is stored and listed in
        `near_duplicates`.
        """
        return self._store_and_index(path, name or Path(path).name, title, kind, "", progress)

    def replace_source(
        self, source_id: str, path: str | Path, *, progress: folder_sync.Progress | None = None
    ) -> IndexReport:
        """Put the file at `path` in place of an indexed source (same id and sidecar)."""
        corpus.source_path(self.settings.sources, self._catalog, source_id)  # indexed?
        return self._store_and_index(path, source_id, None, None, source_id, progress)

    def _store_and_index(
        self,
        path: str | Path,
        name: str,
        title: str | None,
        kind: str | None,
        replacing: str,
        progress: folder_sync.Progress | None,
    ) -> IndexReport:
        path = Path(path)
        if not path.is_file():
            raise SourceError(f"{path} is not a file; give the path of a document to add")
        folder = self.settings.sources
        if not replacing and path.resolve() == safe_target(folder, name).resolve():
            target, copy = path, None
        else:
            try:
                target, copy = corpus.store_file(
                    folder,
                    self._catalog,
                    path,
                    name=name,
                    limits=ParseLimits.from_settings(self.settings),
                    replacing=replacing,
                )
            except SourceError as exc:
                source_id, _, reason = str(exc).partition(": ")
                report = self.reindex(progress=progress)
                return replace(report, failed=[*report.failed, (source_id, reason)])
            if copy is not None and copy.exact:
                return IndexReport(duplicates=[(name, copy.source)])
        meta = {k: v for k, v in (("title", title), ("kind", kind)) if v}
        if meta:
            source_files.write_sidecar(target, meta)
        report = self.reindex(progress=progress)
        if copy is not None:
            new = target.relative_to(folder).as_posix()
            report = replace(report, near_duplicates=[(new, copy.source)])
        return report

    def remove_source(self, source_id: str) -> IndexReport:
        """Delete a source from the sources folder and the index (crash-safe; no model)."""
        with self._write, folder_sync.writer_lock(self.settings.index):
            corpus.remove(self.settings.sources, self._catalog, self._store, source_id)
        return IndexReport(removed=[source_id])

    def describe_source(
        self,
        source_id: str,
        *,
        title: str | None = None,
        author: str | None = None,
        date: str | None = None,
        kind: str | None = None,
        url: str | None = None,
    ) -> IndexReport:
        """Write fields into the source's `.meta.json` sidecar ("" clears one) and re-index.

        The text is unchanged, so nothing is embedded: the vectors stay, relabelled.
        """
        fields = {"title": title, "author": author, "date": date, "kind": kind, "url": url}
        with self._write, folder_sync.writer_lock(self.settings.index):
            corpus.describe(self.settings.sources, self._catalog, source_id, fields)
        return self.reindex()

    def sources(self) -> list[SourceInfo]:
        """Indexed sources; a final-acts file is followed by one entry per resolution."""
        found: list[SourceInfo] = []
        linked = editions.linked(self._catalog)  # each act's edition and its other editions
        for row in self._catalog.sources():
            found.append(SourceInfo(row.id, row.title, row.kind, row.chunks))
            for group, kind, count in self._catalog.acts(row.id):
                act = f"{row.id}#{group}"
                edition, others = linked.get(act, ("", []))
                found.append(SourceInfo(act, group, kind, count, row.id, edition, others))
        return found

    def source_text(self, source: str) -> str | None:
        """The extracted text of an indexed source, which citation offsets refer to."""
        return self._catalog.text(source)

    def outline(self, source: str) -> list[tuple[str, int]]:
        """(heading, offset) of each section or act of an indexed source, in text order."""
        return self._catalog.outline(source)

    def source_info(self, source: str) -> dict[str, str]:
        """An indexed source's title, kind and sidecar fields (author, date, url ...); {} if
        it is not indexed."""
        row = self._catalog.row(source)
        return {} if row is None else {**row.meta, "title": row.title, "kind": row.kind}

    def close(self) -> None:
        """Release the index."""
        self._catalog.close()

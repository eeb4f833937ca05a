"""Sync the index with the sources folder: embed what is new or changed, drop what is gone.

Order of writes for one source: vectors first (idempotent, stable ids), then the catalog in one
transaction. A crash in between leaves the catalog's old digest, so the next sync redoes it.

Each file is on its own: whatever goes wrong with one (its name, encoding, metadata, parser)
is one entry in `IndexReport.failed`, and the rest indexes. A refused file is remembered in
the catalog with its digest and reported once; it stays quiet until it changes. Before writing,
the sync catches up with what other processes wrote (`VectorStore.writing`), so it never
writes a stale vector index over theirs.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import ConfigError, IndexBusyError, IndexMismatchError, SourceError
from assistant.index.catalog import Catalog, SourceRow
from assistant.index.pages import PageMap, carry
from assistant.index.store import VectorStore
from assistant.ingest import sources as source_files
from assistant.ingest import structure
from assistant.ingest.chunking import CHUNKING_VERSION, chunk_source
from assistant.ingest.duplicates import find_copy, text_digest
from assistant.ingest.sandbox import ParseLimits
from assistant.ingest.vectors import SyncVectors, embedded_text, text_hash, upgrade
from assistant.schema import Chunk, IndexReport

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
"""Called with (done, total, message) while indexing; units are sentences stored (embedded
or reused)."""

LOCK_NAME = ".lock"
DUPLICATE = "already indexed as "  # the reason remembered for a copy of an indexed source
OPEN_LOCK_NAME = ".open-lock"


@dataclass(frozen=True)
class _Prepared:
    file: source_files.SourceFile
    row: SourceRow
    text: str
    chunks: list[Chunk]
    found: str = ""  # what the final-acts reader found, for the report
    pages: PageMap | None = None  # a PDF's pages, as offsets into `text`


@contextlib.contextmanager
def writer_lock(index: Path, wait: float = 60.0) -> Iterator[None]:
    """Hold the index's writer lock; wait up to `wait` seconds for another writer."""
    with _flock(
        index / LOCK_NAME,
        wait,
        f"another process is indexing {index}; wait for it to finish and try again",
    ):
        yield


@contextlib.contextmanager
def opening_lock(index: Path, wait: float = 60.0) -> Iterator[None]:
    """Hold the lock that serialises opening the index (its tables are created on first open).

    Separate from the writer lock, so a reader can open an index while another process syncs it.
    """
    with _flock(
        index / OPEN_LOCK_NAME,
        wait,
        f"another process has been opening {index} for "
        f"{wait:.0f} s; check it is not stuck and try again",
    ):
        yield


@contextlib.contextmanager
def _flock(path: Path, wait: float, busy: str) -> Iterator[None]:
    # filelock: flock(2) on Unix, LockFileEx on Windows; the lock file stays in place, and the
    # operating system releases the lock when its holder dies, so a killed writer blocks nobody.
    # A new lock object per call, not shared between threads: a second writer in this process
    # is refused as one in another process is.
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=wait, thread_local=False, poll_interval=0.2)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusyError(busy) from None
    try:
        yield
    finally:
        lock.release()


def check_compatible(catalog: Catalog, model: str) -> None:
    """Raise IndexMismatchError when the index was built with another model or chunking."""
    meta = catalog.get_meta()
    wanted = {"embedding_model": model, "chunking": CHUNKING_VERSION}
    for key, value in wanted.items():
        if key in meta and meta[key] != value and catalog.digests():
            raise IndexMismatchError(
                f"the index was built with {key} {meta[key]!r}, but {value!r} is configured; "
                "run `assistant index --rebuild` to rebuild it"
            )


def sync_folder(
    sources_dir: Path,
    catalog: Catalog,
    store: VectorStore,
    *,
    model: str,
    rebuild: bool = False,
    progress: Progress | None = None,
    limits: ParseLimits | None = None,
    group: int,
) -> IndexReport:
    """Bring the index in line with `sources_dir`; call with the writer lock held.

    `limits` bound the reading of each pdf, docx and html file (default: the environment's);
    `group` is how many sentences, of whole files, go to the model in one call
    (`Settings.embed_group_texts`).
    """
    with store.writing(catalog.generation()):
        return _sync(
            sources_dir,
            catalog,
            store,
            model=model,
            rebuild=rebuild,
            progress=progress,
            limits=limits,
            group=group,
        )


def _sync(
    sources_dir: Path,
    catalog: Catalog,
    store: VectorStore,
    *,
    model: str,
    rebuild: bool,
    progress: Progress | None,
    limits: ParseLimits | None,
    group: int,
) -> IndexReport:
    began = time.perf_counter()
    source_files.sweep_incoming(sources_dir)
    if rebuild:
        catalog.clear()
        store.reset()
    elif store.shared and not catalog.get_meta() and store.count():
        # A new index folder on a server another index fills: repair() would delete all of
        # it as orphans while the other deployment serves from it.
        raise ConfigError(
            f"the Chroma collection {store.name!r} at {store.where} holds vectors that "
            f"{catalog.path.parent} did not write; point ASSISTANT_INDEX at the index folder "
            "that wrote them (app processes share one), or run `assistant index --rebuild` "
            "to replace them"
        )
    check_compatible(catalog, model)
    catalog.set_meta({"embedding_model": model, "chunking": CHUNKING_VERSION})
    stale = repair(catalog, store)
    upgrade(catalog, store)  # an index from before hashes or word vectors were kept: once
    unpaged = _unpaged(catalog)
    indexed = catalog.digests()
    refused = catalog.refusals()
    files = source_files.scan(sources_dir)
    present = {f.id for f in files}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    failed: list[tuple[str, str]] = []
    found: list[tuple[str, str]] = []
    quiet: dict[str, tuple[str, str]] = {}  # refused before, unchanged since: not reported
    todo: list[_Prepared] = []

    def refuse(file: source_files.SourceFile, exc: SourceError) -> None:
        logger.warning("cannot index %s: %s", file.id, exc)
        reason = str(exc).removeprefix(f"{file.id}: ")
        # A parser's message may quote the file's broken text: keep it printable and storable.
        reason = reason.encode("utf-8", "backslashreplace").decode("utf-8")
        failed.append((file.id, reason))
        if file.digest:  # a file that could not even be read is tried again next time
            quiet[file.id] = (file.digest, reason)

    duplicates: list[tuple[str, str]] = []
    near: list[tuple[str, str]] = []
    seen: dict[str, str] = {}  # text digest -> id, of the files prepared in this sync

    for file in files:
        if indexed.get(file.id) == file.digest and file.id not in stale | unpaged:
            unchanged.append(file.id)
        elif (
            file.digest
            and refused.get(file.id, ("", ""))[0] == file.digest
            # a copy of a source since removed is indexed in its place
            and refused[file.id][1].removeprefix(DUPLICATE) in present | {refused[file.id][1]}
        ):
            quiet[file.id] = refused[file.id]
        else:
            try:
                item = prepare(file, limits=limits)
            except SourceError as exc:
                refuse(file, exc)
                continue
            copy = find_copy(catalog, item.text, besides=file.id)
            twin = seen.get(text_digest(item.text))
            if twin is not None or (copy is not None and copy.exact):
                # The same text as an indexed source: reported once, then quiet until it changes.
                original = twin or (copy.source if copy else "")
                duplicates.append((file.id, original))
                quiet[file.id] = (file.digest, f"{DUPLICATE}{original}")
                present.discard(file.id)  # an indexed older version of it is removed
                continue
            if copy is not None:
                near.append((file.id, copy.source))
            seen[text_digest(item.text)] = file.id
            todo.append(item)
    removed = sorted(set(indexed) - present)
    for source in removed:
        store.delete_source(source)
        catalog.remove_source(source)
    # A changed sidecar (title, kind) leaves the text and so the vectors as they are.
    kept = {p.row.id for p in todo if p.row.id not in stale and _same_passages(p, catalog)}
    total = sum(len(c.sentences) for p in todo if p.row.id not in kept for c in p.chunks)
    embedded = [[] if p.row.id in kept else _metadata(p)[1] for p in todo]
    repeats = Counter(text_hash(t) for texts in embedded for t in texts)
    vectors = SyncVectors(store, repeats, catalog=catalog)
    done = ahead = 0  # todo[:ahead] have their vectors found or embedded
    for n, item in enumerate(todo):
        if n == ahead:  # many files per model call: batches of similar token counts
            ahead += vectors.prefetch(embedded[n:], group)
        try:
            if item.row.id in kept:
                _relabel(item, catalog, store)
            else:
                done = _write(item, catalog, store, vectors, (done, total), progress)
        except SourceError as exc:  # the catalog would not take it: drop its vectors again
            store.delete_source(item.row.id)
            refuse(item.file, exc)
            continue
        if item.row.id in unpaged and indexed.get(item.row.id) == item.file.digest:
            unchanged.append(item.row.id)  # only its page map was added
            continue
        (updated if item.row.id in indexed else added).append(item.row.id)
        found += [(item.row.id, item.found)] if item.found else []
    if quiet != refused:
        catalog.set_refusals(quiet)
    store.mark(catalog.generation())  # every change up to now went through this store
    if progress:
        progress(total, total, "done")
    report = IndexReport(
        added,
        updated,
        removed,
        unchanged,
        failed,
        vectors.embedded,
        time.perf_counter() - began,
        duplicates=duplicates,
        near_duplicates=near,
        found=found,
    )
    logger.info(
        "indexed: %d added, %d updated, %d removed, %d failed, %d sentences embedded",
        len(added),
        len(updated),
        len(removed),
        len(failed),
        vectors.embedded,
    )
    return report


def prepare(file: source_files.SourceFile, *, limits: ParseLimits | None = None) -> _Prepared:
    """Load, structure and chunk one source (no model calls); any failure is a SourceError."""
    loaded = source_files.load(file, limits=limits)
    try:
        text, shape = structure.prepare(loaded.text)
        kind = loaded.kind or ("final-acts" if shape == "final-acts" else "commentary")
        segs = structure.segments(text, shape, kind=kind)
        chunks = chunk_source(file.id, segs)
    except SourceError:
        raise
    except Exception as exc:  # a parser's bug on one file fails that file only
        logger.exception("cannot structure %s", file.id)
        raise SourceError(
            f"{file.id}: cannot be split into passages ({type(exc).__name__}: {exc})"
        ) from None
    if not segs:
        raise SourceError(f"{file.id}: no passages found in the text")
    row = SourceRow(file.id, file.digest, loaded.title, kind, shape, loaded.meta, len(chunks))
    pages = None if loaded.pages is None else carry(loaded.pages, loaded.text, text)
    return _Prepared(file, row, text, chunks, structure.summary(text, shape), pages)


def _unpaged(catalog: Catalog) -> set[str]:
    """Indexed PDFs without a page map (indexed before pages were kept): read them again.

    Their text and passages are unchanged, so their vectors stay (`_relabel`).
    """
    pdfs = [s for s in catalog.digests() if s.lower().endswith(".pdf")]
    return {s for s in pdfs if catalog.pages(s) is None}


def _metadata(item: _Prepared) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """Ids, embedded texts and metadata of a prepared source's sentences."""
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, str]] = []
    for chunk in item.chunks:
        for sentence in chunk.sentences:
            ids.append(sentence.id)
            texts.append(embedded_text(chunk, sentence))
            meta = {"source": item.row.id, "kind": chunk.kind, "chunk_id": chunk.id}
            meta["hash"] = text_hash(texts[-1])  # its vector is found by this (ingest.vectors)
            if chunk.part:  # a clause of a resolution or decision: `sources=` may name its act
                meta["act"] = f"{item.row.id}#{chunk.group}"
            metas.append(meta)
    return ids, texts, metas


def _same_passages(item: _Prepared, catalog: Catalog) -> bool:
    """Whether the index holds exactly these passages of the source (so its vectors stand)."""
    if catalog.text(item.row.id) != item.text:
        return False
    ids = [c.id for c in item.chunks]
    old = catalog.chunks(ids)
    return len(old) == len(ids) and all(
        (o := old[c.id]).context == c.context
        and (o.start, o.end) == (c.start, c.end)
        and [s.id for s in o.sentences] == [s.id for s in c.sentences]
        for c in item.chunks
    )


def _relabel(item: _Prepared, catalog: Catalog, store: VectorStore) -> None:
    """Store a source's new metadata; its vectors stay, with their kinds updated."""
    ids, _, metas = _metadata(item)
    store.relabel(ids, metas)
    hashes = {i: m["hash"] for i, m in zip(ids, metas, strict=True)}
    catalog.put_source(item.row, item.text, item.chunks, pages=item.pages, hashes=hashes)


def _write(
    item: _Prepared,
    catalog: Catalog,
    store: VectorStore,
    vectors: SyncVectors,
    counts: tuple[int, int],
    progress: Progress | None,
) -> int:
    source = item.row.id
    done, total = counts
    ids, texts, metas = _metadata(item)
    # Looked up before the old vectors of this source go: unchanged sentences keep theirs.
    found = vectors.vectors(texts, [m["hash"] for m in metas])
    store.delete_source(source)

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total, source)

    store.add(ids, texts, metas, progress=step, vectors=found)
    hashes = {i: m["hash"] for i, m in zip(ids, metas, strict=True)}
    words = vectors.take_words(hashes.values())
    catalog.put_source(
        item.row, item.text, item.chunks, pages=item.pages, hashes=hashes, words=words
    )
    return done


def repair(catalog: Catalog, store: VectorStore) -> set[str]:
    """Make store and catalog agree after a crash; return sources that must be re-embedded."""
    if store.count() == catalog.sentence_count():
        return set()
    logger.warning("vector store and catalog disagree; repairing")
    stored = store.ids()
    orphans = stored - catalog.sentence_ids()
    store.delete(sorted(orphans))
    stale = {row.id for row in catalog.sources() if not catalog.sentence_ids(row.id) <= stored}
    return stale

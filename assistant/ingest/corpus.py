"""Changing the corpus: storing an added file, removing, describing; fresh parts to rebuild.

Each change follows the sync's rules: the caller holds the writer lock; a file is checked
before it takes its place in `sources/`; a removal deletes the file first (the one step that
decides), then its vectors, then its catalog rows in one transaction, so a crash at any point
leaves a state the next sync completes (a vanished file is removed from the index).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # langchain_core costs ~0.5 s to import: not at CLI start
    from langchain_core.embeddings import Embeddings

from assistant.errors import IndexDamagedError, SourceError
from assistant.index.catalog import FILENAME as CATALOG_FILE
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore
from assistant.ingest import sources as source_files
from assistant.ingest.duplicates import Copy, find_copy
from assistant.ingest.naming import safe_target, unused_name
from assistant.ingest.sandbox import ParseLimits
from assistant.ingest.sync import prepare

logger = logging.getLogger(__name__)

# The sidecar fields `describe` writes (a sidecar may hold others, e.g. "publisher").
DESCRIBED = ("title", "author", "date", "kind", "url")


def store_file(
    folder: Path,
    catalog: Catalog,
    path: Path,
    *,
    name: str,
    limits: ParseLimits,
    replacing: str = "",
) -> tuple[Path, Copy | None]:
    """Check `path` and copy it into `folder` under a safe, unused name; return that path.

    If its text is already indexed (as another source than `replacing`), nothing is stored
    and the path returned is the indexed copy's, with the Copy. A near copy is stored, and
    returned with it. Raises SourceError for a file that cannot be read.
    """
    # An added file never replaces another source.
    target = folder / replacing if replacing else unused_name(safe_target(folder, name))
    folder.mkdir(parents=True, exist_ok=True)
    # Checked before it takes its place: a bad file must not replace a good source, and
    # os.replace swaps a symlink itself rather than writing through it. Left behind if this
    # process dies while checking; the next sync sweeps it.
    incoming = target.with_name(f"{source_files.INCOMING_PREFIX}{target.name}")
    shutil.copyfile(path, incoming)
    source_id = target.relative_to(folder).as_posix()
    try:
        item = prepare(source_files.SourceFile(source_id, incoming, "x"), limits=limits)
    except SourceError as exc:
        incoming.unlink(missing_ok=True)
        raise SourceError(f"{source_id}: {str(exc).removeprefix(f'{source_id}: ')}") from None
    copy = find_copy(catalog, item.text, besides=replacing)
    if copy is not None and copy.exact:
        incoming.unlink(missing_ok=True)
        logger.info("%s is already indexed as %s; not stored", path, copy.source)
        return folder / copy.source, copy
    os.replace(incoming, target)
    return target, copy


def source_path(folder: Path, catalog: Catalog, source_id: str) -> Path:
    """The file of an indexed source; SourceError naming the indexed ids if there is none."""
    ids = sorted(catalog.digests())
    if source_id not in ids:
        known = ", ".join(ids[:12]) or "none"
        raise SourceError(
            f"{source_id!r} is not an indexed source (indexed: {known}); "
            "see `assistant sources` for the ids"
        )
    path = (folder / source_id).resolve()
    if folder.resolve() not in path.parents:
        raise SourceError(f"{source_id!r} is not inside {folder}")
    return path


def remove(folder: Path, catalog: Catalog, store: VectorStore, source_id: str) -> None:
    """Delete an indexed source's file, sidecar, vectors and catalog rows (writer lock held)."""
    path = source_path(folder, catalog, source_id)
    path.unlink(missing_ok=True)  # from here on the next sync would finish the removal
    source_files.sidecar_path(path).unlink(missing_ok=True)
    with store.writing(catalog.generation()):
        store.delete_source(source_id)
        catalog.remove_source(source_id)
        store.mark(catalog.generation())


def describe(folder: Path, catalog: Catalog, source_id: str, fields: dict[str, str | None]) -> None:
    """Write the given fields into the source's sidecar ("" deletes one; None keeps it)."""
    path = source_path(folder, catalog, source_id)
    side = source_files.sidecar_path(path)
    meta: dict[str, str] = {}
    if side.is_file():
        try:
            raw = json.loads(side.read_text("utf-8"))
            meta = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        except (UnicodeDecodeError, json.JSONDecodeError, OSError) as exc:
            logger.warning("replacing the unreadable sidecar %s: %s", side, exc)
    for key, value in fields.items():
        if value is None:
            continue
        if value.strip():
            meta[key] = value
        else:
            meta.pop(key, None)
    source_files.write_sidecar(path, meta)


def fresh_catalog(index: Path) -> Catalog:
    """The catalog of `index`; an unreadable one is deleted, since a rebuild refills it."""
    try:
        return Catalog(index)
    except IndexDamagedError:
        logger.warning("deleting the damaged catalog in %s to rebuild it", index)
        for suffix in ("", "-wal", "-shm"):
            (index / f"{CATALOG_FILE}{suffix}").unlink(missing_ok=True)
        return Catalog(index)


def fresh_store(embeddings: Embeddings, folder: Path, url: str | None) -> VectorStore:
    """The vector store of the index; an unreadable one on disk is deleted to rebuild it."""
    try:
        return VectorStore(embeddings, folder=folder, url=url)
    except IndexDamagedError:
        if url:
            raise
        logger.warning("deleting the damaged vector store %s to rebuild it", folder)
        shutil.rmtree(folder, ignore_errors=True)
        return VectorStore(embeddings, folder=folder, url=url)

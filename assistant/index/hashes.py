"""Stored vectors by content hash: the catalog names a sentence, the store gives its vector by id.

A sentence's vector depends only on the text it was embedded from, so a sync reuses any stored
vector whose text has the same hash (`ingest.vectors`). Chroma can find them by their `hash`
metadata, but on a server at ~1M vectors that `$in` lookup took 0.26-0.40 s per 100 hashes
against ~0.01 s for a get by id, and one profile found it the largest cost of adding one
document (BENCHMARKS.md; on the build measured with this change, 0.4-0.7 s of ~4 s). So the
catalog keeps each sentence's hash in an indexed column, written in the same transaction as the
sentence, and a lookup is: hashes -> sentence ids (SQL) -> vectors by id (Chroma).

Sentence ids are positional ("file:chunk:sentence") and the store is written before the
catalog, so after a crash between the two an id may hold another text's vector: the store's
own `hash` metadata is checked against the catalog's. The metadata lookup stays for the hashes
the catalog cannot vouch for: while some sentence rows have no hash (an index built before
hashes were kept, until a sync `fill`s them in), and when a vector the catalog named was
missing or stale.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assistant.schema import Chunk, Sentence

if TYPE_CHECKING:  # the catalog imports this module for its SQL
    from assistant.index.catalog import Catalog
    from assistant.index.store import VectorStore

HashOf = Callable[[Chunk, Sentence], str]
"""The content hash of the text a sentence of a chunk is embedded from (ingest knows how)."""

_BATCH = 500  # hashes per query (SQLite allows 32,766 parameters)


def migrate(db: sqlite3.Connection) -> None:
    """Give an older catalog's `sentences` table its `hash` column (NULL in old rows) and index.

    Adding a column rewrites no rows; indexing a million NULLs takes about a second, once.
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(sentences)")}
    with db:
        if "hash" not in columns:
            db.execute("ALTER TABLE sentences ADD COLUMN hash TEXT")
        db.execute("CREATE INDEX IF NOT EXISTS sentences_hash ON sentences(hash)")


def ids_by_hash(db: sqlite3.Connection, hashes: Sequence[str]) -> dict[str, str]:
    """Hash -> the id of one sentence the catalog holds with that hash."""
    found: dict[str, str] = {}
    for i in range(0, len(hashes), _BATCH):
        part = list(hashes[i : i + _BATCH])
        sql = (
            f"SELECT hash, min(id) FROM sentences WHERE hash IN ({','.join('?' * len(part))}) "
            "GROUP BY hash"
        )
        found.update(db.execute(sql, part).fetchall())
    return found


def any_unhashed(db: sqlite3.Connection) -> bool:
    """Whether some sentence row has no hash (one indexed look-up)."""
    sql = "SELECT EXISTS (SELECT 1 FROM sentences WHERE hash IS NULL)"
    return bool(db.execute(sql).fetchone()[0])


def fill(
    db: sqlite3.Connection, chunks: Callable[[Sequence[str]], dict[str, Chunk]], hash_of: HashOf
) -> int:
    """Give every sentence row without a hash its hash, from its chunk; return how many.

    One transaction per batch of chunks: a crash keeps what was filled, and the rest is filled
    by the next sync. Rows whose chunk is gone keep no hash (their hashes use the fallback).
    """
    sql = "SELECT DISTINCT chunk_id FROM sentences WHERE hash IS NULL"
    ids = [row[0] for row in db.execute(sql).fetchall()]
    filled = 0
    for i in range(0, len(ids), _BATCH):
        pairs = [
            (hash_of(c, s), s.id) for c in chunks(ids[i : i + _BATCH]).values() for s in c.sentences
        ]
        with db:
            db.executemany("UPDATE sentences SET hash = ? WHERE id = ?", pairs)
        filled += len(pairs)
    return filled


def stored_vectors(
    catalog: Catalog, store: VectorStore, hashes: Sequence[str]
) -> dict[str, list[float]]:
    """A stored vector for each content hash that has one (the one place that finds them)."""
    if not hashes:
        return {}
    named = catalog.sentences_by_hash(hashes)
    found: dict[str, list[float]] = {}
    for sid, (stored_hash, vector) in store.hashed_vectors(sorted(set(named.values()))).items():
        if named.get(stored_hash) == sid:
            found[stored_hash] = vector
    rest = [h for h in hashes if h not in found]
    if not rest:
        return found
    old = catalog.unhashed_sentences()
    unsure = [h for h in rest if old or h in named]
    if unsure:
        found.update(store.vectors_by_hash(unsure))
    return found

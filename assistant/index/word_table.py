"""The catalog's table of packed word vectors (`index.word_vectors`), by content hash.

A row is shared by every sentence whose embedded text has its hash (`sentences.hash`), so it is
written once and dropped with the last such sentence. Bytes only: unpacking needs numpy, which
the catalog (opened by every CLI command) does not import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

SCHEMA = """
CREATE TABLE IF NOT EXISTS word_vectors (hash TEXT PRIMARY KEY, data BLOB NOT NULL);
"""
_BATCH = 500  # ids per query (SQLite allows 32,766 parameters)


def put(db: sqlite3.Connection, packed: Mapping[str, bytes]) -> None:
    """Store packed word vectors by content hash (in the caller's transaction)."""
    db.executemany("INSERT OR IGNORE INTO word_vectors VALUES (?, ?)", packed.items())


def prune(db: sqlite3.Connection, hashes: Sequence[str]) -> None:
    """Drop the word vectors of `hashes` that no sentence has any more (caller's transaction)."""
    for i in range(0, len(hashes), _BATCH):
        part = list(hashes[i : i + _BATCH])
        db.execute(
            f"DELETE FROM word_vectors WHERE hash IN ({','.join('?' * len(part))}) "
            "AND hash NOT IN (SELECT hash FROM sentences WHERE hash IS NOT NULL AND hash IN "
            f"({','.join('?' * len(part))}))",
            part + part,
        )


def of_sentences(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, bytes]:
    """Sentence id -> its packed word vectors, for the sentences that have them."""
    found: dict[str, bytes] = {}
    for i in range(0, len(ids), _BATCH):
        part = list(ids[i : i + _BATCH])
        rows = db.execute(
            "SELECT s.id, w.data FROM sentences s JOIN word_vectors w ON w.hash = s.hash "
            f"WHERE s.id IN ({','.join('?' * len(part))})",
            part,
        ).fetchall()
        found.update((sid, bytes(data)) for sid, data in rows)
    return found


def chunks_without(db: sqlite3.Connection) -> list[str]:
    """Ids of the chunks with a hashed sentence whose word vectors are not stored."""
    rows = db.execute(
        "SELECT DISTINCT s.chunk_id FROM sentences s LEFT JOIN word_vectors w ON w.hash = s.hash "
        "WHERE s.hash IS NOT NULL AND w.hash IS NULL"
    ).fetchall()
    return [r[0] for r in rows]

"""The catalog's FTS5 keyword index of the chunks: BM25 search and document frequencies.

Functions of an open catalog connection (the `Catalog` methods of the same names call them);
`filtered` adds the kind and source filters every chunk query shares.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence


def search(
    db: sqlite3.Connection,
    words: Iterable[str],
    k: int,
    kinds: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
) -> list[tuple[str, float]]:
    """Chunk ids ranked by BM25 for any of `words`, best first, with a positive score."""
    unique = list(dict.fromkeys(w.replace('"', "") for w in words if w.strip('"')))
    if not unique:
        return []
    query = " OR ".join(f'"{w}"' for w in unique)
    if not (kinds or sources):
        return _best(db, query, k)
    sql = (
        "SELECT c.id, -bm25(chunks_fts) AS score FROM chunks_fts "
        "JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ?"
    )
    params: list[object] = [query]
    sql, params = filtered(sql, params, kinds, sources)
    sql += " ORDER BY bm25(chunks_fts) LIMIT ?"
    params.append(k)
    return [(r[0], float(r[1])) for r in db.execute(sql, params).fetchall()]


def _best(db: sqlite3.Connection, query: str, k: int) -> list[tuple[str, float]]:
    """The `k` best chunks for an FTS5 `query`, found before their ids are read: joining the
    chunks first read a chunk row for every match (3x the time at 300k chunks). The order is
    the joined query's: both sort the same matches, in the same order, stably."""
    rows = db.execute(
        "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
        "ORDER BY bm25(chunks_fts) LIMIT ?",
        (query, k),
    ).fetchall()
    marks = ",".join("?" * len(rows))
    sql = f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})"
    ids = dict(db.execute(sql, [r[0] for r in rows]).fetchall())
    return [(ids[r], float(score)) for r, score in rows if r in ids]


def document_frequency(db: sqlite3.Connection, word: str) -> int:
    """How many chunks contain `word` (after stemming)."""
    query = '"' + word.replace('"', "") + '"'
    row = db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (query,))
    return int(row.fetchone()[0])


def filtered(
    sql: str, params: list[object], kinds: Sequence[str] | None, sources: Sequence[str] | None
) -> tuple[str, list[object]]:
    """`sql` (over `chunks c`) and `params` with the kind and source filters added."""
    if kinds:
        sql += f" AND c.kind IN ({','.join('?' * len(kinds))})"
        params.extend(kinds)
    if sources:  # file ids, or act ids "file#Resolution 102 (Rev. Busan, 2014)"
        marks = ",".join("?" * len(sources))
        sql += (
            f" AND (c.source IN ({marks}) OR (c.part != '' AND c.source || '#' || c.grp "
            f"IN ({marks})))"
        )
        params.extend([*sources, *sources])
    return sql, params

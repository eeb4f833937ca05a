"""Chunks read back from the catalog's rows, with their sentences cut from the chunk text."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from assistant.errors import IndexDamagedError
from assistant.schema import Chunk, Sentence, part_of_act


def chunks(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Chunk]:
    """Chunks by id, with their sentences (text cut from the chunk by offsets)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f'SELECT id, source, start, "end", locator, kind, grp, part, text FROM chunks '
        f"WHERE id IN ({marks})",
        list(ids),
    ).fetchall()
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for sid, cid, s, e in db.execute(
        f'SELECT id, chunk_id, start, "end" FROM sentences WHERE chunk_id IN ({marks}) '
        "ORDER BY start",
        list(ids),
    ).fetchall():
        spans.setdefault(cid, []).append((sid, s, e))
    found: dict[str, Chunk] = {}
    for cid, source, start, end, locator, kind, grp, part, text in rows:
        sentences = tuple(
            Sentence(sid, text[s - start : e - start], s, e) for sid, s, e in spans.get(cid, [])
        )
        try:
            typed_part = part_of_act(part)
        except ValueError as exc:
            raise IndexDamagedError(
                f"the catalog holds a chunk {cid} that cannot be read ({exc}); "
                "run `assistant index --rebuild`"
            ) from None
        found[cid] = Chunk(cid, source, text, start, end, locator, kind, grp, typed_part, sentences)
    return found

"""Fingerprints of the catalog's texts, so a new text's copy is found without reading them all.

A near copy shares at least `NEAR_OVERLAP` of its five-word shingles with an indexed text
(Jaccard overlap of the two sets). Reading and shingling every indexed text to find one grows
with the index (40 s at 3,000 sources); instead each text's digest, shingle count and a
*prefix* of its shingle hashes (the smallest ones) are kept in the catalog, written in the
same transaction as the text, and a lookup reads only the rows its own prefix hashes hit.

Why the prefix finds every near copy (prefix filtering, exact): with `t` = NEAR_OVERLAP, two
sets A and B of sizes a and b whose overlap is at least t share at least ceil(t*max(a, b))
hashes. Sorted by hash, the j-th smallest shared hash has at most a - ceil(t*a) + j smaller
or equal hashes in A (the unshared ones and j shared ones), so the `SHARED` smallest shared
hashes lie within the first a - ceil(t*a) + SHARED of A, and likewise of B. A text whose stored
prefix meets the new text's prefix in fewer than min(SHARED, ceil(t*a)) hashes, or whose size
is outside [t*a, a/t], cannot be a near copy; the few that pass are compared in full.
"""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass

NEAR_OVERLAP = 0.8  # Jaccard overlap of five-word shingles above which two texts are near copies
SHINGLE = 5
SHARED = 4  # prefix hashes a candidate must share (more than one: common phrases recur)
_EPSILON = 1e-9  # bounds are widened by this much, so rounding never drops a near copy
_WORD = re.compile(r"\w+")
_BATCH = 500  # hashes per query (SQLite allows 32,766 parameters)

SCHEMA = """
CREATE TABLE IF NOT EXISTS prints (
    source TEXT PRIMARY KEY, digest TEXT NOT NULL, shingles INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS prints_digest ON prints(digest);
CREATE TABLE IF NOT EXISTS print_hashes (hash INTEGER NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS print_hashes_hash ON print_hashes(hash);
CREATE INDEX IF NOT EXISTS print_hashes_source ON print_hashes(source);
CREATE TRIGGER IF NOT EXISTS prints_forgotten AFTER DELETE ON sources BEGIN
    DELETE FROM print_hashes WHERE source = old.id;
    DELETE FROM prints WHERE source = old.id;
END;
"""


def text_digest(text: str) -> str:
    """The hash of an extracted text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def words(text: str) -> list[str]:
    """The text's words, case folded (punctuation and spacing dropped)."""
    return _WORD.findall(text.casefold())


def shingles(folded: list[str]) -> set[tuple[str, ...]]:
    """The five-word shingles of a word list (the list itself when it is shorter)."""
    if len(folded) <= SHINGLE:
        return {tuple(folded)}
    return {tuple(folded[i : i + SHINGLE]) for i in range(len(folded) - SHINGLE + 1)}


def overlap(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Jaccard overlap of two shingle sets."""
    return len(a & b) / max(1, len(a | b))


@dataclass(frozen=True)
class Fingerprint:
    """A text's digest and the sorted 64-bit hashes of its shingles."""

    digest: str
    hashes: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        """The fingerprint of `text`."""
        found = {_hash(s) for s in shingles(words(text))}
        return cls(text_digest(text), tuple(sorted(found)))

    def prefix(self) -> tuple[int, ...]:
        """The smallest hashes that any near copy shares at least `needed()` of."""
        n = len(self.hashes)
        return self.hashes[: n - math.ceil(NEAR_OVERLAP * n - _EPSILON) + SHARED]

    def needed(self) -> int:
        """How many prefix hashes a near copy shares at least."""
        return min(SHARED, math.ceil(NEAR_OVERLAP * len(self.hashes) - _EPSILON))


def _hash(shingle: tuple[str, ...]) -> int:
    raw = hashlib.blake2b(" ".join(shingle).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(raw.digest(), "big", signed=True)  # an SQLite INTEGER


def put(db: sqlite3.Connection, source: str, text: str) -> None:
    """Store the fingerprint of `source`'s text, in the caller's transaction (a trigger drops it
    with the source's row)."""
    print_ = Fingerprint.of(text)
    db.execute("INSERT INTO prints VALUES (?, ?, ?)", (source, print_.digest, len(print_.hashes)))
    db.executemany("INSERT INTO print_hashes VALUES (?, ?)", [(h, source) for h in print_.prefix()])


def copies(db: sqlite3.Connection, text: str, besides: str) -> tuple[str | None, list[str]]:
    """The first source (by id, not `besides`) whose text is `text`, and the sources that may
    be near copies of it; fingerprints the sources indexed before they were kept, once."""
    with db:
        sql = "SELECT id, text FROM sources WHERE id NOT IN (SELECT source FROM prints)"
        for source, old in db.execute(sql).fetchall():
            put(db, source, old)
    print_ = Fingerprint.of(text)
    return same_text(db, print_.digest, besides), candidates(db, print_, besides)


def same_text(db: sqlite3.Connection, digest: str, besides: str) -> str | None:
    """The first source (by id), other than `besides`, whose text has `digest`."""
    row = db.execute(
        "SELECT min(source) FROM prints WHERE digest = ? AND source != ?", (digest, besides)
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def candidates(db: sqlite3.Connection, print_: Fingerprint, besides: str) -> list[str]:
    """Sources (by id) that may be near copies of the fingerprinted text; no near copy is
    left out (see the module's docstring)."""
    n = len(print_.hashes)
    low, high = NEAR_OVERLAP * n - _EPSILON, n / NEAR_OVERLAP + _EPSILON
    shared: Counter[str] = Counter()
    prefix = print_.prefix()
    for i in range(0, len(prefix), _BATCH):
        part = prefix[i : i + _BATCH]
        rows = db.execute(
            "SELECT h.source, count(*) FROM print_hashes h JOIN prints p ON p.source = h.source "
            f"WHERE h.hash IN ({','.join('?' * len(part))}) AND h.source != ? "
            "AND p.shingles BETWEEN ? AND ? GROUP BY h.source",
            (*part, besides, low, high),
        )
        shared.update(dict(rows.fetchall()))
    return sorted(s for s, count in shared.items() if count >= print_.needed())

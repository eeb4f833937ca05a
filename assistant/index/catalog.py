"""The catalog: an SQLite file in the index folder holding the manifest, texts and keyword index.

It records what was indexed (sources with digests, texts and fingerprints, chunks, sentences
with offsets and the content hash of their embedded text, word vectors by that hash), how
(model, chunking), the files refused, and an FTS5 keyword index of the chunks (`fts.py`). Each
change to one source is one transaction that bumps the generation other processes check.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IndexDamagedError, SourceError
from assistant.index import chunk_rows, fingerprints, fts, word_table
from assistant.index import hashes as sentence_hashes
from assistant.index.pages import PageMap
from assistant.schema import Chunk

FILENAME = "catalog.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY, digest TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL,
    structure TEXT NOT NULL, meta TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, source TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, locator TEXT NOT NULL, kind TEXT NOT NULL,
    grp TEXT NOT NULL, part TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE TABLE IF NOT EXISTS sentences (
    id TEXT PRIMARY KEY, chunk_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    hash TEXT);
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences(chunk_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS refused (
    id TEXT PRIMARY KEY, digest TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (source TEXT PRIMARY KEY, map TEXT NOT NULL);
"""
# The meta row counting source changes; not a setting, so get_meta leaves it out.
GENERATION = "generation"
_BUMP = (
    "INSERT INTO meta VALUES (?, '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)


@dataclass(frozen=True)
class SourceRow:
    """A source as the catalog holds it."""

    id: str
    digest: str
    title: str
    kind: str
    structure: str
    meta: dict[str, str]
    chunks: int


class Catalog:
    """Manifest, texts and keyword index of one index folder."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILENAME
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        try:
            self._db.executescript(_SCHEMA + fingerprints.SCHEMA + word_table.SCHEMA)
            sentence_hashes.migrate(self._db)
            self._db.execute("SELECT count(*) FROM sources").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexDamagedError(
                f"{self.path} cannot be read ({exc}); run `assistant index --rebuild`"
            ) from None

    @property
    def _db(self) -> sqlite3.Connection:
        # One connection per thread: WAL lets the web chat read while an indexer writes.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close the database connections."""
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()

    # -- manifest -------------------------------------------------------------------------

    def get_meta(self) -> dict[str, str]:
        """Settings the index was built with (model, chunking version)."""
        rows = self._db.execute("SELECT key, value FROM meta WHERE key != ?", (GENERATION,))
        return dict(rows.fetchall())

    def generation(self) -> int:
        """How many source changes were ever committed: grows with each one (one read)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (GENERATION,)).fetchone()
        return 0 if row is None else int(row[0])

    def refusals(self) -> dict[str, tuple[str, str]]:
        """Files refused before: id -> (digest of the refused content, reason)."""
        rows = self._db.execute("SELECT id, digest, reason FROM refused").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def set_refusals(self, refused: dict[str, tuple[str, str]]) -> None:
        """Remember exactly these refused files (forgetting the others), in one transaction."""
        rows = [(i, digest, reason) for i, (digest, reason) in refused.items()]
        with self._db:
            self._db.execute("DELETE FROM refused")
            self._db.executemany("INSERT INTO refused VALUES (?, ?, ?)", rows)

    def set_meta(self, values: dict[str, str]) -> None:
        """Record settings the index is built with."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def sources(self) -> list[SourceRow]:
        """Every indexed source, with its chunk count."""
        rows = self._db.execute(
            "SELECT s.id, s.digest, s.title, s.kind, s.structure, s.meta, "
            "(SELECT count(*) FROM chunks c WHERE c.source = s.id) FROM sources s ORDER BY s.id"
        ).fetchall()
        return [SourceRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]

    def acts(self, source: str) -> list[tuple[str, str, int]]:
        """(label, kind, chunks) of each resolution or decision in a final-acts source."""
        rows = self._db.execute(
            "SELECT grp, kind, count(*) FROM chunks WHERE source = ? AND part != '' "
            "GROUP BY grp, kind ORDER BY min(start)",
            (source,),
        ).fetchall()
        return [(r[0], r[1], int(r[2])) for r in rows]

    def outline(self, source: str) -> list[tuple[str, int]]:
        """(section heading or act label, offset where it starts) in a source, in text order."""
        sql = "SELECT grp, min(start) FROM chunks WHERE source = ? GROUP BY grp ORDER BY 2"
        rows = self._db.execute(sql, (source,)).fetchall()
        return [(r[0], int(r[1])) for r in rows if r[0]]

    def editions(self, kind: str, number: str) -> list[tuple[str, str]]:
        """(source, label) of every indexed edition of one act, e.g. ("resolution", "130"):
        "Resolution 130 (Rev. Busan, 2014)" and "(Rev. Guadalajara, 2010)" are linked so."""
        rows = self._db.execute(
            "SELECT DISTINCT source, grp FROM chunks WHERE part != '' AND kind = ? "
            "AND lower(grp) LIKE ? ORDER BY source, grp",
            (kind, f"{kind} {number.lower()} (%"),
        )
        return [(r[0], r[1]) for r in rows]

    def kinds(self) -> dict[str, int]:
        """Kind -> number of chunks of that kind in the index."""
        rows = self._db.execute("SELECT kind, count(*) FROM chunks GROUP BY kind").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def act_ids(self) -> list[str]:
        """Ids "file#label" of every resolution and decision in the index."""
        sql = "SELECT DISTINCT source || '#' || grp FROM chunks WHERE part != '' ORDER BY 1"
        return [r[0] for r in self._db.execute(sql)]

    def digests(self) -> dict[str, str]:
        """Source id -> content digest of what is indexed."""
        return dict(self._db.execute("SELECT id, digest FROM sources").fetchall())

    def titles(self, ids: Iterable[str]) -> dict[str, str]:
        """Titles of the given sources."""
        wanted = list(ids)
        sql = f"SELECT id, title FROM sources WHERE id IN ({','.join('?' * len(wanted))})"
        return dict(self._db.execute(sql, wanted).fetchall())

    def copies(self, text: str, besides: str = "") -> tuple[str | None, list[str]]:
        """(first source but `besides` with this very text, sources that may be near copies)."""
        return fingerprints.copies(self._db, text, besides)

    def text(self, source: str) -> str | None:
        """The extracted text of an indexed source (what offsets refer to)."""
        row = self._db.execute("SELECT text FROM sources WHERE id = ?", (source,)).fetchone()
        return None if row is None else str(row[0])

    def pages(self, source: str) -> PageMap | None:
        """Where an indexed PDF's pages start in its text (None: no pages, or not kept yet)."""
        row = self._db.execute("SELECT map FROM pages WHERE source = ?", (source,)).fetchone()
        return None if row is None else PageMap.from_json(row[0])

    def row(self, source: str) -> SourceRow | None:
        """One indexed source (its chunk count left 0), or None."""
        sql = "SELECT id, digest, title, kind, structure, meta FROM sources WHERE id = ?"
        r = self._db.execute(sql, (source,)).fetchone()
        return None if r is None else SourceRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), 0)

    def put_source(
        self,
        row: SourceRow,
        text: str,
        chunks: Sequence[Chunk],
        *,
        pages: PageMap | None = None,
        hashes: Mapping[str, str] | None = None,
        words: Mapping[str, bytes] | None = None,
    ) -> None:
        """Replace everything known about one source, in one transaction.

        `hashes` maps sentence ids to the content hash of their embedded text, by which their
        vectors are found again (`index.hashes`); `words` packed word vectors by content hash
        (`index.word_vectors`). Raises SourceError, and stores nothing, if a text cannot be
        stored (a lone surrogate).
        """
        try:
            self._put(row, text, chunks, pages, hashes or {}, words or {})
        except UnicodeEncodeError as exc:
            shown = row.id.encode("utf-8", "backslashreplace").decode("utf-8")
            raise SourceError(
                f"{shown}: holds a character that cannot be stored ({exc.reason}); "
                "rename the file or fix its text and metadata"
            ) from None

    def _put(
        self,
        row: SourceRow,
        text: str,
        chunks: Sequence[Chunk],
        pages: PageMap | None,
        hashed: Mapping[str, str],
        words: Mapping[str, bytes],
    ) -> None:
        with self._db:
            self._db.execute(_BUMP, (GENERATION,))
            old = self._delete(row.id)
            word_table.put(self._db, words)
            if pages is not None:
                self._db.execute("INSERT INTO pages VALUES (?, ?)", (row.id, pages.to_json()))
            self._db.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.digest,
                    row.title,
                    row.kind,
                    row.structure,
                    json.dumps(row.meta, ensure_ascii=False),
                    text,
                ),
            )
            fingerprints.put(self._db, row.id, text)
            for c in chunks:
                cur = self._db.execute(
                    'INSERT INTO chunks (id, source, start, "end", locator, kind, grp, part, '
                    "text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (c.id, c.source, c.start, c.end, c.locator, c.kind, c.group, c.part, c.text),
                )
                self._db.execute(
                    "INSERT INTO chunks_fts (rowid, text) VALUES (?, ?)",
                    (cur.lastrowid, f"{c.group} {c.locator} {c.text}"),
                )
                self._db.executemany(
                    'INSERT INTO sentences (id, chunk_id, start, "end", hash) '
                    "VALUES (?, ?, ?, ?, ?)",
                    [(s.id, c.id, s.start, s.end, hashed.get(s.id)) for s in c.sentences],
                )
            word_table.prune(self._db, old)

    def remove_source(self, source: str) -> None:
        """Forget one source."""
        with self._db:
            self._db.execute(_BUMP, (GENERATION,))
            word_table.prune(self._db, self._delete(source))

    def _delete(self, source: str) -> list[str]:
        """Delete one source's rows; return the content hashes its sentences had."""
        old = self._db.execute(
            "SELECT DISTINCT s.hash FROM sentences s JOIN chunks c ON c.id = s.chunk_id "
            "WHERE c.source = ? AND s.hash IS NOT NULL",
            (source,),
        ).fetchall()
        self._db.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE source = ?)",
            (source,),
        )
        self._db.execute(
            "DELETE FROM sentences WHERE chunk_id IN (SELECT id FROM chunks WHERE source = ?)",
            (source,),
        )
        self._db.execute("DELETE FROM chunks WHERE source = ?", (source,))
        self._db.execute("DELETE FROM sources WHERE id = ?", (source,))
        self._db.execute("DELETE FROM pages WHERE source = ?", (source,))
        return [h for (h,) in old]

    def clear(self) -> None:
        """Forget everything (for a rebuild); the generation still grows."""
        with self._db:
            for table in (
                "chunks_fts",
                "sentences",
                "chunks",
                "sources",
                "refused",
                "pages",
                "word_vectors",
            ):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("DELETE FROM meta WHERE key != ?", (GENERATION,))
            self._db.execute(_BUMP, (GENERATION,))

    def sentence_count(self) -> int:
        """Number of sentences, which must equal the number of vectors in the store."""
        return int(self._db.execute("SELECT count(*) FROM sentences").fetchone()[0])

    def sentence_ids(self, source: str | None = None) -> set[str]:
        """Ids of the sentences (of one source, or all)."""
        if source is None:
            rows = self._db.execute("SELECT id FROM sentences").fetchall()
        else:
            rows = self._db.execute(
                "SELECT s.id FROM sentences s JOIN chunks c ON c.id = s.chunk_id "
                "WHERE c.source = ?",
                (source,),
            ).fetchall()
        return {r[0] for r in rows}

    def chunks_without_words(self) -> list[str]:
        """Chunks with sentences whose word vectors are not stored (an older index)."""
        return word_table.chunks_without(self._db)

    def put_word_vectors(self, packed: Mapping[str, bytes]) -> None:
        """Store packed word vectors by content hash (of sentences already indexed)."""
        with self._db:
            word_table.put(self._db, packed)

    def word_vectors(self, ids: Sequence[str]) -> dict[str, bytes]:
        """Sentence id -> its packed word vectors (`WordVectors.pack`), for those that have them."""
        return word_table.of_sentences(self._db, ids)

    def sentences_by_hash(self, wanted: Sequence[str]) -> dict[str, str]:
        """Content hash -> id of one sentence with it, for the hashes the catalog knows."""
        return sentence_hashes.ids_by_hash(self._db, wanted)

    def unhashed_sentences(self) -> bool:
        """Whether some sentences were stored without their hash (before hashes were kept)."""
        return sentence_hashes.any_unhashed(self._db)

    def fill_hashes(self, hash_of: sentence_hashes.HashOf) -> int:
        """Hash the sentences stored without one (`hash_of` their chunk and sentence)."""
        return sentence_hashes.fill(self._db, self.chunks, hash_of)

    # -- retrieval ------------------------------------------------------------------------

    def keyword_search(
        self,
        words: Iterable[str],
        k: int,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Chunk ids ranked by BM25 for any of `words`, best first, with a positive score."""
        return fts.search(self._db, words, k, kinds, sources)

    def document_frequency(self, word: str) -> int:
        """How many chunks contain `word` (after stemming)."""
        return fts.document_frequency(self._db, word)

    def chunk_count(self) -> int:
        """Number of chunks in the index."""
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id, with their sentences (text cut from the chunk by offsets)."""
        return chunk_rows.chunks(self._db, ids)

    def act_chunk_ids(self, acts: Iterable[tuple[str, str]], limit: int = 80) -> list[str]:
        """Chunk ids of the named acts, e.g. ("resolution", "102"), in document order."""
        ids: list[str] = []
        for kind, number in acts:
            rows = self._db.execute(
                "SELECT id FROM chunks WHERE part != '' AND lower(grp) LIKE ? "
                "ORDER BY source, start LIMIT ?",
                (f"{kind} {number} (%", limit),
            ).fetchall()
            ids.extend(r[0] for r in rows)
        return ids

    def chunk_ids(
        self, kinds: Sequence[str] | None = None, sources: Sequence[str] | None = None
    ) -> list[str]:
        """All chunk ids matching the filters, in source order."""
        sql, params = fts.filtered("SELECT c.id FROM chunks c WHERE 1", [], kinds, sources)
        return [r[0] for r in self._db.execute(sql + " ORDER BY c.source, c.start", params)]

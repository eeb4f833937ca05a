"""Reusable vectors found through the catalog's sentence hashes, then fetched by id.

The store's metadata lookup (`vectors_by_hash`) is slow on a large server, so these tests count
its calls: a catalog that knows every hash never needs it; an older catalog (rows without a
hash) or a stale id still finds its vectors through it. The documents are invented for these
tests; the fake embeddings count the texts they embed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from fakes import KeywordEmbeddings

from assistant.index.catalog import FILENAME, Catalog
from assistant.index.hashes import stored_vectors
from assistant.index.store import VectorStore
from assistant.ingest.sync import sync_folder
from assistant.ingest.vectors import embedded_text, sentence_hash, text_hash
from assistant.schema import IndexReport

PIER = (
    "The harbour board met on a Tuesday in March. It approved a second pier for ferries. "
    "Fishing boats keep the old quay. The mayor thanked the divers who surveyed the seabed."
)


class CountingStore(VectorStore):
    """The real store on disk, counting the hashes sent to the slow metadata lookup."""

    def __init__(self, embeddings: KeywordEmbeddings, folder: Path) -> None:
        super().__init__(embeddings, folder=folder)
        self.by_metadata: list[str] = []

    def vectors_by_hash(self, hashes: Sequence[str]) -> dict[str, list[float]]:
        self.by_metadata.extend(hashes)
        return super().vectors_by_hash(hashes)


def write(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"# Harbour notes\n\n## Piers\n\n{body}\n", encoding="utf-8")


def sync(folder: Path, catalog: Catalog, store: VectorStore) -> IndexReport:
    return sync_folder(folder, catalog, store, model="fake", group=4096)


def hashes_of(catalog: Catalog, source: str) -> dict[str, str]:
    """Sentence id -> the hash of its embedded text, computed from the catalog's chunks."""
    ids = {s.rsplit(":", 1)[0] for s in catalog.sentence_ids(source)}
    return {
        s.id: sentence_hash(c, s) for c in catalog.chunks(sorted(ids)).values() for s in c.sentences
    }


def setup(tmp_path: Path) -> tuple[Path, Catalog, CountingStore, KeywordEmbeddings]:
    folder, index, emb = tmp_path / "sources", tmp_path / "index", KeywordEmbeddings()
    write(folder, "a.md", PIER)
    catalog = Catalog(index)
    store = CountingStore(emb, index / "chroma")
    sync(folder, catalog, store)
    return folder, catalog, store, emb


def test_the_catalog_names_each_stored_hash_and_the_store_gives_its_vector(
    tmp_path: Path,
) -> None:
    _, catalog, store, emb = setup(tmp_path)
    known = hashes_of(catalog, "a.md")
    assert not catalog.unhashed_sentences()
    by_hash = catalog.sentences_by_hash(list(known.values()))
    assert {known[sid] for sid in by_hash.values()} == set(by_hash) == set(known.values())
    found = stored_vectors(catalog, store, [*known.values(), "0" * 32])  # one unknown hash
    assert set(found) == set(known.values())
    for sid, h in known.items():
        assert found[h] == store.vectors([sid])[sid]
    assert store.by_metadata == []  # every hash known or surely absent: no metadata lookup
    assert emb.texts_embedded == 4


def test_a_catalog_row_without_a_hash_falls_back_to_the_metadata_lookup(tmp_path: Path) -> None:
    _, catalog, store, _ = setup(tmp_path)
    known = hashes_of(catalog, "a.md")
    with sqlite3.connect(catalog.path) as db:  # as an index built before hashes were kept
        db.execute("UPDATE sentences SET hash = NULL")
    assert catalog.unhashed_sentences() and catalog.sentences_by_hash(list(known.values())) == {}
    found = stored_vectors(catalog, store, list(known.values()))
    assert set(found) == set(known.values())
    assert sorted(store.by_metadata) == sorted(known.values())
    assert catalog.fill_hashes(sentence_hash) == len(known)  # what the next sync does, once
    assert not catalog.unhashed_sentences() and catalog.fill_hashes(sentence_hash) == 0
    store.by_metadata.clear()
    assert stored_vectors(catalog, store, list(known.values())) == found
    assert store.by_metadata == []


def test_an_index_from_before_hashes_gets_the_column_and_keeps_working(tmp_path: Path) -> None:
    folder, catalog, store, emb = setup(tmp_path)
    before = catalog.sentence_ids()
    catalog.close()
    with sqlite3.connect(tmp_path / "index" / FILENAME) as db:  # the older schema exactly
        db.execute("DROP INDEX sentences_hash")
        db.execute("ALTER TABLE sentences DROP COLUMN hash")
    catalog = Catalog(tmp_path / "index")  # adds the column back, every row without a hash
    assert catalog.unhashed_sentences() and catalog.sentence_ids() == before
    emb.reset()
    write(folder, "b.md", PIER + " The pier opens in May.")  # one new sentence
    report = sync(folder, catalog, store)
    assert report.added == ["b.md"] and report.chunks_embedded == emb.texts_embedded == 1
    assert not catalog.unhashed_sentences()  # the sync hashed the old rows first
    assert store.by_metadata == []


def test_a_stale_id_is_not_trusted(tmp_path: Path) -> None:
    # After a crash between the store's write and the catalog's, a positional id may hold
    # another text's vector: the store's own hash metadata decides.
    _, catalog, store, _ = setup(tmp_path)
    sid, h = next(iter(hashes_of(catalog, "a.md").items()))
    tug = "Piers: A tug was sold."
    meta = {"source": "a.md", "kind": "commentary", "chunk_id": "c", "hash": text_hash(tug)}
    store.add([sid], [tug], [meta], vectors=store.embed([tug]))
    assert stored_vectors(catalog, store, [h]) == {}
    assert store.by_metadata == [h]  # named by the catalog but not confirmed: asked the store


def test_a_deleted_sources_hashes_are_gone(tmp_path: Path) -> None:
    folder, catalog, store, emb = setup(tmp_path)
    known = hashes_of(catalog, "a.md")
    (folder / "a.md").unlink()
    assert sync(folder, catalog, store).removed == ["a.md"]
    assert catalog.sentences_by_hash(list(known.values())) == {}
    assert stored_vectors(catalog, store, list(known.values())) == {}
    emb.reset()
    write(folder, "b.md", PIER)  # the same text again is embedded again
    assert sync(folder, catalog, store).chunks_embedded == emb.texts_embedded == 4
    assert store.by_metadata == []


def test_a_vector_is_reused_across_files_and_on_edit(tmp_path: Path) -> None:
    folder, catalog, store, emb = setup(tmp_path)
    emb.reset()
    write(folder, "b.md", PIER.replace("Fishing boats keep the old quay.", "A tug was sold."))
    report = sync(folder, catalog, store)
    assert report.added == ["b.md"] and report.chunks_embedded == emb.texts_embedded == 1
    emb.reset()
    write(folder, "a.md", PIER.replace("on a Tuesday", "on a Thursday"))
    report = sync(folder, catalog, store)
    assert report.updated == ["a.md"] and report.chunks_embedded == emb.texts_embedded == 1
    assert store.by_metadata == []
    assert store.count() == catalog.sentence_count()
    fresh = KeywordEmbeddings()
    ids = {s.rsplit(":", 1)[0] for s in catalog.sentence_ids()}
    for chunk in catalog.chunks(sorted(ids)).values():  # each vector is its own text's
        for sentence in chunk.sentences:
            want = fresh.embed_query(embedded_text(chunk, sentence))
            got = store.vectors([sentence.id])[sentence.id]
            assert max(abs(a - b) for a, b in zip(got, want, strict=True)) < 1e-6  # float32

"""The index: catalog (SQLite manifest + FTS5), vector store (real Chroma on disk), ingest/sync.

Fake embeddings count every model call, so "a no-op sync embeds nothing" is checked directly.
The same index seen from a second process is in tests/integration/test_index_processes.py.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings, OtherKeywordEmbeddings

from assistant import Assistant, IndexReport
from assistant.errors import (
    AssistantError,
    IndexBusyError,
    IndexDamagedError,
    IndexMismatchError,
)
from assistant.index import catalog as catalog_module
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore
from assistant.index.text import terms
from assistant.ingest.chunking import CHUNKING_VERSION
from assistant.ingest.sync import check_compatible, writer_lock

TESTS = Path(__file__).resolve().parents[1]
DOCS = TESTS / "data" / "docs"
COMMENTARY = "itu-plenipot-2014-impressions.txt"
NOTES = "lighthouse-notes.md"
ACTS = "final-acts-sample.txt"
ALL = [ACTS, COMMENTARY, NOTES]


class Probe:
    """A second look at an index folder, through its catalog and vector store."""

    def __init__(self, index: Path) -> None:
        self.catalog = Catalog(index)
        self.store = VectorStore(KeywordEmbeddings(), folder=index / "chroma")

    def sentences(self, source: str | None = None) -> int:
        return len(self.catalog.sentence_ids(source))

    def agree(self) -> bool:
        stored = self.store.ids()
        return stored == self.catalog.sentence_ids() and self.store.count() == len(stored)


@pytest.fixture
def probe(index: Path) -> Iterator[Probe]:
    found = Probe(index)
    yield found
    found.catalog.close()


# -- sync -----------------------------------------------------------------------------------


def test_first_sync_adds_everything(folder: Path, index: Path, emb: KeywordEmbeddings) -> None:
    assistant = Assistant.open(sources=folder, index=index, embeddings=emb, sync=False)
    assert assistant.sources() == []
    report = assistant.reindex()
    assert isinstance(report, IndexReport)
    assert report.added == ALL  # README.md and the sidecars are not sources
    assert (report.updated, report.removed, report.unchanged, report.failed) == ([], [], [], [])
    assert report.seconds > 0
    probe = Probe(index)
    assert report.chunks_embedded == probe.sentences() == probe.store.count() > 100
    assert emb.texts_embedded == report.chunks_embedded and emb.query_calls == 0
    assert probe.agree()
    assert [s.id for s in assistant.sources() if s.parent is None] == ALL
    assistant.close()


def test_second_sync_embeds_nothing(
    opened: Assistant, emb: KeywordEmbeddings, probe: Probe
) -> None:
    before = probe.store.count()
    report = opened.reindex()
    assert report.unchanged == ALL
    assert (report.added, report.updated, report.removed, report.failed) == ([], [], [], [])
    assert report.chunks_embedded == 0
    assert emb.calls == 0 and emb.texts_embedded == 0
    assert probe.store.count() == before


def test_changed_file_is_reembedded_alone(
    opened: Assistant, folder: Path, emb: KeywordEmbeddings, probe: Probe
) -> None:
    (folder / NOTES).write_text(
        "# Lighthouse keepers\n\n## Seabirds\n\n"
        "An albatross nested on the lamp room of the northern lighthouse this spring. "
        "The keepers moved the nest with care.\n"
    )
    report = opened.reindex()
    assert report.updated == [NOTES]
    assert report.unchanged == [ACTS, COMMENTARY]
    assert report.added == report.removed == []
    assert report.chunks_embedded == probe.sentences(NOTES) == emb.texts_embedded == 2
    assert emb.document_calls == 1
    assert probe.agree()
    text = opened.source_text(NOTES)
    assert text is not None and "albatross" in text and "foghorn" not in text
    passages = opened.retrieve("albatross nest lamp room", k=3)
    assert passages[0].source == NOTES and "albatross" in passages[0].text
    assert not any("foghorn" in p.text for p in opened.retrieve("foghorn fund repair", k=10))


def test_changed_sidecar_updates_the_title(
    opened: Assistant, folder: Path, emb: KeywordEmbeddings
) -> None:
    (folder / f"{NOTES}.meta.json").write_text('{"title": "Notes on lighthouses"}')
    report = opened.reindex()
    assert report.updated == [NOTES]
    assert {s.id: s.title for s in opened.sources()}[NOTES] == "Notes on lighthouses"
    assert opened.retrieve("lighthouse keepers foghorn", k=1)[0].title == "Notes on lighthouses"


def test_removed_file_leaves_answers_and_retrieval(
    opened: Assistant, folder: Path, emb: KeywordEmbeddings, probe: Probe
) -> None:
    (folder / NOTES).unlink()
    report = opened.reindex()
    assert report.removed == [NOTES]
    assert report.unchanged == [ACTS, COMMENTARY]
    assert report.chunks_embedded == 0 and emb.document_calls == 0
    assert NOTES not in {s.id for s in opened.sources()}
    assert opened.source_text(NOTES) is None
    assert probe.sentences(NOTES) == 0 and probe.agree()
    question = "Was the fund for the lighthouse keepers to repair foghorns approved?"
    assert all(p.source != NOTES for p in opened.retrieve(question, k=10))
    answer = opened.ask(question)
    assert all(c.source != NOTES for c in answer.citations)
    assert all(p.source != NOTES for p in answer.passages)


def test_failing_file_is_reported_and_the_rest_indexes(
    folder: Path, index: Path, emb: KeywordEmbeddings
) -> None:
    (folder / "broken.pdf").write_bytes(os.urandom(2048))
    (folder / "empty.txt").write_bytes(b"")
    assistant = Assistant.open(sources=folder, index=index, embeddings=emb, sync=False)
    report = assistant.reindex()
    assert report.added == ALL
    failed = dict(report.failed)
    assert sorted(failed) == ["broken.pdf", "empty.txt"]
    assert ".pdf" in failed["broken.pdf"]
    assert "empty" in failed["empty.txt"]
    assert not failed["empty.txt"].startswith("empty.txt:")  # the id is not repeated
    assert {s.id for s in assistant.sources()} >= set(ALL)
    # Still broken and unchanged: reported once already, so not again; nothing is embedded.
    emb.reset()
    again = assistant.reindex()
    assert again.failed == []
    assert again.unchanged == ALL and emb.calls == 0
    # Fixed: indexed (the other refused file stays quiet until it changes).
    (folder / "empty.txt").write_text("Now the file has a sentence about harbour pilots.\n")
    fixed = assistant.reindex()
    assert fixed.added == ["empty.txt"]
    assert fixed.failed == []
    assistant.close()


def test_a_source_that_breaks_keeps_its_last_good_version(
    opened: Assistant, folder: Path, probe: Probe
) -> None:
    before = opened.source_text(NOTES)
    (folder / NOTES).write_bytes(b"\x00\x01\x02" * 100)
    report = opened.reindex()
    assert [f for f, _ in report.failed] == [NOTES]
    assert NOTES not in report.updated + report.removed
    assert opened.source_text(NOTES) == before
    assert probe.sentences(NOTES) > 0 and probe.agree()


def test_restart_embeds_nothing(opened: Assistant, folder: Path, index: Path) -> None:
    rows = opened.sources()
    opened.close()
    fresh = KeywordEmbeddings()
    again = Assistant.open(sources=folder, index=index, embeddings=fresh)
    assert fresh.document_calls == 0 and fresh.texts_embedded == 0
    assert again.sources() == rows
    assert again.retrieve("lighthouse keepers foghorn", k=1)[0].source == NOTES
    again.close()


# -- model and chunking recorded in the index ----------------------------------------------


def test_other_model_asks_for_a_rebuild(
    opened: Assistant, folder: Path, index: Path, probe: Probe
) -> None:
    count = probe.store.count()
    opened.close()
    with pytest.raises(IndexMismatchError) as caught:
        Assistant.open(sources=folder, index=index, embeddings=OtherKeywordEmbeddings())
    message = str(caught.value)
    assert "assistant index --rebuild" in message
    assert "KeywordEmbeddings" in message and "OtherKeywordEmbeddings" in message
    assert isinstance(caught.value, AssistantError)
    # Nothing was lost or changed.
    assert probe.catalog.get_meta()["embedding_model"] == "custom:KeywordEmbeddings"
    assert probe.store.count() == count


def test_other_chunking_asks_for_a_rebuild(index: Path, opened: Assistant) -> None:
    catalog = Catalog(index)
    check_compatible(catalog, "custom:KeywordEmbeddings")
    catalog.set_meta({"chunking": "para-v0"})
    with pytest.raises(IndexMismatchError, match="assistant index --rebuild"):
        check_compatible(catalog, "custom:KeywordEmbeddings")
    catalog.set_meta({"chunking": CHUNKING_VERSION})
    catalog.close()


def test_empty_index_takes_any_model(folder: Path, index: Path) -> None:
    Assistant.open(sources=folder, index=index, embeddings=KeywordEmbeddings(), sync=False).close()
    other = Assistant.open(sources=folder, index=index, embeddings=OtherKeywordEmbeddings())
    assert Catalog(index).get_meta()["embedding_model"] == "custom:OtherKeywordEmbeddings"
    other.close()


def test_rebuild(opened: Assistant, emb: KeywordEmbeddings, index: Path) -> None:
    count = Probe(index).store.count()
    report = opened.reindex(rebuild=True)
    assert report.added == ALL and report.unchanged == [] and report.removed == []
    assert report.chunks_embedded == count == emb.texts_embedded
    after = Probe(index)
    assert after.store.count() == count and after.agree()
    assert opened.retrieve("lighthouse keepers foghorn", k=1)[0].source == NOTES


def test_reader_survives_a_rebuild_by_another_writer(
    opened: Assistant, folder: Path, index: Path
) -> None:
    # The web chat reads while `assistant index --rebuild` runs in another process; after the
    # rebuild the reader must still answer, not fail with a Chroma "collection does not exist".
    reader = Assistant.open(sources=folder, index=index, embeddings=KeywordEmbeddings(), sync=False)
    assert reader.retrieve("lighthouse keepers foghorn", k=1)[0].source == NOTES
    opened.reindex(rebuild=True)
    assert reader.retrieve("lighthouse keepers foghorn", k=1)[0].source == NOTES
    assert reader.ask("Was the fund for the lighthouse keepers approved?").passages
    reader.close()


@pytest.mark.parametrize("damage", ["other model", "garbage catalog"])
def test_rebuild_recovers_a_mismatched_or_damaged_index(
    opened: Assistant,
    folder: Path,
    index: Path,
    damage: str,
) -> None:
    # The errors say "run `assistant index --rebuild`", and the CLI may only use Assistant:
    # Assistant.open must offer a rebuild that works when a plain open would refuse.
    opened.close()
    emb: KeywordEmbeddings = KeywordEmbeddings()
    if damage == "other model":
        emb = OtherKeywordEmbeddings()
    else:
        (index / catalog_module.FILENAME).write_bytes(b"garbage " * 512)
    rebuilt = Assistant.open(
        sources=folder,
        index=index,
        embeddings=emb,  # type: ignore[call-arg]
        rebuild=True,
    )
    assert [s.id for s in rebuilt.sources() if s.parent is None] == ALL
    assert rebuilt.retrieve("lighthouse keepers foghorn", k=1)[0].source == NOTES
    rebuilt.close()


# -- writer lock ----------------------------------------------------------------------------


def test_second_writer_is_busy(index: Path) -> None:
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer_lock(index):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(IndexBusyError) as caught, writer_lock(index, wait=0.1):
            pass
        assert str(index) in str(caught.value)
    finally:
        release.set()
        holder.join(10)
    with writer_lock(index, wait=0.1):  # free again
        pass


# -- damage and repair ----------------------------------------------------------------------


def test_damaged_catalog(opened: Assistant, folder: Path, index: Path) -> None:
    opened.close()
    (index / catalog_module.FILENAME).write_bytes(b"this is not a database " * 200)
    with pytest.raises(IndexDamagedError) as caught:
        Assistant.open(sources=folder, index=index, embeddings=KeywordEmbeddings())
    assert "assistant index --rebuild" in str(caught.value)
    assert catalog_module.FILENAME in str(caught.value)


def test_repair_reembeds_a_source_whose_vectors_vanished(
    opened: Assistant,
    emb: KeywordEmbeddings,
    probe: Probe,
) -> None:
    lost = sorted(probe.catalog.sentence_ids(NOTES))[:2]
    probe.store.delete(lost)
    assert not probe.agree()
    report = opened.reindex()
    assert report.updated == [NOTES]
    # The source is written again, but only the vanished vectors are embedded: the others
    # are found by their texts' hashes.
    assert report.chunks_embedded == len(lost) == emb.texts_embedded
    assert probe.store.count() == probe.catalog.sentence_count()
    assert probe.agree()


def test_repair_drops_orphan_vectors(
    opened: Assistant, emb: KeywordEmbeddings, probe: Probe
) -> None:
    probe.store.add(
        ["orphan:0:0", "orphan:0:1"],
        ["left over", "by a crash"],
        [{"source": "gone.txt", "kind": "commentary", "chunk_id": "orphan:0"}] * 2,
    )
    report = opened.reindex()
    assert report.unchanged == ALL and report.chunks_embedded == 0
    assert probe.agree()


# -- catalog --------------------------------------------------------------------------------


def test_terms_drop_stopwords() -> None:
    assert terms("Who can take part in the CWG-Internet?") == ["take", "part", "cwg-internet"]
    assert terms("What is the weather in Busan today?") == ["weather", "busan", "today"]


def test_terms_drop_possessives() -> None:
    assert terms("India’s proposal and the ITU's mandate") == [
        "india",
        "proposal",
        "itu",
        "mandate",
    ]


def test_keyword_search_and_filters(opened: Assistant, probe: Probe) -> None:
    cat = probe.catalog
    hits = cat.keyword_search(["balloon", "beacons"], 5)
    assert hits and all(score > 0 for _, score in hits)
    chunks = cat.chunks([cid for cid, _ in hits])
    assert {c.source for c in chunks.values()} == {ACTS}
    assert cat.keyword_search(["balloon"], 5, kinds=["commentary"]) == []
    assert cat.keyword_search(["foghorns"], 5, sources=[NOTES])
    assert cat.keyword_search(['"', ""], 5) == []
    # Stemming: "foghorn" matches "foghorns".
    assert cat.document_frequency("foghorn") == cat.document_frequency("foghorns") > 0


def test_catalog_rows_and_acts(opened: Assistant, probe: Probe) -> None:
    rows = {r.id: r for r in probe.catalog.sources()}
    assert rows[ACTS].structure == "final-acts" and rows[ACTS].kind == "final-acts"
    assert rows[COMMENTARY].kind == "commentary" and rows[COMMENTARY].meta["author"]
    assert rows[NOTES].chunks == len(probe.catalog.chunk_ids(sources=[NOTES]))
    acts = probe.catalog.acts(ACTS)
    assert [(label, kind) for label, kind, _ in acts] == [
        ("Resolution 999 (Busan, 2014)", "resolution"),
        ("Decision 77 (Rev. Busan, 2014)", "decision"),
    ]
    cid = probe.catalog.chunk_ids(sources=[NOTES])[0]
    chunk = probe.catalog.chunks([cid])[cid]
    text = probe.catalog.text(NOTES)
    assert text is not None and text[chunk.start : chunk.end] == chunk.text
    assert all(text[s.start : s.end] == s.text for s in chunk.sentences)


def test_catalog_survives_a_failed_transaction(opened: Assistant, probe: Probe) -> None:
    from assistant.schema import Chunk

    before = probe.catalog.sources()
    row = next(r for r in before if r.id == NOTES)
    clash = probe.catalog.chunk_ids(sources=[COMMENTARY])[0]  # an id that already exists
    bad = Chunk(clash, NOTES, "x", 0, 1, "x ¶1", "commentary", "x", "", ())
    with pytest.raises(Exception):  # noqa: B017 - any sqlite error; the point is the rollback
        probe.catalog.put_source(row, "x", [bad])
    assert probe.catalog.sources() == before

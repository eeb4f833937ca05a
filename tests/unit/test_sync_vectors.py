"""Vectors keyed by content hash: a sync embeds each distinct text once, and only new ones.

The documents are invented for these tests. Fake embeddings count the texts they embed.
"""

from __future__ import annotations

from pathlib import Path

from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore

SHARED = (
    "The harbour board met on a Tuesday in March. It approved a second pier for ferries. "
    "Fishing boats keep the old quay. The mayor thanked the divers who surveyed the seabed."
)


def write(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"# Harbour notes\n\n## Piers\n\n{body}\n", encoding="utf-8")


def open_(folder: Path, index: Path, emb: KeywordEmbeddings) -> Assistant:
    return Assistant.open(sources=folder, index=index, embeddings=emb)


def stored(index: Path, emb: KeywordEmbeddings) -> dict[str, list[float]]:
    """Every stored vector, by the text it was made from."""
    catalog = Catalog(index)
    store = VectorStore(emb, folder=index / "chroma")
    ids = sorted(catalog.sentence_ids())
    got = store._collection.get(ids=ids, include=["embeddings", "documents"])
    return {
        d: [float(x) for x in v] for d, v in zip(got["documents"], got["embeddings"], strict=True)
    }


def test_an_edited_file_re_embeds_only_its_changed_sentence(tmp_path: Path) -> None:
    folder, emb = tmp_path / "sources", KeywordEmbeddings()
    write(folder, "harbour.md", SHARED)
    assistant = open_(folder, tmp_path / "index", emb)
    first = assistant.last_report
    assert first is not None and first.chunks_embedded == emb.texts_embedded == 4
    emb.reset()
    write(folder, "harbour.md", SHARED.replace("on a Tuesday", "on a Thursday"))
    report = assistant.reindex()
    assert report.updated == ["harbour.md"]
    assert report.chunks_embedded == emb.texts_embedded == 1
    passages = assistant.retrieve("Thursday harbour board", k=1)
    assert "Thursday" in passages[0].text
    assistant.close()


def test_a_sentence_shared_by_files_is_embedded_once(tmp_path: Path) -> None:
    folder, emb = tmp_path / "sources", KeywordEmbeddings()
    write(folder, "a.md", SHARED)
    write(folder, "b.md", SHARED.replace("Fishing boats keep the old quay.", "A tug was sold."))
    index = tmp_path / "index"
    assistant = open_(folder, index, emb)
    # 4 sentences in a.md, 3 of them again in b.md with one other: 5 distinct texts.
    assert emb.texts_embedded == 5 and assistant.last_report is not None
    assert assistant.last_report.chunks_embedded == 5
    sentences = Catalog(index).sentence_count()
    assert sentences == VectorStore(emb, folder=index / "chroma").count() > 5
    emb.reset()
    write(folder, "c.md", SHARED + " The pier opens in May.")  # a new file, one new sentence
    report = assistant.reindex()
    assert report.added == ["c.md"] and report.chunks_embedded == emb.texts_embedded == 1
    assistant.close()
    vectors = stored(index, emb)
    fresh = KeywordEmbeddings()
    for text, vector in vectors.items():  # every reused vector is the vector of its own text
        want = fresh.embed_query(text)
        assert max(abs(a - b) for a, b in zip(vector, want, strict=True)) < 1e-6  # float32


def test_a_sentence_repeated_in_one_file_is_embedded_once(tmp_path: Path) -> None:
    folder, emb = tmp_path / "sources", KeywordEmbeddings()
    write(folder, "twice.md", f"{SHARED} {SHARED}")
    assistant = open_(folder, tmp_path / "index", emb)
    assert emb.texts_embedded == 4
    assert Catalog(tmp_path / "index").sentence_count() > 4
    assistant.close()

"""Vectors keyed by content hash: a sync embeds each distinct text once, and only new ones.

The documents are invented for these tests. Fake embeddings count the texts they embed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.config import Settings
from assistant.errors import ConfigError
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


def embedded_texts(catalog: Catalog) -> dict[str, str]:
    """The text each sentence id was embedded from (context prefix and sentence, as ingest)."""
    ids = {s.rsplit(":", 1)[0] for s in catalog.sentence_ids()}
    return {
        s.id: f"{c.context}: {s.text}"
        for c in catalog.chunks(sorted(ids)).values()
        for s in c.sentences
    }


def stored(index: Path, emb: KeywordEmbeddings) -> dict[str, list[float]]:
    """Every stored vector, by the text it was made from."""
    texts = embedded_texts(Catalog(index))
    store = VectorStore(emb, folder=index / "chroma")
    got = store._collection.get(ids=sorted(texts), include=["embeddings"])
    return {
        texts[i]: [float(x) for x in v] for i, v in zip(got["ids"], got["embeddings"], strict=True)
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


def distinct_files(folder: Path, count: int) -> None:
    """`count` files of four sentences each, no sentence shared between files."""
    for n in range(count):
        write(
            folder,
            f"harbour-{n}.md",
            f"The harbour board built pier {n} in the spring of {1900 + n}. "
            f"Its crane number {n} lifts {n + 2} tonnes of cargo an hour. "
            f"The ferry from island {n} calls there twice a day in summer. "
            f"A diver checked pile {n * 7} of the pier after the storm.",
        )


def build(tmp_path: Path, name: str, group: int) -> tuple[KeywordEmbeddings, dict[str, Any]]:
    """Index five files with `embed_group_texts=group`; the fake and the stored rows by id."""
    folder, index, emb = tmp_path / "sources", tmp_path / name, KeywordEmbeddings()
    if not folder.exists():
        distinct_files(folder, 5)
    settings = Settings(embed_group_texts=group)
    Assistant.open(sources=folder, index=index, embeddings=emb, settings=settings).close()
    texts = embedded_texts(Catalog(index))
    store = VectorStore(emb, folder=index / "chroma")
    got = store._collection.get(include=["embeddings", "metadatas"])
    rows = {
        i: (texts[i], [float(x) for x in v], m)
        for i, v, m in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True)
    }
    return emb, rows


@pytest.mark.parametrize(("group", "calls"), [(1, 5), (4, 5), (8, 3), (12, 2), (10**6, 1)])
def test_files_are_embedded_together_up_to_the_group_size(
    tmp_path: Path, group: int, calls: int
) -> None:
    # 5 files of 4 sentences: a group takes whole files while they fit, and at least one.
    emb, rows = build(tmp_path, "index", group)
    assert emb.document_calls == calls and emb.texts_embedded == len(rows) == 20


def test_vectors_embedded_in_one_call_are_those_embedded_file_by_file(tmp_path: Path) -> None:
    _, one_by_one = build(tmp_path, "by-file", 1)
    emb, together = build(tmp_path, "together", 10**6)
    assert emb.document_calls == 1
    assert together.keys() == one_by_one.keys()
    for sentence, (text, vector_, meta) in together.items():
        assert (text, meta) == one_by_one[sentence][::2]
        want = emb.embed_query(text)  # each sentence holds the vector of its own text
        assert max(abs(a - b) for a, b in zip(vector_, want, strict=True)) < 1e-6
        assert max(abs(a - b) for a, b in zip(vector_, one_by_one[sentence][1], strict=True)) == 0


def test_the_group_setting_defaults_to_4096_and_refuses_less_than_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().embed_group_texts == 4096
    monkeypatch.setenv("ASSISTANT_EMBED_GROUP_TEXTS", "64")
    assert Settings().embed_group_texts == 64
    monkeypatch.setenv("ASSISTANT_EMBED_GROUP_TEXTS", "0")
    with pytest.raises(ConfigError, match="ASSISTANT_EMBED_GROUP_TEXTS"):
        Settings()

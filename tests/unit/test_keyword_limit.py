"""A large index's keyword query leaves out common words and keeps the rarest (KeywordLimit);
an index at or below Settings.keyword_limit_from_chunks is searched exactly as before."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from fakes import KeywordEmbeddings
from pydantic import ValidationError

from assistant import Assistant, wiring
from assistant.answering.keywords import KeywordLimit
from assistant.answering.retrieve import HybridRetriever
from assistant.config import Settings
from assistant.index.catalog import Catalog, SourceRow
from assistant.index.text import terms
from assistant.schema import Chunk, Sentence

EVAL = Path(__file__).resolve().parents[1] / "data" / "eval"

# -- choosing the words ---------------------------------------------------------------------

FREQUENCY = {"itu": 900, "conference": 501, "cybersecurity": 12, "spectrum": 40, "wsis": 7}
WORDS = ["itu", "cybersecurity", "conference", "itu", "spectrum", "zzyzx", "wsis"]


def test_at_or_below_the_threshold_every_word_is_searched_as_asked() -> None:
    limit = KeywordLimit(from_chunks=1000, common_fraction=0.01, max_terms=1)
    # Repeats and words in no chunk too: the very list the search always had.
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == WORDS
    assert limit.words(WORDS, FREQUENCY, chunks=10) == WORDS


def test_above_it_common_words_are_dropped_and_rare_ones_kept() -> None:
    limit = KeywordLimit(from_chunks=999, common_fraction=0.05, max_terms=10)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == ["cybersecurity", "spectrum", "wsis"]


def test_a_word_in_exactly_the_fraction_is_kept() -> None:
    limit = KeywordLimit(from_chunks=999, common_fraction=0.04, max_terms=10)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == ["cybersecurity", "spectrum", "wsis"]
    limit = KeywordLimit(from_chunks=999, common_fraction=0.039, max_terms=10)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == ["cybersecurity", "wsis"]


def test_at_most_max_terms_of_the_rarest_are_kept_in_the_questions_order() -> None:
    limit = KeywordLimit(from_chunks=999, common_fraction=1.0, max_terms=2)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == ["cybersecurity", "wsis"]


def test_the_rarest_words_are_kept_while_their_chunks_fit_max_postings() -> None:
    # wsis 7, cybersecurity 12, spectrum 40: 7 + 12 = 19 fit in 20, + 40 do not.
    limit = KeywordLimit(from_chunks=999, common_fraction=1.0, max_terms=10, max_postings=20)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == ["cybersecurity", "wsis"]
    limit = KeywordLimit(from_chunks=999, common_fraction=1.0, max_terms=10, max_postings=59)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == ["cybersecurity", "spectrum", "wsis"]
    # Not even the rarest when its chunks alone are more than the bound.
    limit = KeywordLimit(from_chunks=999, common_fraction=1.0, max_terms=10, max_postings=6)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == []


def test_when_every_word_is_common_none_is_searched() -> None:
    limit = KeywordLimit(from_chunks=999, common_fraction=0.005, max_terms=5)
    assert limit.words(WORDS, FREQUENCY, chunks=1000) == []
    assert limit.words(["zzyzx"], FREQUENCY, chunks=1000) == []


# -- the retriever over a real catalog ------------------------------------------------------


def _chunk_texts() -> list[str]:
    """Twelve chunks: "conference" in all, "member" in 8, "spectrum" in 3, "surveillance"
    in 2, "cybersecurity" in 1."""
    texts = []
    for i in range(12):
        words = ["The conference met again."]
        if i < 8:
            words.append("Each member state spoke.")
        if i in (3, 6, 9):
            words.append("Spectrum was shared.")
        if i in (4, 5):
            words.append("Surveillance was named.")
        if i == 7:
            words.append("Cybersecurity was debated.")
        texts.append(" ".join(words))
    return texts


def _catalog(folder: Path) -> Catalog:
    catalog = Catalog(folder)
    texts = _chunk_texts()
    chunks, at = [], 0
    for i, text in enumerate(texts):
        sentence = Sentence(f"s{i}", text, at, at + len(text))
        chunks.append(
            Chunk(
                f"c{i}",
                "notes.txt",
                text,
                at,
                at + len(text),
                f"¶{i}",
                "commentary",
                "Notes",
                "",
                (sentence,),
            )
        )
        at += len(text) + 2
    row = SourceRow("notes.txt", "digest", "Notes", "commentary", "plain", {}, len(chunks))
    catalog.put_source(row, "\n\n".join(texts), chunks)
    return catalog


class RecordingCatalog:
    """A real catalog that records the words each keyword search and frequency lookup got."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.searched: list[list[str]] = []
        self.looked_up: list[str] = []

    def keyword_search(
        self,
        words: Iterable[str],
        k: int,
        kinds: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        self.searched.append(list(words))
        return self.catalog.keyword_search(self.searched[-1], k, kinds, sources)

    def document_frequency(self, word: str) -> int:
        self.looked_up.append(word)
        return self.catalog.document_frequency(word)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.catalog, name)


class NoVectors:
    """A vector store that finds nothing, so the keyword search alone ranks."""

    def search(self, *args: object) -> list[tuple[str, str, float]]:
        return []

    def vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        return {}


QUESTION = "Did a member of the conference raise cybersecurity, surveillance or spectrum?"


def _retrieve(
    catalog: Catalog, limit: KeywordLimit | None, question: str = QUESTION
) -> tuple[list[str], list[tuple[str, float]]]:
    """(the words the keyword search got, the passages retrieved as (chunk id, score))."""
    recording = RecordingCatalog(catalog)
    retriever = HybridRetriever(
        catalog=cast(Any, recording),
        store=NoVectors(),
        embeddings=KeywordEmbeddings(),
        keyword_limit=limit,
    )
    found = retriever.retrieve(question, k=12)
    # Each word's frequency is looked up once: for the keyword query and the term weights.
    assert sorted(recording.looked_up) == sorted(set(terms(question)))
    assert len(recording.searched) == 1
    return recording.searched[0], [(p.chunk_id, p.score) for p in found.passages]


def test_a_catalog_at_the_threshold_is_searched_exactly_as_before(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    before = _retrieve(catalog, None)
    assert before[0] == terms(QUESTION)
    assert len(before[1]) == 12  # "conference" matches every chunk
    at = KeywordLimit(from_chunks=12, common_fraction=0.01, max_terms=1)
    assert _retrieve(catalog, at) == before


def test_a_catalog_above_it_searches_its_rarest_words(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    above = KeywordLimit(from_chunks=11, common_fraction=0.5, max_terms=2)
    words, found = _retrieve(catalog, above)
    assert words == ["cybersecurity", "surveillance"]  # not conference, member or spectrum
    assert [c for c, _ in found] == ["c7", "c4", "c5"]  # the rarest word's one chunk first
    words, found = _retrieve(catalog, KeywordLimit(11, common_fraction=0.5, max_terms=3))
    assert words == ["cybersecurity", "surveillance", "spectrum"]
    assert {c for c, _ in found} == {"c3", "c4", "c5", "c6", "c7", "c9"}


# -- the shipped corpus and the settings ------------------------------------------------------


def _questions(limit: int) -> list[str]:
    found: list[str] = []
    for path in sorted(EVAL.glob("*.jsonl")):
        found += [json.loads(line)["question"] for line in path.read_text().splitlines() if line]
    return found[:limit]


def _limit(settings: Settings) -> KeywordLimit:
    return KeywordLimit(
        settings.keyword_limit_from_chunks,
        settings.keyword_common_fraction,
        settings.keyword_max_terms,
        settings.keyword_max_postings,
    )


def test_the_shipped_corpus_is_keyword_searched_as_before(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    """The default settings leave the 38 shipped chunks' keyword search as it was; the
    vector store finds nothing here, since it orders equally near sentences differently from
    one opening to the next."""
    catalog = Catalog(tmp_path / "index")
    assert 0 < catalog.chunk_count() < Settings().keyword_limit_from_chunks
    questions = _questions(120)
    default = _limit(Settings())
    for question in questions:
        assert _retrieve(catalog, default, question) == _retrieve(catalog, None, question)
    # The same settings with the limit on from 0 chunks do change what is found.
    always = _limit(Settings(keyword_limit_from_chunks=0))
    changed = [q for q in questions if _retrieve(catalog, always, q) != _retrieve(catalog, None, q)]
    assert changed


def test_the_assistant_builds_its_retriever_with_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        index=tmp_path / "index",
        keyword_limit_from_chunks=7,
        keyword_common_fraction=0.3,
        keyword_max_terms=2,
        keyword_max_postings=900,
    )
    parts = wiring.build_parts(settings, embeddings=KeywordEmbeddings())
    retriever = parts.retriever(cast(Any, None))
    assert isinstance(retriever, HybridRetriever)
    assert retriever.keyword_limit == KeywordLimit(7, 0.3, 2, 900)
    parts.catalog.close()


def test_the_settings_and_their_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.keyword_limit_from_chunks == 50_000
    assert 0 < settings.keyword_common_fraction <= 1 and settings.keyword_max_terms >= 1
    monkeypatch.setenv("ASSISTANT_KEYWORD_LIMIT_FROM_CHUNKS", "100")
    monkeypatch.setenv("ASSISTANT_KEYWORD_COMMON_FRACTION", "0.2")
    monkeypatch.setenv("ASSISTANT_KEYWORD_MAX_TERMS", "3")
    monkeypatch.setenv("ASSISTANT_KEYWORD_MAX_POSTINGS", "500")
    settings = Settings()
    assert (settings.keyword_limit_from_chunks, settings.keyword_common_fraction) == (100, 0.2)
    assert (settings.keyword_max_terms, settings.keyword_max_postings) == (3, 500)
    for name, value in [
        ("COMMON_FRACTION", "0"),
        ("COMMON_FRACTION", "1.5"),
        ("MAX_TERMS", "0"),
        ("LIMIT_FROM_CHUNKS", "-1"),
        ("MAX_POSTINGS", "0"),
    ]:
        monkeypatch.setenv(f"ASSISTANT_KEYWORD_{name}", value)
        with pytest.raises(ValidationError):
            Settings()
        monkeypatch.delenv(f"ASSISTANT_KEYWORD_{name}")


def test_the_unfiltered_search_ranks_as_the_filtered_one(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    """Without a filter the catalog finds the best rows before reading their ids; with one it
    joins the chunks first. With every kind as the filter both must give the same list."""
    catalog = Catalog(tmp_path / "index")
    kinds = sorted(catalog.kinds())
    asked = [terms(q) for q in _questions(10**6)]
    texts = [c.text for c in catalog.chunks(catalog.chunk_ids()[:20]).values()]
    for words in [*asked, *(terms(t) for t in texts), ["itu"], ["zzyzx"]]:
        for k in (1, 8, 30):
            found = catalog.keyword_search(words, k)
            assert found == catalog.keyword_search(words, k, kinds=kinds)
    assert catalog.keyword_search(["itu"], 30)  # the check saw matches

"""Chunks and sentences: exact offsets, abbreviations, long paragraphs, stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import sources, structure
from assistant.ingest.chunking import (
    MAX_CHUNK_CHARS,
    MIN_SENTENCE_CHARS,
    Chunk,
    chunk_source,
    split_sentences,
)
from assistant.schema import Segment

REPO = Path(__file__).resolve().parents[2]
DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
COMMENTARY = "itu-plenipot-2014-impressions.txt"


def chunks_of(folder: Path, source_id: str) -> tuple[str, list[Chunk]]:
    (found,) = [f for f in sources.scan(folder) if f.id == source_id]
    loaded = sources.load(found)
    text, shape = structure.prepare(loaded.text)
    return text, chunk_source(source_id, structure.segments(text, shape, kind=loaded.kind))


@pytest.fixture(scope="module")
def commentary() -> tuple[str, list[Chunk]]:
    return chunks_of(REPO / "sources", COMMENTARY)


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


# -- offsets --------------------------------------------------------------------------------


def assert_exact(text: str, chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.sentences, chunk.id
        for sentence in chunk.sentences:
            assert sentence.text == text[sentence.start : sentence.end]
            assert chunk.start <= sentence.start < sentence.end <= chunk.end
            assert sentence.text == sentence.text.strip()
        # Sentences tile the chunk: nothing but whitespace between or around them.
        assert chunk.sentences[0].start == chunk.start
        assert chunk.sentences[-1].end == chunk.end
        for a, b in zip(chunk.sentences, chunk.sentences[1:], strict=False):
            assert a.end <= b.start and not text[a.end : b.start].strip()


def test_shipped_commentary_offsets(commentary: tuple[str, list[Chunk]]) -> None:
    text, chunks = commentary
    assert len(chunks) > 30
    assert_exact(text, chunks)
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)


def test_final_acts_sample_offsets() -> None:
    text, chunks = chunks_of(DOCS, "final-acts-sample.txt")
    assert_exact(text, chunks)
    resolves = [c for c in chunks if c.locator.endswith("› resolves 1")]
    assert len(resolves) == 1 and resolves[0].part == "operative"
    # A clause embeds with its locator as context, a commentary sentence with its section.
    assert resolves[0].context == resolves[0].locator


def test_commentary_context_is_the_section(commentary: tuple[str, list[Chunk]]) -> None:
    _, chunks = commentary
    chunk = next(c for c in chunks if c.locator == "Cybersecurity and surveillance ¶2")
    assert chunk.context == "Cybersecurity and surveillance (Resolution 130 (Rev Busan, 2014))"


def test_chunk_ids_are_stable_and_unique(commentary: tuple[str, list[Chunk]]) -> None:
    text, chunks = commentary
    _, again = chunks_of(REPO / "sources", COMMENTARY)
    assert [c.id for c in chunks] == [c.id for c in again]
    ids = [c.id for c in chunks] + [s.id for c in chunks for s in c.sentences]
    assert len(ids) == len(set(ids))
    other = chunk_source(
        "other.txt", [Segment("Some text here.", 0, 15, "x ¶1", "commentary", "x")]
    )
    assert other[0].id.split(":")[0] != chunks[0].id.split(":")[0]


# -- sentences ------------------------------------------------------------------------------


def test_us_stays_in_one_sentence(commentary: tuple[str, list[Chunk]]) -> None:
    _, chunks = commentary
    (sentence,) = [s for c in chunks for s in c.sentences if "U.S." in s.text]
    assert sentence.text.startswith("I came to this meeting as a member of the U.S. delegation")
    assert sentence.text.endswith("via national delegations).")


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. Department of State sent a large team to Busan. It stayed for three weeks.",
        "Delegates met Dr. Touré on Monday morning. Then they left the room quietly.",
        "See Res. 102 for the details of the text. The Council acts on it every single year.",
        "The vote was 5 vs. 4 in the end, they said. Nobody expected so close a result.",
        "The J. Smith report was filed quite late. It was read by all delegations present.",
        "Many bodies, e.g. ICANN and ISOC, were named. The list was long and much debated.",
    ],
)
def test_abbreviations_do_not_end_sentences(text: str) -> None:
    first, second = sentences_of(text)
    assert first + " " + second == text


def test_sentence_ends() -> None:
    text = (
        "Was the conference a success? Most observers thought so! "
        "“It ended in harmony,” one wrote. (The Internet was unscathed.) "
        "Budgets remain a worry for 2015."
    )
    assert sentences_of(text) == [
        "Was the conference a success?",
        "Most observers thought so!",
        "“It ended in harmony,” one wrote.",
        "(The Internet was unscathed.)",
        "Budgets remain a worry for 2015.",
    ]


def test_short_pieces_join_a_neighbour() -> None:
    spans = sentences_of("No. This sentence is long enough to stand alone. Yes. Fine.")
    assert all(len(s) >= MIN_SENTENCE_CHARS for s in spans)
    assert " ".join(spans) == "No. This sentence is long enough to stand alone. Yes. Fine."


def test_split_sentences_offset_and_edge_cases() -> None:
    assert split_sentences("One sentence without an end", 100) == [(100, 127)]
    assert split_sentences("", 5) == [(5, 5)]
    text = "  A first sentence that is long enough.   A second one that is long enough.  "
    for s, e in split_sentences(text, 10):
        assert text[s - 10 : e - 10] == text[s - 10 : e - 10].strip()


# -- long paragraphs ------------------------------------------------------------------------


def long_segment(sentences: int, offset: int = 7) -> tuple[str, Segment]:
    body = " ".join(
        f"Sentence number {i} talks about spectrum, satellites and the budget of the Union."
        for i in range(sentences)
    )
    text = "x" * offset + body + "\n"
    return text, Segment(body, offset, offset + len(body), "Long ¶1", "commentary", "Long")


@pytest.mark.parametrize("count", [15, 16, 40, 200])
def test_long_paragraph_splits_under_the_limit(count: int) -> None:
    text, segment = long_segment(count)
    assert len(segment.text) > MAX_CHUNK_CHARS
    chunks = chunk_source("long.txt", [segment])
    assert len(chunks) >= 2
    assert_exact(text, chunks)
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert all(c.locator == "Long ¶1" for c in chunks)
    # Pieces split between sentences, in order, and together cover the paragraph.
    assert chunks[0].start == segment.start and chunks[-1].end == segment.end
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert not text[a.end : b.start].strip()
    words = " ".join(c.text for c in chunks).split()
    assert words == segment.text.split()


def test_short_paragraph_is_one_chunk() -> None:
    text, segment = long_segment(3)
    (chunk,) = chunk_source("short.txt", [segment])
    assert (chunk.start, chunk.end, chunk.text) == (segment.start, segment.end, segment.text)
    assert len(chunk.sentences) == 3

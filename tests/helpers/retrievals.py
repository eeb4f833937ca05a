"""Retrievals built by hand, for the answerers without an index (tests/unit/test_llm.py,
tests/unit/test_question.py, tests/integration/test_llm_server.py)."""

from __future__ import annotations

from assistant.answering.retrieve import Retrieval
from assistant.index.text import terms
from assistant.ingest.chunking import split_sentences
from assistant.schema import Chunk, Passage, Sentence

QUESTION = "Who can take part in CWG-Internet?"
COMMENTARY = (
    "impressions.txt",
    "ITU Plenipotentiary 2014: Impressions",
    "commentary",
    "Internet governance ¶4",
    "The Council Working Group on International Internet-Related Public Policy Issues "
    "(CWG-Internet) is still only open to member states. However, delegates "
    "acknowledged the need to hold open consultations, which will engage all "
    "stakeholders.",
)
RESOLUTION = (
    "final-acts.txt",
    "Final acts (written for the tests)",
    "resolution",
    "Resolution 102 (Rev. Busan, 2014) › resolves 2",
    "to maintain the Council Working Group on international Internet-related public "
    "policy issues, limited to Member States, with open consultations of all "
    "stakeholders before each of its meetings.",
)
COUNTERFEIT = (
    "impressions.txt",
    "ITU Plenipotentiary 2014: Impressions",
    "commentary",
    "Counterfeiting of devices ¶1",
    "One of the new resolutions combats counterfeit telecommunication devices. "
    "Several delegations raised concerns about device identifiers and their use.",
)


def make_retrieval(
    query: str, *paragraphs: tuple[str, str, str, str, str], similarity: float = 0.8
) -> Retrieval:
    """A Retrieval built by hand: one chunk per paragraph, offsets in a made-up source text."""
    offsets: dict[str, int] = {}
    passages: list[Passage] = []
    chunks: dict[str, Chunk] = {}
    for i, (source, title, kind, locator, text) in enumerate(paragraphs):
        start = offsets.get(source, 0)
        offsets[source] = start + len(text) + 2
        chunk_id = f"c{i}"
        sentences = tuple(
            Sentence(f"{chunk_id}:{j}", text[s - start : e - start], s, e)
            for j, (s, e) in enumerate(split_sentences(text, start))
        )
        chunks[chunk_id] = Chunk(
            chunk_id,
            source,
            text,
            start,
            start + len(text),
            locator,
            kind,
            locator.split(" ¶")[0],
            "",
            sentences,
        )
        passages.append(
            Passage(
                text,
                source,
                title,
                locator,
                kind,
                0.5 - i / 100,
                start,
                start + len(text),
                chunk_id,
            )
        )
    sims = {s.id: similarity for c in chunks.values() for s in c.sentences}
    return Retrieval(query, passages, chunks, sims, {w: 1.0 for w in terms(query)})


def standard() -> Retrieval:
    return make_retrieval(QUESTION, COMMENTARY, RESOLUTION, COUNTERFEIT)

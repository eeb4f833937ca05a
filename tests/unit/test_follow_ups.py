"""Follow-up turns: the previous answer's quotes found again, searched first, and told apart.

History arrives as role/content messages only; the passages a follow-up is most often answered
in are found again from the previous answer's words (`assistant.answering.cited`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.answering.cited import cited_positions, neighbours
from assistant.answering.history import restates
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import Turn, read_turn
from assistant.evaluation.questions import load_questions
from assistant.schema import Chunk, Sentence
from tests.fakes import KeywordEmbeddings


def chunk(chunk_id: str, *sentences: str) -> Chunk:
    text = " ".join(sentences)
    spans, at = [], 0
    for n, s in enumerate(sentences):
        spans.append(Sentence(f"{chunk_id}:{n}", s, at, at + len(s)))
        at += len(s) + 1
    return Chunk(chunk_id, "a.txt", text, 0, len(text), "A ¶1", "commentary", "A", "", tuple(spans))


PASSAGE = chunk(
    "a:3",
    "India's proposal was not supported by its own regional working group.",
    "Starting in 2015, there will be discussions on how some of the goals might be met.",
    "One does not change Internet architecture by fiat at any meeting.",
)
OTHER = chunk("a:9", "The ITU has a budget shortfall as some countries lowered contributions.")


def test_a_verbatim_quote_with_its_marker_is_found_again() -> None:
    said = "Starting in 2015, there will be discussions on how some of the goals might be met. [1]"
    assert cited_positions([PASSAGE, OTHER], said) == {("a:3", 1)}


def test_a_close_paraphrase_finds_its_nearest_sentence() -> None:
    said = "Its own regional group did not support India's proposal."
    assert cited_positions([PASSAGE, OTHER], said) == {("a:3", 0)}


def test_an_answer_on_another_topic_cites_nothing_here() -> None:
    assert cited_positions([PASSAGE], "Civil society pressed for open consultations.") == set()
    assert cited_positions([PASSAGE], "") == set()


def test_neighbours_are_the_chunks_before_and_after() -> None:
    assert neighbours("doc.txt:4") == ("doc.txt:3", "doc.txt:5")
    assert neighbours("doc.txt:0") == ("doc.txt:1",)
    assert neighbours("no-number") == ()


def conversation(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_a_repeated_question_is_read_as_if_asked_first() -> None:
    history = conversation("Who can take part in CWG-Internet?", "Member states. [1]")
    assert restates(
        "Sorry, who can take part in CWG-Internet?", "Who can take part in CWG-Internet?"
    )
    turn = read_turn("Sorry, who can take part in CWG-Internet?", history)
    assert not turn.is_follow_up and turn.said == ""
    # A question on the same subject that asks something else stays a follow-up.
    assert not restates("Who chairs CWG-Internet?", "Who can take part in CWG-Internet?")
    assert read_turn("Who can join it?", history).said == "Member states. [1]"


@pytest.mark.parametrize(
    "question", ["What did the final text drop?", "How far along is the discussion of the topic?"]
)
def test_a_definite_noun_for_the_topic_leans_on_the_previous_question(question: str) -> None:
    history = conversation("What did the counterfeiting resolution try to prevent?", "...")
    turn = read_turn(question, history)
    assert turn.is_follow_up and "counterfeiting" in turn.query


def test_different_topic_starts_afresh() -> None:
    turn = read_turn("Different topic: what about the budget?", conversation("Why?", "..."))
    assert turn.text == "what about the budget?" and turn.said == "" and not turn.is_follow_up


class Keep:
    """A reranker that keeps the retrieval it was given."""

    def __init__(self) -> None:
        self.seen: Retrieval | None = None

    def rerank(self, turn: Turn, retrieval: Retrieval) -> Retrieval:
        self.seen = retrieval
        return retrieval


def test_the_passages_the_previous_answer_quoted_and_their_neighbours_are_searched(
    sources_dir: Path, tmp_path: Path
) -> None:
    keep = Keep()
    assistant = Assistant.open(
        sources=sources_dir, index=tmp_path / "index", embeddings=KeywordEmbeddings(), reranker=keep
    )
    quote = (
        "Nowhere in the weeks I followed the Plenipot did I hear of a need for bottom-up "
        "governance."
    )
    assistant.ask(
        "Really?", history=conversation("What did the author hear in Busan?", f"{quote} [1]")
    )
    assistant.close()
    assert keep.seen is not None
    quoted = [c for c in keep.seen.chunks.values() if quote in " ".join(c.text.split())]
    assert len(quoted) == 1
    assert set(neighbours(quoted[0].id)) <= set(keep.seen.chunks)
    assert {p.chunk_id for p in keep.seen.passages} >= {quoted[0].id, *neighbours(quoted[0].id)}


EVAL = Path(__file__).parents[1] / "data" / "eval"
SOURCES = Path(__file__).parents[2] / "sources"


def test_the_new_conversations_are_labelled_turns_whose_evidence_is_in_the_sources() -> None:
    text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in SOURCES.glob("*.txt"))
    turns = load_questions(EVAL / "conversations-3.jsonl")
    assert len(turns) >= 20 and all(q.history for q in turns)
    assert any(not q.answerable for q in turns)
    for q in turns:
        assert all(" ".join(e.split()) in text for e in q.evidence), q.id

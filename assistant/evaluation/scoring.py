"""The judgement of one answer against its labelled question: pure functions and the `Outcome`.

An answer is correct when it does not abstain, states every fact and cites an evidence phrase;
a citation is precise when its quote stands verbatim at its offsets and holds evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.evaluation.questions import Question
from assistant.schema import Answer, Passage

_MARKER = re.compile(r"\[\d{1,3}\]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Outcome:
    """How a system did on one question."""

    id: str
    answerable: bool
    abstained: bool
    correct: bool  # answerable: answered, facts stated, evidence cited
    rank: int | None  # 1-based rank of the first retrieved passage holding evidence
    citations: int
    precise: int  # citations verbatim at their offsets and holding evidence
    words: int
    seconds: float
    type: str | None = None  # the question's labels, kept to break quality down by kind
    style: str | None = None
    follow_up: bool = False  # asked after earlier turns of a conversation


def fold(text: str) -> str:
    """Whitespace runs folded to one space, so line breaks never hide a match."""
    return " ".join(text.split())


def has_evidence(text: str, evidence: Sequence[str]) -> bool:
    """True when `text` contains one of the evidence phrases word for word."""
    folded = fold(text)
    return any(fold(phrase) in folded for phrase in evidence)


def states_facts(text: str, facts: Sequence[str]) -> bool:
    """True when `text` states every fact (case and typographic quotes ignored)."""
    folded = fold(text).casefold().translate(_QUOTES)
    return all(fold(f).casefold().translate(_QUOTES) in folded for f in facts)


def evidence_rank(passages: Sequence[Passage], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first passage holding an evidence phrase, None if none does."""
    for rank, passage in enumerate(passages, 1):
        if has_evidence(passage.text, evidence):
            return rank
    return None


def is_correct(answer: Answer, question: Question) -> bool:
    """Answered, every fact stated, and some citation quotes an evidence phrase."""
    return (
        question.answerable
        and not answer.abstained
        and states_facts(answer.text, question.facts)
        and any(has_evidence(c.quote, question.evidence) for c in answer.citations)
    )


def precise_citations(
    answer: Answer, question: Question, source_text: Callable[[str], str | None]
) -> int:
    """Citations whose quote stands verbatim at its offsets and holds an evidence phrase."""
    count = 0
    for citation in answer.citations:
        text = source_text(citation.source)
        if (
            text is not None
            and text[citation.start : citation.end] == citation.quote
            and has_evidence(citation.quote, question.evidence)
        ):
            count += 1
    return count


def word_count(text: str) -> int:
    """Words of an answer, citation markers left out."""
    return sum(1 for w in _MARKER.sub(" ", text).split() if any(c.isalnum() for c in w))


def judge(
    question: Question,
    answer: Answer,
    passages: Sequence[Passage],
    *,
    source_text: Callable[[str], str | None],
    seconds: float,
) -> Outcome:
    """The outcome of one question: the answer judged, the retrieved passages ranked."""
    q = question
    return Outcome(
        id=q.id,
        answerable=q.answerable,
        abstained=answer.abstained,
        correct=is_correct(answer, q),
        rank=evidence_rank(passages, q.evidence) if q.answerable else None,
        citations=len(answer.citations),
        precise=precise_citations(answer, q, source_text) if q.answerable else 0,
        words=word_count(answer.text),
        seconds=seconds,
        type=q.type,
        style=q.style,
        follow_up=bool(q.history),
    )

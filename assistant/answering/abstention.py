"""Declining to answer, shared by every answerer: when to decline, and what to say instead.

An answer is declined when the question names something no source mentions (`missing`), or
when the best candidate's confidence is below the fitted threshold `abstain_below`. When the
sources speak to the topic but lack the detail asked for (a number, a date, a name), the
answer says which detail is missing and quotes the nearest passage as context, not as answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.answering.citations import cite, closest_sources, readable
from assistant.answering.question import Analysis, Constraint
from assistant.answering.ranking import Scored
from assistant.answering.retrieve import Retrieval
from assistant.answering.verification import what_is_missing
from assistant.fitted import fitted_value
from assistant.schema import Answer

ABSTAIN_BELOW = fitted_value("abstain_below")  # fitted by scripts/fit_answerer.py
ABSENT_PENALTY = 0.6  # times the share of the question's weight in words no source contains

NO_ANSWER = "The sources do not answer this question."


def confidence(score: float, retrieval: Retrieval) -> float:
    """A candidate's score, lowered by the weight of question words no source has."""
    return score - ABSENT_PENALTY * absent_share(retrieval)


def absent_share(retrieval: Retrieval) -> float:
    """The share of the question's term weight in words that no source contains."""
    total = sum(retrieval.idf.values()) or 1.0
    return sum(w for t, w in retrieval.idf.items() if t in retrieval.absent) / total


def confident(best: Scored | None, retrieval: Retrieval, threshold: float) -> bool:
    """True when `best` exists and its confidence reaches `threshold`."""
    return best is not None and confidence(best.score, retrieval) >= threshold


def abstain(retrieval: Retrieval, *, missing: Sequence[Constraint] = ()) -> Answer:
    """An answer that says the sources do not answer, naming what is absent and the closest."""
    text = NO_ANSWER
    if missing:
        named = ", ".join(f"“{c.text}”" for c in missing)
        text = f"{NO_ANSWER.rstrip('.')}: no indexed source mentions {named}."
    if retrieval.passages:
        text += f" The closest passages are in: {closest_sources(retrieval.passages)}."
    return Answer(text, [], True, retrieval.passages)


def lacks_detail(nearest: Scored, analysis: Analysis, retrieval: Retrieval) -> Answer:
    """The sources speak to the topic but lack the detail asked for: say so, cite the context."""
    titles = {p.source: p.title for p in retrieval.passages}
    citation = cite(
        1, nearest.chunk, nearest.sentence, titles.get(nearest.chunk.source, nearest.chunk.source)
    )
    if citation is None:
        return abstain(retrieval)
    citation = replace(citation, role="context")
    text = (
        f"The sources do not give {what_is_missing(analysis)} for this. The nearest passage, "
        f"quoted as context and not as an answer: “{readable(nearest.sentence.text)}” [1]"
    )
    return Answer(text, [citation], True, retrieval.passages)

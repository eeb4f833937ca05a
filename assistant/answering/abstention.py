"""Declining to answer, shared by every answerer: when to decline, and what to say instead.

An answer is declined when the question names something no source mentions (`missing`), when
no candidate passes verification, or when the fitted model's probability that the best verified
candidate answers rightly is below the fitted threshold `abstain_below`. The model is logistic
over DECISION_FEATURES; `scripts/fit_answerer.py` fits its weights and the threshold
(fitted.json). When the sources speak to the topic but lack the detail asked for (a number, a
date, a name), the answer says which detail is missing and quotes the nearest passage as
context, not as answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.answering.citations import cite, closest_sources, readable
from assistant.answering.question import Analysis, Constraint
from assistant.answering.ranking import FEATURES, Scored
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import Turn
from assistant.answering.verification import what_is_missing
from assistant.fitted import fitted_model, fitted_value
from assistant.index.text import stem, terms
from assistant.index.word_vectors import match
from assistant.schema import Answer

ABSTAIN_BELOW = fitted_value("abstain_below")  # P(right) to answer; scripts/fit_answerer.py
# The decision before the fitted model, kept for scripts/fit_answerer.py to compare against.
ABSENT_PENALTY = 0.6  # times the share of the question's weight in words no source contains

NO_ANSWER = "The sources do not answer this question."


def confidence(score: float, retrieval: Retrieval) -> float:
    """A candidate's score, lowered by the weight of question words no source has."""
    return score - ABSENT_PENALTY * absent_share(retrieval)


def absent_share(retrieval: Retrieval) -> float:
    """The share of the question's term weight in words that no source contains."""
    total = sum(retrieval.idf.values()) or 1.0
    return sum(w for t, w in retrieval.idf.items() if t in retrieval.absent) / total


# What the decision to answer is made on: the best verified candidate and the retrieval.
DECISION_FEATURES = (
    "score",  # the best verified sentence's ranking score (ranking.WEIGHTS)
    "margin",  # its lead over the second verified sentence
    "similarity",  # cosine of that sentence (with its heading) and the query
    "top_similarity",  # the highest cosine of any retrieved sentence: how near the sources come
    "keywords",  # share of the question's term weight (idf) in that sentence
    "terms_matched",  # share of the question's distinct terms in it, each counted once
    "absent_share",  # share of the question's term weight in words no source contains
    "top_verified",  # 1 when the best-scoring sentence of all passed verification
    "verified_gap",  # how far the best verified sentence scores below the best of all
    "wants_value",  # the question asks for a value: a number, a date, a name, a place
    "constraints",  # how many constraints the question sets (the candidate meets them all)
    "absent_match",  # how near that sentence comes, by meaning, to the words no source has
)
_SIMILARITY = FEATURES.index("similarity")
_KEYWORDS = FEATURES.index("keywords")


def decision_features(
    turn: Turn, retrieval: Retrieval, everything: Sequence[Scored], ranked: Sequence[Scored]
) -> tuple[float, ...] | None:
    """DECISION_FEATURES of the best of `ranked` (verified, best first); None when it is empty."""
    if not ranked:
        return None
    best = ranked[0]
    words = {stem(w) for w in terms(best.sentence.text)}
    asked = {stem(w) for w in retrieval.idf}
    return (
        best.score,
        best.score - ranked[1].score if len(ranked) > 1 else 1.0,
        best.values[_SIMILARITY] if best.values else 0.0,
        max(retrieval.similarity.values(), default=0.0),
        best.values[_KEYWORDS] if best.values else 0.0,
        len(asked & words) / len(asked) if asked else 0.0,
        absent_share(retrieval),
        float(everything[0] is best),
        everything[0].score - best.score,
        float(turn.analysis.wants_value),
        float(len(turn.analysis.constraints)),
        absent_match(retrieval, best),
    )


def absent_match(retrieval: Retrieval, best: Scored) -> float:
    """The question's words that no source contains, matched by meaning in `best` (weighted
    by rarity): a paraphrase ("wrap up") finds its word there ("closed"), an unrelated topic
    ("photosynthesis") does not. 1.0 when every word is in some source; 0.0 without word
    vectors."""
    absent = {stem(w): retrieval.idf.get(w, 0.0) for w in retrieval.absent}
    if not absent:
        return 1.0
    words = retrieval.words.get(best.sentence.id)
    if retrieval.query_words is None or words is None:
        return 0.0
    return match(retrieval.query_words, absent, words)


@dataclass(frozen=True)
class Decision:
    """P(the best verified candidate answers rightly): logistic over DECISION_FEATURES."""

    weights: tuple[float, ...]  # DECISION_FEATURES order
    intercept: float

    @classmethod
    def fitted(cls) -> Decision:
        """The model in fitted.json; one that names other features is a packaging error."""
        weights, intercept = fitted_model("decision")
        if set(weights) != set(DECISION_FEATURES):
            raise RuntimeError(
                "fitted.json's decision model does not match DECISION_FEATURES; "
                "run `python scripts/fit_answerer.py --write`"
            )
        return cls(tuple(weights[f] for f in DECISION_FEATURES), intercept)

    def probability(self, features: Sequence[float]) -> float:
        """P(right) for one candidate's DECISION_FEATURES."""
        z = self.intercept + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


DECISION = Decision.fitted()


def answer_probability(
    turn: Turn, retrieval: Retrieval, everything: Sequence[Scored], ranked: Sequence[Scored]
) -> float | None:
    """P(the best of `ranked` answers rightly); None when nothing verified can answer."""
    features = decision_features(turn, retrieval, everything, ranked)
    return None if features is None else DECISION.probability(features)


def answers(probability: float | None, threshold: float) -> bool:
    """True when there is a candidate and its probability reaches `threshold`."""
    return probability is not None and probability >= threshold


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

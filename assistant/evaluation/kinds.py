"""Quality by kind of question: answerable or not, the labelled `type` and `style`, the turn.

Each kind gets a `KindScore`: how many questions, the score (answerable answered correctly,
unanswerable abstained on, as the report's `overall`), accuracy on its answerable questions,
and how often the system abstained rightly (unanswerable) and wrongly (answerable). Questions a
file leaves unlabelled count as "unlabelled". A dimension other than answerability is left out
when all the questions fall in one kind of it: its row would repeat the totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evaluation.metrics import share
from assistant.evaluation.scoring import Outcome

DIMENSIONS = ("answerability", "type", "style", "turn")
UNLABELLED = "unlabelled"


@dataclass(frozen=True)
class KindScore:
    """How a system did on the questions of one kind; a share is None when undefined."""

    dimension: str  # one of DIMENSIONS
    kind: str  # e.g. "unanswerable", "date", "paraphrased", "follow-up"
    n: int
    answerable: int
    unanswerable: int
    score: float | None  # answerable answered correctly, unanswerable abstained on
    accuracy: float | None  # answerable answered correctly
    abstained_correctly: float | None  # unanswerable questions the system abstained on
    wrongly_abstained: float | None  # answerable questions the system abstained on


def kind_of(outcome: Outcome, dimension: str) -> str:
    """The kind of the question behind `outcome` along `dimension`."""
    if dimension == "answerability":
        return "answerable" if outcome.answerable else "unanswerable"
    if dimension == "type":
        return outcome.type or UNLABELLED
    if dimension == "style":
        return outcome.style or UNLABELLED
    if dimension == "turn":
        return "follow-up" if outcome.follow_up else "standalone"
    raise ValueError(f"unknown dimension {dimension!r}; use one of {', '.join(DIMENSIONS)}")


def score_kind(dimension: str, kind: str, outcomes: Sequence[Outcome]) -> KindScore:
    """The score of `outcomes`, all of one kind."""
    yes = [o for o in outcomes if o.answerable]
    no = [o for o in outcomes if not o.answerable]
    return KindScore(
        dimension=dimension,
        kind=kind,
        n=len(outcomes),
        answerable=len(yes),
        unanswerable=len(no),
        score=share([o.correct for o in yes] + [o.abstained for o in no]),
        accuracy=share([o.correct for o in yes]),
        abstained_correctly=share([o.abstained for o in no]),
        wrongly_abstained=share([o.abstained for o in yes]),
    )


def by_kind(outcomes: Sequence[Outcome]) -> tuple[KindScore, ...]:
    """A score per kind, dimension by dimension, kinds sorted with "unlabelled" last."""
    scores: list[KindScore] = []
    for dimension in DIMENSIONS:
        groups: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            groups.setdefault(kind_of(outcome, dimension), []).append(outcome)
        if dimension != "answerability" and len(groups) < 2:
            continue
        for kind in sorted(groups, key=lambda k: (k == UNLABELLED, k)):
            scores.append(score_kind(dimension, kind, groups[kind]))
    return tuple(scores)

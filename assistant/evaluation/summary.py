"""The `EvalReport` of one system on one question set, summarized from per-question outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evaluation.kinds import KindScore, by_kind
from assistant.evaluation.metrics import hit_at, mean_reciprocal_rank, percentile, share
from assistant.evaluation.scoring import Outcome


@dataclass(frozen=True)
class EvalReport:
    """Metrics of one system on one question set; a metric is None when undefined."""

    name: str
    questions: int
    answerable: int
    unanswerable: int
    accuracy: float | None
    overall: float | None  # answerable answered correctly, unanswerable abstained
    hit_at_1: float | None
    hit_at_5: float | None
    mrr: float | None
    citation_precision: float | None
    abstention: float | None
    false_abstention: float | None
    median_words: float | None
    p50_ms: float | None
    p95_ms: float | None
    outcomes: tuple[Outcome, ...] = ()
    by_kind: tuple[KindScore, ...] = ()  # quality per kind of question (`kinds.by_kind`)


def summarize(name: str, outcomes: Sequence[Outcome]) -> EvalReport:
    """The report over per-question outcomes."""
    yes = [o for o in outcomes if o.answerable]
    no = [o for o in outcomes if not o.answerable]
    ranks = [o.rank for o in yes]
    cited = sum(o.citations for o in yes)
    answered = [float(o.words) for o in outcomes if not o.abstained]
    millis = [o.seconds * 1000.0 for o in outcomes]
    return EvalReport(
        name=name,
        questions=len(outcomes),
        answerable=len(yes),
        unanswerable=len(no),
        accuracy=share([o.correct for o in yes]),
        overall=share([o.correct for o in yes] + [o.abstained for o in no]),
        hit_at_1=hit_at(ranks, 1),
        hit_at_5=hit_at(ranks, 5),
        mrr=mean_reciprocal_rank(ranks),
        citation_precision=sum(o.precise for o in yes) / cited if cited else None,
        abstention=share([o.abstained for o in no]),
        false_abstention=share([o.abstained for o in yes]),
        median_words=percentile(answered, 50),
        p50_ms=percentile(millis, 50),
        p95_ms=percentile(millis, 95),
        outcomes=tuple(outcomes),
        by_kind=by_kind(outcomes),
    )

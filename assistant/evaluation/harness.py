"""The evaluation harness: run systems over labelled questions and report on them.

Any object with `ask`, `retrieve` and `source_text` (the `System` protocol) can be evaluated:
the Assistant and the baselines in `assistant.evaluation.baselines` alike. The parts live in
their own modules and are re-exported here, where callers have always imported them:

    questions.py  labelled question files -> Question
    scoring.py    one answer judged -> Outcome
    metrics.py    shares, percentiles, hit@k, MRR
    kinds.py      quality by kind of question -> KindScore
    summary.py    outcomes -> EvalReport
    report.py     Markdown tables and JSON
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from assistant.answering.history import standalone
from assistant.config import Settings
from assistant.evaluation.kinds import KindScore, by_kind
from assistant.evaluation.metrics import hit_at, mean_reciprocal_rank, percentile, share
from assistant.evaluation.questions import Question, load_questions
from assistant.evaluation.report import format_kinds, format_report, format_table, to_json
from assistant.evaluation.scoring import (
    Outcome,
    evidence_rank,
    fold,
    has_evidence,
    is_correct,
    judge,
    precise_citations,
    states_facts,
    word_count,
)
from assistant.evaluation.summary import EvalReport, summarize
from assistant.schema import Answer, Passage

__all__ = [
    "RETRIEVE_K",
    "ConfiguredSystem",
    "EvalReport",
    "History",
    "KindScore",
    "Outcome",
    "Question",
    "System",
    "by_kind",
    "evaluate",
    "evidence_rank",
    "fold",
    "format_kinds",
    "format_report",
    "format_table",
    "has_evidence",
    "hit_at",
    "is_correct",
    "load_questions",
    "main",
    "mean_reciprocal_rank",
    "percentile",
    "precise_citations",
    "share",
    "states_facts",
    "summarize",
    "to_json",
    "word_count",
]

History = Sequence[dict[str, Any]]
RETRIEVE_K = 5


class System(Protocol):
    """What evaluation needs of a question-answering system."""

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer `question`, with `history` for follow-ups."""
        ...

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best passages for `query`."""
        ...

    def source_text(self, source: str) -> str | None:
        """The extracted text of `source`, which citation offsets refer to."""
        ...


class ConfiguredSystem(System, Protocol):
    """A system that also knows its settings (sources folder, embedding model): the Assistant."""

    settings: Settings


def evaluate(
    system: System,
    questions: Sequence[Question],
    *,
    name: str | None = None,
    k: int = RETRIEVE_K,
    warmup: bool = True,
    clock: Callable[[], float] = time.perf_counter,
) -> EvalReport:
    """Ask every question, retrieve its passages, and measure; one untimed warm-up ask."""
    label = name or str(getattr(system, "name", "") or type(system).__name__.lower())
    if warmup and questions:
        system.ask(questions[0].question, history=list(questions[0].history) or None)
    outcomes: list[Outcome] = []
    for q in questions:
        history = list(q.history) or None
        began = clock()
        answer = system.ask(q.question, history=history)
        seconds = clock() - began
        passages = system.retrieve(standalone(q.question, history), k=k)
        outcomes.append(judge(q, answer, passages, source_text=system.source_text, seconds=seconds))
    return summarize(label, outcomes)


def main(
    system: ConfiguredSystem,
    paths: Sequence[str | Path],
    *,
    as_json: bool = False,
    baselines: bool = True,
    out: TextIO | None = None,
) -> int:
    """Evaluate `system` (and the baselines) on question files; write the tables or JSON."""
    from assistant.evaluation import baselines as baseline_systems

    questions = [q for path in paths for q in load_questions(path)]
    reports = [evaluate(system, questions, name="assistant")]
    if baselines:
        others = baseline_systems.from_settings(system.settings)
        try:
            reports += [evaluate(other, questions) for other in others]
        finally:
            baseline_systems.close_all(others)
    (out or sys.stdout).write((to_json(reports) if as_json else format_report(reports)) + "\n")
    return 0

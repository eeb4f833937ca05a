"""Evaluation: answer accuracy, retrieval hit@k and MRR, citation precision, abstention, latency.

A question file is JSON Lines, one question a line:
`{"id": ..., "question": ..., "history": [...], "evidence": [...], "facts": [...]}`.
`evidence` are phrases the cited passage must contain word for word (whitespace folded);
`facts` are phrases the answer must state (case-insensitive). A question without evidence has
no answer in the sources: the system should abstain.

Any object with `ask`, `retrieve` and `source_text` (the `System` protocol) can be evaluated:
the Assistant and the baselines in `assistant.baselines` alike.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from assistant.answering.history import standalone
from assistant.config import Settings
from assistant.errors import QuestionError
from assistant.schema import Answer, Passage

History = Sequence[dict[str, Any]]
RETRIEVE_K = 5
_MARKER = re.compile(r"\[\d{1,3}\]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


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


@dataclass(frozen=True)
class Question:
    """One evaluation question; no evidence means the sources do not answer it."""

    id: str
    question: str
    evidence: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()

    @property
    def answerable(self) -> bool:
        """True when the sources answer the question."""
        return bool(self.evidence)


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


def load_questions(path: str | Path) -> list[Question]:
    """Read a JSON Lines question file; raise QuestionError naming the line at fault."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QuestionError(f"{path}: cannot read the question file ({exc.strerror})") from None
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionError(f"{where}: not valid JSON ({exc.msg})") from None
        question = _question(row, where)
        if question.id in seen:
            raise QuestionError(f"{where}: the id {question.id!r} is used twice")
        seen.add(question.id)
        questions.append(question)
    return questions


def _question(row: object, where: str) -> Question:
    if not isinstance(row, dict):
        raise QuestionError(f"{where}: expected a JSON object")
    text = row.get("question")
    if not isinstance(text, str) or not text.strip():
        raise QuestionError(f"{where}: `question` must be a non-empty string")
    phrases: dict[str, tuple[str, ...]] = {}
    for key in ("evidence", "facts"):
        value = row.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise QuestionError(f"{where}: `{key}` must be a list of non-empty strings")
        phrases[key] = tuple(value)
    history = row.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and isinstance(m.get("content"), str) for m in history
    ):
        raise QuestionError(f"{where}: `history` must be a list of {{role, content}} messages")
    return Question(
        str(row.get("id", where)),
        text,
        phrases["evidence"],
        phrases["facts"],
        tuple({"role": str(m.get("role", "")), "content": m["content"]} for m in history),
    )


# -- metrics of one answer (pure) ---------------------------------------------------------


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


# -- aggregates ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linearly interpolated as numpy does; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(at), math.ceil(at)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def share(flags: Sequence[bool]) -> float | None:
    """The share of true flags; None when there are none."""
    return sum(flags) / len(flags) if flags else None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose evidence is in the first `k` passages."""
    return share([r is not None and r <= k for r in ranks])


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank, a miss counting 0."""
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else None


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
    )


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
        outcomes.append(
            Outcome(
                id=q.id,
                answerable=q.answerable,
                abstained=answer.abstained,
                correct=is_correct(answer, q),
                rank=evidence_rank(passages, q.evidence) if q.answerable else None,
                citations=len(answer.citations),
                precise=precise_citations(answer, q, system.source_text) if q.answerable else 0,
                words=word_count(answer.text),
                seconds=seconds,
            )
        )
    return summarize(label, outcomes)


# -- output -------------------------------------------------------------------------------

_ROWS: tuple[tuple[str, str, str], ...] = (
    ("answer accuracy (answerable)", "accuracy", "%"),
    ("overall (correct or rightly abstained)", "overall", "%"),
    ("evidence hit@1", "hit_at_1", "%"),
    ("evidence hit@5", "hit_at_5", "%"),
    ("evidence MRR", "mrr", "f"),
    ("citation precision", "citation_precision", "%"),
    ("abstention on unanswerable", "abstention", "%"),
    ("false abstention on answerable", "false_abstention", "%"),
    ("median answer length (words)", "median_words", "n"),
    ("ask latency p50 (ms)", "p50_ms", "n"),
    ("ask latency p95 (ms)", "p95_ms", "n"),
)


def _cell(value: float | None, style: str) -> str:
    if value is None:
        return "n/a"
    if style == "%":
        return f"{100.0 * value:.1f}%"
    if style == "f":
        return f"{value:.3f}"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def format_table(reports: Sequence[EvalReport]) -> str:
    """A Markdown table: one row per metric, one column per system."""
    if not reports:
        return ""
    counts = {(r.answerable, r.unanswerable) for r in reports}
    header = ["metric", *(r.name for r in reports)]
    rows = [
        [
            "questions (answerable + unanswerable)",
            *(f"{r.answerable} + {r.unanswerable}" for r in reports),
        ]
    ]
    rows += [
        [label, *(_cell(getattr(r, field), style) for r in reports)]
        for label, field, style in _ROWS
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "| "
        + " | ".join("-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths))
        + " |"
    )
    out = [line(header), rule, *(line(r) for r in rows)]
    if len(counts) > 1:
        out.append("\nNote: the systems were evaluated on different question sets.")
    return "\n".join(out)


def to_json(reports: EvalReport | Sequence[EvalReport], *, outcomes: bool = True) -> str:
    """The reports as JSON; `outcomes=False` leaves out the per-question results."""
    items = [reports] if isinstance(reports, EvalReport) else list(reports)
    data = []
    for report in items:
        row = asdict(report)
        if not outcomes:
            row.pop("outcomes")
        data.append(row)
    return json.dumps({"reports": data}, indent=2, ensure_ascii=False)


def main(
    system: ConfiguredSystem,
    paths: Sequence[str | Path],
    *,
    as_json: bool = False,
    baselines: bool = True,
    out: TextIO | None = None,
) -> int:
    """Evaluate `system` (and the baselines) on question files; write the table or JSON."""
    from assistant.evaluation import baselines as baseline_systems

    questions = [q for path in paths for q in load_questions(path)]
    reports = [evaluate(system, questions, name="assistant")]
    if baselines:
        others = baseline_systems.from_settings(system.settings)
        try:
            reports += [evaluate(other, questions) for other in others]
        finally:
            baseline_systems.close_all(others)
    (out or sys.stdout).write((to_json(reports) if as_json else format_table(reports)) + "\n")
    return 0

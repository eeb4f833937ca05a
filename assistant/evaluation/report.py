"""The reports written out: Markdown tables (metrics, quality by kind) and JSON.

In the JSON, `by_kind` nests the `KindScore`s by dimension, then kind:
`{"answerability": {"unanswerable": {"n": 12, "score": 0.58, ...}}, "type": {...}, ...}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from assistant.evaluation.kinds import DIMENSIONS, UNLABELLED, KindScore
from assistant.evaluation.summary import EvalReport

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
KINDS_LEGEND = (
    "Quality by kind of question; a cell is the score (abstained correctly on unanswerable /\n"
    "wrongly abstained on answerable), – where the kind has no such question."
)


def _cell(value: float | None, style: str) -> str:
    if value is None:
        return "n/a"
    if style == "%":
        return f"{100.0 * value:.1f}%"
    if style == "f":
        return f"{value:.3f}"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Table lines: the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "| "
        + " | ".join("-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths))
        + " |"
    )
    return [line(header), rule, *(line(r) for r in rows)]


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
    out = _markdown(header, rows)
    if len(counts) > 1:
        out.append("\nNote: the systems were evaluated on different question sets.")
    return "\n".join(out)


def _label(dimension: str, kind: str) -> str:
    return kind if dimension == "answerability" else f"{dimension}: {kind}"


def _kind_cell(score: KindScore | None) -> str:
    if score is None:
        return "n/a"

    def short(value: float | None) -> str:
        return "–" if value is None else f"{100.0 * value:.0f}%"

    return (
        f"{_cell(score.score, '%')} "
        f"({short(score.abstained_correctly)} / {short(score.wrongly_abstained)})"
    )


def format_kinds(reports: Sequence[EvalReport]) -> str:
    """A Markdown table of quality by kind of question: one row per kind, one column per system."""
    found = [{(s.dimension, s.kind): s for s in r.by_kind} for r in reports]
    keys = sorted(
        {key for scores in found for key in scores},
        key=lambda k: (DIMENSIONS.index(k[0]), k[1] == UNLABELLED, k[1]),
    )
    if not keys:
        return ""
    header = ["kind", "answerable + unanswerable", *(r.name for r in reports)]
    rows = []
    for key in keys:
        counts = {(s.answerable, s.unanswerable) for scores in found if (s := scores.get(key))}
        (yes, no), *others = counts
        rows.append(
            [
                _label(*key),
                "varies" if others else f"{yes} + {no}",
                *(_kind_cell(scores.get(key)) for scores in found),
            ]
        )
    return "\n".join([KINDS_LEGEND, "", *_markdown(header, rows)])


def format_report(reports: Sequence[EvalReport]) -> str:
    """The metrics table, then the table of quality by kind of question."""
    kinds = format_kinds(reports)
    return format_table(reports) + (f"\n\n{kinds}" if kinds else "")


def kinds_json(scores: Sequence[KindScore]) -> dict[str, dict[str, dict[str, Any]]]:
    """The scores nested by dimension, then kind (the `by_kind` of the JSON report)."""
    nested: dict[str, dict[str, dict[str, Any]]] = {}
    for score in scores:
        row = asdict(score)
        del row["dimension"], row["kind"]
        nested.setdefault(score.dimension, {})[score.kind] = row
    return nested


def to_json(reports: EvalReport | Sequence[EvalReport], *, outcomes: bool = True) -> str:
    """The reports as JSON; `outcomes=False` leaves out the per-question results."""
    items = [reports] if isinstance(reports, EvalReport) else list(reports)
    data = []
    for report in items:
        row = asdict(report)
        if not outcomes:
            row.pop("outcomes")
        row["by_kind"] = kinds_json(report.by_kind)
        data.append(row)
    return json.dumps({"reports": data}, indent=2, ensure_ascii=False)

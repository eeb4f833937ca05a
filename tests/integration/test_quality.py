"""Answer quality on the question sets, with the real packaged model (issue 2's yardsticks).

`dev*.jsonl` is the development set from shared/eval; `extra*.jsonl` and `followups.jsonl` were
written for this project. The answerer's constants (assistant/answer.py) were calibrated on them,
so these numbers are a floor that a change must not break, not a held-out measurement.
`paraphrased`, `near-negative` and `conversations` are fit files of scripts/fit_answerer.py;
`holdout.jsonl` and `holdout-2.jsonl` (written blind) are never fitted on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.evaluation.harness import EvalReport, evaluate, load_questions

EVAL = Path(__file__).parents[1] / "data" / "eval"

pytestmark = pytest.mark.slow


def _report(assistant: Assistant, *names: str) -> EvalReport:
    questions = [q for name in names for q in load_questions(EVAL / name)]
    return evaluate(assistant, questions, name="+".join(names))


def test_development_set(real_assistant: Assistant) -> None:
    report = _report(real_assistant, "dev.jsonl", "dev-negative.jsonl")
    assert report.accuracy is not None and report.accuracy >= 0.85, report
    assert report.false_abstention is not None and report.false_abstention <= 0.10, report
    assert report.abstention is not None and report.abstention >= 0.80, report
    assert report.median_words is not None and report.median_words <= 70, report
    assert report.hit_at_5 is not None and report.hit_at_5 >= 0.9, report


def test_extra_questions(real_assistant: Assistant) -> None:
    report = _report(real_assistant, "extra.jsonl", "extra-negative.jsonl")
    # The fitted answer/decline model (scripts/fit_answerer.py, BENCHMARKS.md) declines 6 more
    # of these source-worded questions (accuracy 0.90 -> 0.75) and 6 more of the negatives,
    # half of them near-topic (abstention 0.65 -> 0.95): the same overall on this file, and
    # better on every held-out kind but conversations. Floors at the measured numbers.
    assert report.accuracy is not None and report.accuracy >= 0.75, report
    assert report.false_abstention is not None and report.false_abstention <= 0.20, report
    assert report.abstention is not None and report.abstention >= 0.9, report
    assert report.median_words is not None and report.median_words <= 70, report


def test_follow_ups_resolve_pronouns(real_assistant: Assistant) -> None:
    report = _report(real_assistant, "followups.jsonl")
    assert report.accuracy is not None and report.accuracy >= 0.75, report


def test_every_quote_is_verbatim(real_assistant: Assistant) -> None:
    questions = [
        q
        for name in ("dev.jsonl", "extra.jsonl", "followups.jsonl")
        for q in load_questions(EVAL / name)
    ]
    for q in questions:
        answer = real_assistant.ask(q.question, history=list(q.history) or None)
        for c in answer.citations:
            text = real_assistant.source_text(c.source)
            assert text is not None and text[c.start : c.end] == c.quote, (q.id, c)


def test_near_topic_questions_are_declined(real_assistant: Assistant) -> None:
    # Details the commentary never gives (names, counts, dates, acts it does not contain).
    # Measured 0.60 with answer verification (0.24 before it); see BENCHMARKS.md.
    report = _report(real_assistant, "near-negative.jsonl")
    assert report.abstention is not None and report.abstention >= 0.55, report


def test_held_out_questions(real_assistant: Assistant) -> None:
    # holdout.jsonl is never fitted on: measured (2026-12-07) answerable 0.86, unanswerable
    # declined 0.83, median 67 words. A floor, not a goal.
    report = _report(real_assistant, "holdout.jsonl")
    assert report.accuracy is not None and report.accuracy >= 0.75, report
    assert report.abstention is not None and report.abstention >= 0.75, report
    assert report.median_words is not None and report.median_words <= 80, report


def test_blind_held_out_questions(real_assistant: Assistant) -> None:
    # holdout-2.jsonl was written from the source alone by someone who never saw the answerer
    # or the other question files, and is never fitted on. Measured (2026-12-07): answerable
    # 0.725 (paraphrased 0.63), unanswerable declined 0.875, median 46 words. A floor.
    report = _report(real_assistant, "holdout-2.jsonl")
    assert report.accuracy is not None and report.accuracy >= 0.65, report
    assert report.abstention is not None and report.abstention >= 0.8, report
    assert report.median_words is not None and report.median_words <= 70, report


def test_a_named_act_no_source_holds_is_said(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What does Resolution 200 require?")
    assert answer.abstained and answer.citations == []
    assert "no indexed source mentions “Resolution 200”" in answer.text

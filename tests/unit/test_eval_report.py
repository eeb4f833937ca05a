"""Quality by kind of question, from a scripted fake system over a labelled file written here."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import QuestionError
from assistant.evaluation.harness import (
    KindScore,
    evaluate,
    format_kinds,
    format_report,
    load_questions,
    main,
    to_json,
)
from assistant.evaluation.kinds import by_kind, kind_of
from assistant.evaluation.scoring import Outcome
from assistant.schema import Answer, Citation, Passage

SOURCE = (
    "The conference closed on 7 November in Busan. "
    "It is held every four years. "
    "It elected the Secretary-General."
)

# Seven questions, each with the reply the scripted system gives (and what that reply is worth):
ROWS: list[dict[str, Any]] = [
    # answered right
    {
        "id": "a1",
        "question": "When did the conference close?",
        "evidence": ["closed on 7 November"],
        "facts": ["7 November"],
        "type": "date",
        "style": "worded",
    },
    # answered, but the fact is missing: wrong
    {
        "id": "a2",
        "question": "On what day did the meeting end?",
        "evidence": ["closed on 7 November"],
        "facts": ["7 November"],
        "type": "date",
        "style": "paraphrased",
    },
    # a follow-up the system wrongly abstains on
    {
        "id": "a3",
        "question": "And how often?",
        "evidence": ["every four years"],
        "facts": ["four years"],
        "history": [{"role": "user", "content": "When is the conference held?"}],
        "type": "number",
        "style": "paraphrased",
    },
    # answered right
    {
        "id": "a4",
        "question": "How often is the conference held?",
        "evidence": ["every four years"],
        "facts": ["four years"],
        "type": "number",
        "style": "worded",
    },
    # unanswerable, rightly abstained on
    {"id": "n1", "question": "How many delegates came?", "type": "number", "style": "near-topic"},
    # unanswerable, answered anyway
    {"id": "n2", "question": "Who chaired it?", "type": "person", "style": "near-topic"},
    # unanswerable, no type label, rightly abstained on
    {"id": "n3", "question": "Who won the World Cup?", "style": "off-topic"},
]


def quote(phrase: str) -> Citation:
    start = SOURCE.index(phrase)
    return Citation(1, "s.txt", "S", "¶1", phrase, start, start + len(phrase))


DECLINE = Answer("The sources do not answer this question.", [], True, [])
REPLIES = {
    "When did the conference close?": Answer(
        "It closed on 7 November [1].", [quote("closed on 7 November")], False, []
    ),
    "On what day did the meeting end?": Answer(
        "It ended in Busan [1].", [quote("closed on 7 November")], False, []
    ),
    "And how often?": DECLINE,
    "How often is the conference held?": Answer(
        "Every four years [1].", [quote("every four years")], False, []
    ),
    "How many delegates came?": DECLINE,
    "Who chaired it?": Answer(
        "The Secretary-General [1].", [quote("the Secretary-General")], False, []
    ),
    "Who won the World Cup?": DECLINE,
}


class ScriptedSystem:
    """Gives the reply scripted for each question; retrieval returns the whole source."""

    name = "scripted"
    settings: Any = None

    def ask(self, question: str, history: Sequence[dict[str, Any]] | None = None) -> Answer:
        return REPLIES[question]

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        return [Passage(SOURCE, "s.txt", "S", "¶1", "commentary", 0.0, 0, len(SOURCE))]

    def source_text(self, source: str) -> str | None:
        return SOURCE if source == "s.txt" else None


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def ks(dimension: str, kind: str, yes: int, no: int, *shares: float | None) -> KindScore:
    score, accuracy, rightly, wrongly = shares
    return KindScore(dimension, kind, yes + no, yes, no, score, accuracy, rightly, wrongly)


# dimension, kind, answerable, unanswerable, score, accuracy, abstained correctly, wrongly abstained
EXPECTED = (
    ks("answerability", "answerable", 4, 0, 2 / 4, 2 / 4, None, 1 / 4),
    ks("answerability", "unanswerable", 0, 3, 2 / 3, None, 2 / 3, None),
    ks("type", "date", 2, 0, 1 / 2, 1 / 2, None, 0.0),
    ks("type", "number", 2, 1, 2 / 3, 1 / 2, 1.0, 1 / 2),
    ks("type", "person", 0, 1, 0.0, None, 0.0, None),
    ks("type", "unlabelled", 0, 1, 1.0, None, 1.0, None),
    ks("style", "near-topic", 0, 2, 1 / 2, None, 1 / 2, None),
    ks("style", "off-topic", 0, 1, 1.0, None, 1.0, None),
    ks("style", "paraphrased", 2, 0, 0.0, 0.0, None, 1 / 2),
    ks("style", "worded", 2, 0, 1.0, 1.0, None, 0.0),
    ks("turn", "follow-up", 1, 0, 0.0, 0.0, None, 1.0),
    ks("turn", "standalone", 3, 3, 4 / 6, 2 / 3, 2 / 3, 0.0),
)


@pytest.fixture
def questions_file(tmp_path: Path) -> Path:
    return write(tmp_path / "kinds.jsonl", ROWS)


def test_labels_are_loaded_and_checked(tmp_path: Path, questions_file: Path) -> None:
    questions = load_questions(questions_file)
    assert [(q.type, q.style) for q in questions][-2:] == [
        ("person", "near-topic"),
        (None, "off-topic"),
    ]
    bad = write(tmp_path / "bad.jsonl", [{"id": "x", "question": "Q?", "type": 3}])
    with pytest.raises(QuestionError, match=r"bad\.jsonl, line 1: `type` must be"):
        load_questions(bad)
    blank = write(tmp_path / "blank.jsonl", [ROWS[0], {"id": "y", "question": "Q?", "style": ""}])
    with pytest.raises(QuestionError, match=r"line 2: `style` must be"):
        load_questions(blank)


def test_quality_by_kind_of_a_scripted_system(questions_file: Path) -> None:
    report = evaluate(ScriptedSystem(), load_questions(questions_file), warmup=False)
    assert [o.correct for o in report.outcomes] == [True, False, False, True, False, False, False]
    assert report.by_kind == EXPECTED
    # the answerability rows agree with the report's own totals
    answerable, unanswerable = report.by_kind[:2]
    assert answerable.score == report.accuracy and answerable.wrongly_abstained == (
        report.false_abstention
    )
    assert unanswerable.abstained_correctly == report.abstention


def test_a_dimension_with_one_kind_is_left_out() -> None:
    outcomes = [
        Outcome("a", True, False, True, 1, 1, 1, 3, 0.0),
        Outcome("b", False, True, False, None, 0, 0, 7, 0.0),
    ]
    assert [(s.dimension, s.kind) for s in by_kind(outcomes)] == [
        ("answerability", "answerable"),
        ("answerability", "unanswerable"),
    ]
    assert by_kind([]) == ()
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        kind_of(outcomes[0], "colour")


def test_by_kind_in_json(questions_file: Path) -> None:
    report = evaluate(ScriptedSystem(), load_questions(questions_file), warmup=False)
    data = json.loads(to_json(report, outcomes=False))["reports"][0]["by_kind"]
    assert list(data) == ["answerability", "type", "style", "turn"]
    assert list(data["type"]) == ["date", "number", "person", "unlabelled"]
    assert data["type"]["number"] == {
        "n": 3,
        "answerable": 2,
        "unanswerable": 1,
        "score": 2 / 3,
        "accuracy": 0.5,
        "abstained_correctly": 1.0,
        "wrongly_abstained": 0.5,
    }
    assert data["answerability"]["unanswerable"]["wrongly_abstained"] is None


def cells(table: str) -> dict[str, list[str]]:
    """The rows of a Markdown table by their first cell, the other cells stripped (no rule)."""
    lines = [line for line in table.splitlines() if line.startswith("|") and "---" not in line]
    rows = [line.strip("|").split("|") for line in lines]
    return {row[0].strip(): [c.strip() for c in row[1:]] for row in rows}


def test_kinds_table(questions_file: Path) -> None:
    questions = load_questions(questions_file)
    report = evaluate(ScriptedSystem(), questions, warmup=False)
    other = evaluate(ScriptedSystem(), questions[:4], name="first four", warmup=False)
    table = format_kinds([report, other])
    assert table.startswith("Quality by kind of question; a cell is the score (abstained")
    rows = cells(table)
    assert list(rows)[:3] == ["kind", "answerable", "unanswerable"]
    assert rows["kind"] == ["answerable + unanswerable", "scripted", "first four"]
    assert rows["answerable"] == ["4 + 0", "50.0% (– / 25%)", "50.0% (– / 25%)"]
    assert rows["type: number"] == ["varies", "66.7% (100% / 50%)", "50.0% (– / 50%)"]
    assert rows["style: off-topic"] == ["0 + 1", "100.0% (100% / –)", "n/a"]
    assert rows["turn: follow-up"] == ["1 + 0", "0.0% (– / 100%)", "0.0% (– / 100%)"]
    assert len(rows) == 1 + len(EXPECTED)
    assert format_kinds([]) == ""


def test_main_prints_both_tables_and_by_kind_json(questions_file: Path) -> None:
    out = io.StringIO()
    assert main(ScriptedSystem(), [questions_file], baselines=False, out=out) == 0
    text = out.getvalue()
    assert "| answer accuracy (answerable)" in text and "| type: person" in text
    report = evaluate(ScriptedSystem(), load_questions(questions_file), name="assistant")
    assert text.startswith(format_report([report]).split("\n| ask latency")[0])
    out = io.StringIO()
    main(ScriptedSystem(), [questions_file], as_json=True, baselines=False, out=out)
    data = json.loads(out.getvalue())["reports"][0]
    assert data["by_kind"]["style"]["worded"]["score"] == 1.0
    assert data["by_kind"]["turn"]["follow-up"]["wrongly_abstained"] == 1.0

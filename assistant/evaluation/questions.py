"""Labelled question files: JSON Lines read into `Question`s, with errors naming file and line.

A line is `{"id": ..., "question": ..., "history": [...], "evidence": [...], "facts": [...],
"type": ..., "style": ...}`. `evidence` are phrases the cited passage must contain word for word
(whitespace folded); `facts` are phrases the answer must state (case-insensitive). A question
without evidence has no answer in the sources: the system should abstain. `type` (the kind of
answer asked for: date, number, person...) and `style` (worded, paraphrased, near-topic...) are
optional labels that the report breaks quality down by.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import QuestionError


@dataclass(frozen=True)
class Question:
    """One evaluation question; no evidence means the sources do not answer it."""

    id: str
    question: str
    evidence: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    type: str | None = None  # the kind of answer asked for, when the file labels it
    style: str | None = None  # how the question is put, when the file labels it

    @property
    def answerable(self) -> bool:
        """True when the sources answer the question."""
        return bool(self.evidence)


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
    labels: dict[str, str | None] = {}
    for key in ("type", "style"):
        value = row.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise QuestionError(f"{where}: `{key}` must be a non-empty string or left out")
        labels[key] = value
    return Question(
        str(row.get("id", where)),
        text,
        phrases["evidence"],
        phrases["facts"],
        tuple({"role": str(m.get("role", "")), "content": m["content"]} for m in history),
        type=labels["type"],
        style=labels["style"],
    )

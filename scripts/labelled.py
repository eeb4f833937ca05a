"""The labelled question files the fitting scripts use, their folds, and fitted.json's writer.

`scripts/fit_ranker.py` and `scripts/fit_answerer.py` fit on FIT_FILES (questions on the shipped
commentary) and, for the ranker, OFFICIAL_FILES (questions on the invented final-acts documents
of tests/data, indexed beside the commentary). HELD_OUT is never fitted on. Questions that share
a conversation or an evidence paragraph share a fold, so no fold is tested on a near copy of
what it was fitted on.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.questions import Question

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"
DATA = ROOT / "tests" / "data"
FITTED = ROOT / "assistant" / "fitted.json"
FIT_FILES = (
    "dev.jsonl",
    "dev-negative.jsonl",
    "extra.jsonl",
    "extra-negative.jsonl",
    "followups.jsonl",
    "paraphrased.jsonl",
    "near-negative.jsonl",
    "conversations.jsonl",
    "paraphrased-2.jsonl",
    "near-negative-2.jsonl",
    "conversations-2.jsonl",
    "conversations-3.jsonl",
)
# Never fitted on: holdout.jsonl, and holdout-2.jsonl, written blind (from the source alone,
# by someone who never saw the answerer or the other question files).
HELD_OUT = ("holdout.jsonl", "holdout-2.jsonl")
HELD_OUT_NAME = " + ".join(HELD_OUT)
OFFICIAL_FILES = (
    DATA / "eval-final-acts" / "final-acts.jsonl",
    DATA / "eval-final-acts" / "final-acts-2.jsonl",
)


def official_sources(target: Path) -> Path:
    """A sources folder with the shipped commentary and the invented final-acts documents."""
    target.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "sources").iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
    for name in ("final-acts-sample.txt", "final-acts-other.txt"):
        shutil.copy2(DATA / name, target / name)
    for path in sorted((DATA / "final-acts-layouts").iterdir()):
        shutil.copy2(path, target / f"layout-{path.name}")
    return target


def group_of(q: Question, file: str, paragraphs: Sequence[str]) -> str:
    """A conversation's first question, else the source paragraph of the evidence, else the id."""
    if q.history:
        return "conversation: " + " ".join(q.history[0]["content"].split())
    for phrase in q.evidence:
        folded = " ".join(phrase.split())
        for n, paragraph in enumerate(paragraphs):
            if folded in paragraph:
                return f"paragraph {n}"
    return f"{file}: {q.id}"


def folds_of(groups: Sequence[str], folds: int, seed: int = 0) -> list[list[int]]:
    """Indices of each fold; whole groups, biggest first, each to the smallest fold so far."""
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -len(members[g]))
    result: list[list[int]] = [[] for _ in range(folds)]
    for g in order:
        min(result, key=len).extend(members[g])
    return result


def write_fitted(
    section: str,
    model: dict[str, Any],
    values: dict[str, float],
    *,
    fitted_now: Sequence[str] = (),
) -> None:
    """Store one script's model under `section` and its `values`, keeping the other sections;
    the names in `fitted_now` leave the file's `hand_set` list."""
    data: dict[str, Any] = json.loads(FITTED.read_text("utf-8")) if FITTED.exists() else {}
    data.setdefault("values", {}).update({k: round(v, 6) for k, v in values.items()})
    if "hand_set" in data:
        data["hand_set"] = [name for name in data["hand_set"] if name not in fitted_now]
    data[section] = model
    FITTED.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {section} to {FITTED}")

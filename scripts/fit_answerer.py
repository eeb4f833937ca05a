"""Fit the extractive answerer's abstention threshold from labelled questions, cross-validated.

    .venv/bin/python scripts/fit_answerer.py [--folds 5] [--write]

Each question is answered once with no threshold, recording the confidence of the best verified
sentence (None when verification leaves nothing) and whether that answer is right. A threshold t
then abstains on every question whose confidence is None or below t; its score is the mean of
answer accuracy on answerable questions and abstention on unanswerable ones. The script prints
each fold's held-out score, then the score on `holdout.jsonl`, which is never fitted on, and with
--write stores the threshold fitted on all fit files in assistant/fitted.json.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant import Assistant
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.retrieve import Retrieval
from assistant.evaluation.harness import Question, is_correct, load_questions
from assistant.schema import Answer

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"
FIT_FILES = (
    "dev.jsonl",
    "dev-negative.jsonl",
    "extra.jsonl",
    "extra-negative.jsonl",
    "followups.jsonl",
    "paraphrased.jsonl",
    "near-negative.jsonl",
    "conversations.jsonl",
)
HELD_OUT = "holdout.jsonl"
FITTED = ROOT / "assistant" / "fitted.json"


@dataclass(frozen=True)
class Observation:
    """One question answered without a threshold."""

    id: str
    answerable: bool
    confidence: float | None
    right_if_answered: bool


class RecordingAnswerer(ExtractiveAnswerer):
    """The extractive answerer with no threshold, keeping the confidence of its last answer."""

    def __init__(self) -> None:
        super().__init__(abstain_below=float("-inf"))
        self.confidence: float | None = None

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        self.confidence = self.best_confidence(question, retrieval)
        return super().answer(question, retrieval)


def observe(
    assistant: Assistant, answerer: RecordingAnswerer, questions: list[Question]
) -> list[Observation]:
    """Answer every question with no threshold; keep its confidence and correctness."""
    seen: list[Observation] = []
    for q in questions:
        answer = assistant.ask(q.question, history=list(q.history) or None)
        seen.append(
            Observation(
                q.id, q.answerable, answerer.confidence, q.answerable and is_correct(answer, q)
            )
        )
    return seen


def score(observations: list[Observation], threshold: float) -> float:
    """Mean of answer accuracy (answerable) and abstention (unanswerable) at `threshold`."""
    answers = [
        o.right_if_answered and o.confidence is not None and o.confidence >= threshold
        for o in observations
        if o.answerable
    ]
    declines = [
        o.confidence is None or o.confidence < threshold for o in observations if not o.answerable
    ]
    parts = [sum(x) / len(x) for x in (answers, declines) if x]
    return sum(parts) / len(parts) if parts else 0.0


def fit(observations: list[Observation]) -> float:
    """The threshold that scores best on `observations` (the middle of the best plateau)."""
    grid = [round(0.05 * i, 2) for i in range(-4, 25)]
    scores = [score(observations, t) for t in grid]
    best = max(scores)
    plateau = [t for t, s in zip(grid, scores, strict=True) if s == best]
    return plateau[len(plateau) // 2]


def cross_validate(observations: list[Observation], folds: int, seed: int = 0) -> list[float]:
    """Held-out scores of `folds` folds (shuffled once with `seed`)."""
    shuffled = observations[:]
    random.Random(seed).shuffle(shuffled)
    results = []
    for k in range(folds):
        test = shuffled[k::folds]
        train = [o for i, o in enumerate(shuffled) if i % folds != k]
        t = fit(train)
        results.append(score(test, t))
        print(
            f"fold {k + 1}: threshold {t:+.2f}  held-out score {results[-1]:.3f}  "
            f"({len(test)} questions)"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="store the fitted threshold")
    args = parser.parse_args()
    answerer = RecordingAnswerer()
    with tempfile.TemporaryDirectory() as index:
        assistant = Assistant.open(sources=ROOT / "sources", index=index, answerer=answerer)
        fit_on = [q for name in FIT_FILES for q in load_questions(EVAL / name)]
        held_out = load_questions(EVAL / HELD_OUT)
        observations = observe(assistant, answerer, fit_on)
        held = observe(assistant, answerer, held_out)
    folds = cross_validate(observations, args.folds)
    print(
        f"cross-validated score: {sum(folds) / len(folds):.3f} over {len(observations)} "
        f"questions in {len(FIT_FILES)} files"
    )
    threshold = fit(observations)
    print(f"threshold fitted on all fit files: {threshold:+.2f}")
    print(f"{HELD_OUT} (never fitted on), {len(held)} questions: {score(held, threshold):.3f}")
    if args.write:
        FITTED.write_text(
            json.dumps(
                {
                    "values": {"abstain_below": threshold},
                    "fitted_on": list(FIT_FILES),
                    "cross_validated_score": round(sum(folds) / len(folds), 4),
                    "folds": [round(f, 4) for f in folds],
                    "held_out": {HELD_OUT: round(score(held, threshold), 4)},
                    "command": "python scripts/fit_answerer.py --write",
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {FITTED}")


if __name__ == "__main__":
    main()

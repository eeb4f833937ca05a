"""Fit the extractive answerer's decision to answer or decline from labelled questions.

    .venv/bin/python scripts/fit_answerer.py [--folds 5] [--cache FILE] [--write]

Each question is answered once with no threshold, recording the features of the decision
(`assistant.answering.abstention.DECISION_FEATURES`, None when verification leaves nothing),
the old confidence (best score minus the absent-word penalty) and whether that answer is right
(`assistant.evaluation.scoring.is_correct`). Two decisions are then fitted and compared on the
same folds: the old one (decline when the confidence is below a threshold) and a logistic model
of P(the answer is right) over the features (decline when P is below a threshold). A decision's
score is the harness's `overall`: the share of questions answered rightly (answerable) or
declined (unanswerable).

Folds are grouped: the turns of one conversation, and the questions whose evidence lies in one
paragraph of the source, stay in one fold, so a paraphrase cannot be fitted on its twin. The
script prints each fold's scores, then the scores on `holdout.jsonl` and `holdout-2.jsonl`,
which are only reported, never fitted on. With --write it stores the model fitted on all fit
files in fitted.json.
--cache keeps the observations for refitting in seconds; it is reused only while the feature
names and files are the same, so delete it after changing the answerer or a question file.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from labelled import (
    EVAL,
    FIT_FILES,
    HELD_OUT,
    HELD_OUT_NAME,
    OFFICIAL_FILES,
    ROOT,
    folds_of,
    group_of,
    official_sources,
    write_fitted,
)

from assistant import Assistant
from assistant.answering.abstention import ABSTAIN_BELOW, DECISION, DECISION_FEATURES
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.retrieve import Retrieval
from assistant.evaluation.harness import is_correct, load_questions
from assistant.schema import Answer

FILES = [*FIT_FILES, *(p.name for p in OFFICIAL_FILES)]
# Ridge penalties on the standardised weights; one is chosen by inner cross-validation.
PENALTIES = (0.1, 1.0, 10.0, 100.0)
PROBABILITIES = [round(0.025 * i, 3) for i in range(1, 40)]
CONFIDENCES = [round(0.05 * i, 2) for i in range(-4, 25)]


@dataclass(frozen=True)
class Observation:
    """One question answered without a threshold."""

    id: str
    file: str
    group: str  # questions that must stay in one fold share it
    answerable: bool
    confidence: float | None  # the old decision's confidence
    features: list[float] | None  # DECISION_FEATURES; None: nothing verified can answer
    right_if_answered: bool


class RecordingAnswerer(ExtractiveAnswerer):
    """The extractive answerer with no threshold, keeping what its last decision weighed."""

    def __init__(self) -> None:
        super().__init__(abstain_below=float("-inf"))
        self.confidence: float | None = None
        self.features: tuple[float, ...] | None = None

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        self.confidence = self.best_confidence(question, retrieval)
        self.features = self.decision_features(question, retrieval)
        return super().answer(question, retrieval)


def observe(
    assistant: Assistant, answerer: RecordingAnswerer, files: Sequence[str | Path], source: str
) -> list[Observation]:
    """Answer every question of `files` with no threshold; keep what the decision weighs."""
    paragraphs = [" ".join(p.split()) for p in source.split("\n\n")]
    seen: list[Observation] = []
    for path in files:
        file = Path(path).name
        for q in load_questions(EVAL / path):
            answer = assistant.ask(q.question, history=list(q.history) or None)
            features = answerer.features
            seen.append(
                Observation(
                    q.id,
                    file,
                    group_of(q, file, paragraphs),
                    q.answerable,
                    answerer.confidence,
                    list(features) if features is not None else None,
                    q.answerable and is_correct(answer, q),
                )
            )
    return seen


def score(observations: Sequence[Observation], answers: Callable[[Observation], bool]) -> float:
    """Share of questions answered rightly (answerable) or declined (unanswerable)."""
    good = [
        o.right_if_answered and answers(o) if o.answerable else not answers(o) for o in observations
    ]
    return sum(good) / len(good) if good else 0.0


def best_threshold(grid: Sequence[float], scores: Sequence[float]) -> float:
    """The middle of the best plateau of `scores` over `grid`."""
    top = max(scores)
    plateau = [t for t, s in zip(grid, scores, strict=True) if s == top]
    return plateau[len(plateau) // 2]


def confident_at(threshold: float) -> Callable[[Observation], bool]:
    """The old decision: answer when the confidence reaches `threshold`."""
    return lambda o: o.confidence is not None and o.confidence >= threshold


def fit_threshold(observations: Sequence[Observation]) -> float:
    """The old decision's threshold that scores best on `observations`."""
    return best_threshold(CONFIDENCES, [score(observations, confident_at(t)) for t in CONFIDENCES])


@dataclass(frozen=True)
class Model:
    """P(right) = sigmoid(intercept + weights . features); answer when P >= threshold."""

    weights: list[float]  # DECISION_FEATURES order, on the features' own scale
    intercept: float
    threshold: float

    def probability(self, features: Sequence[float] | None) -> float:
        """P(the answer is right); 0 when nothing verified can answer."""
        if features is None:
            return 0.0
        z = self.intercept + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def answers(self, o: Observation) -> bool:
        """True when the model answers `o`."""
        return o.features is not None and self.probability(o.features) >= self.threshold


def fit_model(observations: Sequence[Observation], l2: float | None = None) -> Model:
    """Ridge logistic regression (Newton's method) of right_if_answered, then its threshold;
    the penalty `l2`, when not given, chosen by inner cross-validation (`choose_penalty`)."""
    if l2 is None:
        l2 = choose_penalty(observations)
    usable = [o for o in observations if o.features is not None]
    x = np.array([o.features for o in usable], dtype=float)
    y = np.array([o.right_if_answered for o in usable], dtype=float)
    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / spread])
    w = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [l2] * (z.shape[1] - 1))
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    weights = w[1:] / spread
    intercept = float(w[0] - (weights * mean).sum())
    raw = Model([float(v) for v in weights], intercept, 0.5)
    scores = [score(observations, Model(raw.weights, intercept, t).answers) for t in PROBABILITIES]
    return Model(raw.weights, intercept, best_threshold(PROBABILITIES, scores))


def choose_penalty(observations: Sequence[Observation], folds: int = 3) -> float:
    """The penalty of PENALTIES whose models score best on inner folds (ties: the larger)."""
    parts = folds_of([o.group for o in observations], folds)
    best: tuple[float, float] | None = None
    for l2 in PENALTIES:
        scores = []
        for part in parts:
            held = set(part)
            model = fit_model([o for i, o in enumerate(observations) if i not in held], l2)
            scores.append(score([observations[i] for i in part], model.answers))
        point = (sum(scores) / len(scores), l2)
        if best is None or point >= best:
            best = point
    assert best is not None
    return best[1]


def cross_validate(observations: list[Observation], folds: int) -> tuple[list[float], list[float]]:
    """Held-out fold scores of the old decision and of the model, on the same folds."""
    old: list[float] = []
    new: list[float] = []
    for k, test_ids in enumerate(folds_of([o.group for o in observations], folds)):
        held = set(test_ids)
        test = [observations[i] for i in test_ids]
        train = [o for i, o in enumerate(observations) if i not in held]
        t = fit_threshold(train)
        l2 = choose_penalty(train)
        model = fit_model(train, l2)
        old.append(score(test, confident_at(t)))
        new.append(score(test, model.answers))
        print(
            f"fold {k + 1} ({len(test)} questions): old threshold {t:+.2f} -> {old[-1]:.3f}; "
            f"model (L2 {l2}), P >= {model.threshold:.3f} -> {new[-1]:.3f}"
        )
    return old, new


def load_or_observe(cache: Path | None) -> tuple[list[Observation], list[Observation]]:
    """Observations of the fit files and of the held-out file, from `cache` when it has them."""
    if cache is not None and cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data["features"] == list(DECISION_FEATURES) and data["files"] == FILES:
            return [Observation(**o) for o in data["fit"]], [Observation(**o) for o in data["held"]]
    answerer = RecordingAnswerer()
    with tempfile.TemporaryDirectory() as index:
        assistant = Assistant.open(sources=ROOT / "sources", index=index, answerer=answerer)
        text = "\n\n".join(assistant.source_text(s.id) or "" for s in assistant.sources())
        fit_on = observe(assistant, answerer, [f for f in FIT_FILES if (EVAL / f).exists()], text)
        held = observe(assistant, answerer, list(HELD_OUT), text)
        assistant.close()
    # Questions on the invented final acts, asked over them indexed beside the commentary.
    with tempfile.TemporaryDirectory() as work:
        sources = official_sources(Path(work) / "sources")
        assistant = Assistant.open(sources=sources, index=Path(work) / "index", answerer=answerer)
        text = "\n\n".join(assistant.source_text(s.id) or "" for s in assistant.sources())
        fit_on += observe(assistant, answerer, list(OFFICIAL_FILES), text)
        assistant.close()
    if cache is not None:
        cache.write_text(
            json.dumps(
                {
                    "features": list(DECISION_FEATURES),
                    "files": FILES,
                    "fit": [asdict(o) for o in fit_on],
                    "held": [asdict(o) for o in held],
                }
            ),
            encoding="utf-8",
        )
    return fit_on, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, help="keep the observations here, and reuse them")
    parser.add_argument("--write", action="store_true", help="store the fitted model")
    args = parser.parse_args()
    observations, held = load_or_observe(args.cache)
    old, new = cross_validate(observations, args.folds)
    files = sorted({o.file for o in observations})
    print(
        f"cross-validated: old {sum(old) / len(old):.3f}, model {sum(new) / len(new):.3f} "
        f"over {len(observations)} questions in {len(files)} files"
    )
    threshold = fit_threshold(observations)
    l2 = choose_penalty(observations)
    model = fit_model(observations, l2)
    held_old = score(held, confident_at(threshold))
    held_new = score(held, model.answers)
    print(
        f"fitted on all fit files: old threshold {threshold:+.2f}, model (L2 {l2}) "
        f"P >= {model.threshold}"
    )
    for name, weight in zip(DECISION_FEATURES, model.weights, strict=True):
        print(f"  {name:>15} {weight:+.3f}")
    print(f"  {'intercept':>15} {model.intercept:+.3f}")
    print(
        f"{HELD_OUT_NAME} (never fitted on), {len(held)} questions: "
        f"old {held_old:.3f}, model {held_new:.3f}"
    )
    stored = Model(list(DECISION.weights), DECISION.intercept, ABSTAIN_BELOW)
    print(
        f"the stored model (fitted.json, P >= {ABSTAIN_BELOW}): fit files "
        f"{score(observations, stored.answers):.3f} (in-sample), {HELD_OUT_NAME} "
        f"{score(held, stored.answers):.3f}"
    )
    if args.write:
        write_fitted(
            "decision",
            {
                "weights": {
                    name: round(w, 6)
                    for name, w in zip(DECISION_FEATURES, model.weights, strict=True)
                },
                "intercept": round(model.intercept, 6),
                "penalty": l2,
                "fitted_on": files,
                "cross_validated_score": round(sum(new) / len(new), 4),
                "folds": [round(f, 4) for f in new],
                "held_out": {HELD_OUT_NAME: round(held_new, 4)},
                "command": "python scripts/fit_answerer.py --write",
            },
            {"abstain_below": model.threshold},
        )


if __name__ == "__main__":
    main()

"""Fit the ranker's conversation weights from the labelled follow-up turns, cross-validated.

    .venv/bin/python scripts/fit_followups.py [--folds 5] [--write]

The four conversation features of `assistant.answering.ranking.FEATURES` (`repeated`,
`after_said`, `beside_said`, `near_said`: where a candidate stands relative to the passages the
previous answer quoted) are nonzero only in follow-up turns, so they are fitted on those alone,
every other weight staying as fitted.json has it (`scripts/fit_ranker.py` fits those; its fitted
values are not adopted, see BENCHMARKS.md). Each weight is taken from a small grid: the
combination whose best verified candidate is right for the most training turns wins, ties going
to the smallest weights. Folds are grouped as in `fit_ranker.py` (one conversation per fold);
the held-out turns of `holdout.jsonl` are only reported. With --write the weights fitted on all
follow-up turns go to fitted.json's ranker; then refit the decline model
(`scripts/fit_answerer.py --write`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from fit_ranker import Asked, Group, ask_all, groups_for, outcomes, summary
from labelled import (
    EVAL,
    FIT_FILES,
    FITTED,
    HELD_OUT,
    OFFICIAL_FILES,
    ROOT,
    folds_of,
    official_sources,
)

from assistant.answering.extractive import Selection
from assistant.answering.ranking import FEATURES, Settings, candidates, fitted

CONVERSATION = ("repeated", "after_said", "beside_said", "near_said")
GRID = tuple(round(0.15 * i, 2) for i in range(-4, 5))  # -0.6 .. 0.6
_FREE = [FEATURES.index(name) for name in CONVERSATION]


def top1_each(groups: Sequence[Group], weights: np.ndarray) -> np.ndarray:
    """Per question: is its best-ranked verified candidate right (no candidate: wrong)."""
    return np.array(
        [bool(g.x.size) and bool(g.right[int(np.argmax(g.x @ weights))]) for g in groups]
    )


def with_free(base: np.ndarray, free: Sequence[float]) -> np.ndarray:
    """`base` with the conversation weights replaced by `free`."""
    weights = base.copy()
    weights[_FREE] = free
    return weights


COMBINATIONS = np.array(list(itertools.product(GRID, repeat=len(_FREE))))  # C x 4


def hits(groups: Sequence[Group], base: np.ndarray) -> np.ndarray:
    """Questions x COMBINATIONS: is the best verified candidate right under each combination."""
    fixed = base.copy()
    fixed[_FREE] = 0.0
    found = np.zeros((len(groups), len(COMBINATIONS)), dtype=bool)
    for i, g in enumerate(groups):
        if g.x.size:
            scores = (g.x @ fixed)[:, None] + g.x[:, _FREE] @ COMBINATIONS.T  # n x C
            found[i] = g.right[np.argmax(scores, axis=0)]
    return found


def fit(table: np.ndarray) -> tuple[float, ...]:
    """The combination right for the most rows of `table`; ties: the smallest weights."""
    right = table.sum(axis=0)
    size = np.abs(COMBINATIONS).sum(axis=1)
    best = min(range(len(COMBINATIONS)), key=lambda c: (-right[c], size[c]))
    return tuple(float(w) for w in COMBINATIONS[best])


def answers_right(asked: Sequence[Asked], settings: Settings) -> float:
    """Share of `asked` whose composed answer (before the decline decision) is right."""
    ranked = [candidates(a.turn, a.retrieval, settings)[1] for a in asked]
    return summary(outcomes(asked, ranked, Selection.fitted()))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="store the fitted weights")
    args = parser.parse_args()
    current = fitted()
    asked = ask_all(ROOT / "sources", [EVAL / f for f in FIT_FILES])
    with tempfile.TemporaryDirectory() as folder:
        asked += ask_all(official_sources(Path(folder) / "sources"), OFFICIAL_FILES)
    asked = [a for a in asked if a.question.history]
    held = [a for a in ask_all(ROOT / "sources", [EVAL / HELD_OUT]) if a.question.history]
    print(f"{len(asked)} answerable follow-up turns to fit on, {len(held)} held out")
    terms = (current.earlier_turn_weight, current.title_weight)
    groups, held_groups = groups_for(asked, *terms), groups_for(held, *terms)
    base = np.array(current.weights)
    table = hits(groups, base)
    fitted_hits: list[float] = []
    base_hits: list[float] = []
    for k, test in enumerate(folds_of([a.group for a in asked], args.folds)):
        free = fit(table[[i for i in range(len(asked)) if i not in set(test)]])
        tested = [groups[i] for i in test]
        fitted_hits.append(float(top1_each(tested, with_free(base, free)).mean()))
        base_hits.append(float(top1_each(tested, base).mean()))
        print(
            f"fold {k + 1} ({len(test)} turns): {dict(zip(CONVERSATION, free, strict=True))} "
            f"best candidate right {fitted_hits[-1]:.3f} (current weights {base_hits[-1]:.3f})"
        )
    print(
        f"cross-validated best candidate right: fitted {np.mean(fitted_hits):.3f}, "
        f"current {np.mean(base_hits):.3f}"
    )
    free = fit(table)
    weights = with_free(base, free)
    chosen = Settings(tuple(float(w) for w in weights), *terms)
    print(f"fitted on all {len(asked)} turns: {dict(zip(CONVERSATION, free, strict=True))}")
    print(
        f"{HELD_OUT} (never fitted on), {len(held)} follow-up turns: best candidate right "
        f"{top1_each(held_groups, weights).mean():.3f} (current "
        f"{top1_each(held_groups, base).mean():.3f}); answer right "
        f"{answers_right(held, chosen):.3f} (current {answers_right(held, current):.3f})"
    )
    if args.write:
        data = json.loads(FITTED.read_text("utf-8"))
        data["ranker"]["weights"].update(dict(zip(CONVERSATION, free, strict=True)))
        data["ranker"]["conversation"] = {
            "fitted": list(CONVERSATION),
            "fitted_on": "the follow-up turns of " + ", ".join(FIT_FILES),
            "cross_validated_best_right": round(float(np.mean(fitted_hits)), 4),
            "command": "python scripts/fit_followups.py --write",
        }
        FITTED.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the conversation weights to {FITTED}")


if __name__ == "__main__":
    main()

"""Fit the ranker's conversation weights from the labelled follow-up turns, cross-validated.

    .venv/bin/python scripts/fit_followups.py [--folds 5] [--write]

The four conversation features of `assistant.answering.ranking.FEATURES` (`repeated`,
`after_said`, `beside_said`, `near_said`: where a candidate stands relative to the passages the
previous answer quoted) and `earlier_turn_weight` (how much a word only an earlier question used
counts) matter in follow-up turns alone, so they are fitted on those, every other weight staying
as fitted.json has it (`scripts/fit_ranker.py` fits those; its fitted values are not adopted,
see BENCHMARKS.md). Each weight is taken from a small grid: the combination whose best verified
candidate is right for the most training turns wins, ties going to the hand-set earlier-turn
weight (0.3), then to the smallest weights; "current" scores what fitted.json holds. Folds are
grouped as in `fit_ranker.py` (one conversation per fold); the follow-up turns of
`holdout.jsonl` and `holdout-2.jsonl` are only reported. With --write the values
fitted on all follow-up turns go to fitted.json; then refit the decline model
(`scripts/fit_answerer.py`), and write it only when it does better.
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
    HELD_OUT_NAME,
    OFFICIAL_FILES,
    ROOT,
    folds_of,
    official_sources,
)

from assistant.answering.extractive import Selection
from assistant.answering.ranking import FEATURES, Settings, candidates, fitted

CONVERSATION = ("repeated", "after_said", "beside_said", "near_said")
GRID = tuple(round(0.15 * i, 2) for i in range(-4, 5))  # -0.6 .. 0.6
# How much a word only an earlier question used counts (`earlier_turn_weight`): it, too,
# matters in follow-up turns alone.
EARLIER = (0.0, 0.15, 0.3, 0.5, 1.0)
HAND_SET_EARLIER = 0.3  # its value before it was fitted: ties go to it, so a rerun fits the same
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


def fit(
    tables: dict[float, np.ndarray], rows: Sequence[int], current: float = HAND_SET_EARLIER
) -> tuple[float, tuple[float, ...]]:
    """The earlier-turn weight and combination right for the most `rows` of their table.

    Ties go to `current` (the hand-set earlier-turn weight), then to the smallest weights.
    """
    size = np.abs(COMBINATIONS).sum(axis=1)
    best: tuple[tuple[float, float, float], float, int] | None = None
    for earlier, table in tables.items():
        right = table[list(rows)].sum(axis=0)
        c = min(range(len(COMBINATIONS)), key=lambda c: (-right[c], size[c]))
        key = (-float(right[c]), float(earlier != current), float(size[c]))
        if best is None or key < best[0]:
            best = (key, earlier, c)
    assert best is not None
    return best[1], tuple(float(w) for w in COMBINATIONS[best[2]])


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
    held = [
        a for a in ask_all(ROOT / "sources", [EVAL / f for f in HELD_OUT]) if a.question.history
    ]
    print(f"{len(asked)} answerable follow-up turns to fit on, {len(held)} held out")
    now = current.earlier_turn_weight
    by_earlier = {e: groups_for(asked, e, current.title_weight) for e in EARLIER}
    base = np.array(current.weights)
    tables = {e: hits(found, base) for e, found in by_earlier.items()}
    now_groups = groups_for(asked, now, current.title_weight)
    fitted_hits: list[float] = []
    base_hits: list[float] = []
    for k, test in enumerate(folds_of([a.group for a in asked], args.folds)):
        earlier, free = fit(tables, [i for i in range(len(asked)) if i not in set(test)])
        tested = [by_earlier[earlier][i] for i in test]
        fitted_hits.append(float(top1_each(tested, with_free(base, free)).mean()))
        base_hits.append(float(top1_each([now_groups[i] for i in test], base).mean()))
        print(
            f"fold {k + 1} ({len(test)} turns): earlier {earlier}, "
            f"{dict(zip(CONVERSATION, free, strict=True))} best candidate right "
            f"{fitted_hits[-1]:.3f} (current values {base_hits[-1]:.3f})"
        )
    print(
        f"cross-validated best candidate right: fitted {np.mean(fitted_hits):.3f}, "
        f"current {np.mean(base_hits):.3f}"
    )
    earlier, free = fit(tables, range(len(asked)))
    weights = with_free(base, free)
    chosen = Settings(tuple(float(w) for w in weights), earlier, current.title_weight)
    held_groups = groups_for(held, earlier, current.title_weight)
    held_now = groups_for(held, now, current.title_weight)
    print(
        f"fitted on all {len(asked)} turns: earlier {earlier}, "
        f"{dict(zip(CONVERSATION, free, strict=True))}"
    )
    print(
        f"{HELD_OUT_NAME} (never fitted on), {len(held)} follow-up turns: best candidate right "
        f"{top1_each(held_groups, weights).mean():.3f} (current "
        f"{top1_each(held_now, base).mean():.3f}); answer right "
        f"{answers_right(held, chosen):.3f} (current {answers_right(held, current):.3f})"
    )
    if args.write:
        data = json.loads(FITTED.read_text("utf-8"))
        data["ranker"]["weights"].update(dict(zip(CONVERSATION, free, strict=True)))
        data["values"]["earlier_turn_weight"] = earlier
        data["ranker"]["conversation"] = {
            "fitted": [*CONVERSATION, "earlier_turn_weight"],
            "fitted_on": "the follow-up turns of " + ", ".join(FIT_FILES),
            "cross_validated_best_right": round(float(np.mean(fitted_hits)), 4),
            "command": "python scripts/fit_followups.py --write",
        }
        FITTED.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the conversation weights to {FITTED}")


if __name__ == "__main__":
    main()

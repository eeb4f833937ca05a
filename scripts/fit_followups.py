"""Fit a group of the ranker's weights on the questions they matter for, cross-validated.

    .venv/bin/python scripts/fit_followups.py [--group conversation|cues|words] [--folds 5]
        [--write]

`--group cues` fits the answer-cue weights (`settles`, `gives_cause`, `view_stance`,
`neighbour_similarity`: a yes/no question and a sentence that says no, a why-question and a
cause, a question about the author's view and a sentence that takes one, the similarity of the
sentences around a candidate) on every answerable fit question, the same way: a grid per
weight, every other weight as fitted.json has it, `earlier_turn_weight` kept. `--group words`
fits `word_match` (the question's words matched by meaning, `index.word_vectors`) likewise,
on a grid of its own (0 .. 3).

The default group, `conversation`:
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
CUES = ("settles", "gives_cause", "view_stance", "neighbour_similarity")
WORDS = ("word_match",)
GROUPS = {"conversation": CONVERSATION, "cues": CUES, "words": WORDS}
GRID = tuple(round(0.15 * i, 2) for i in range(-4, 5))  # -0.6 .. 0.6
# word_match is a similarity like `similarity` (weight 1.0): its grid spans 0 .. 3.
GRIDS = {"words": tuple(round(0.25 * i, 2) for i in range(13))}
# How much a word only an earlier question used counts (`earlier_turn_weight`): it, too,
# matters in follow-up turns alone.
EARLIER = (0.0, 0.15, 0.3, 0.5, 1.0)
HAND_SET_EARLIER = 0.3  # its value before it was fitted: ties go to it, so a rerun fits the same


def top1_each(groups: Sequence[Group], weights: np.ndarray) -> np.ndarray:
    """Per question: is its best-ranked verified candidate right (no candidate: wrong)."""
    return np.array(
        [bool(g.x.size) and bool(g.right[int(np.argmax(g.x @ weights))]) for g in groups]
    )


def with_free(base: np.ndarray, names: Sequence[str], free: Sequence[float]) -> np.ndarray:
    """`base` with the weights of `names` replaced by `free`."""
    weights = base.copy()
    weights[[FEATURES.index(n) for n in names]] = free
    return weights


def combinations(names: Sequence[str]) -> np.ndarray:
    """Every combination of grid values for `names` (C x len(names))."""
    grid = GRIDS["words"] if tuple(names) == WORDS else GRID
    return np.array(list(itertools.product(grid, repeat=len(names))))


def hits(groups: Sequence[Group], base: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Questions x combinations: is the best verified candidate right under each combination."""
    free = [FEATURES.index(n) for n in names]
    grid = combinations(names)
    fixed = base.copy()
    fixed[free] = 0.0
    found = np.zeros((len(groups), len(grid)), dtype=bool)
    for i, g in enumerate(groups):
        if g.x.size:
            scores = (g.x @ fixed)[:, None] + g.x[:, free] @ grid.T  # n x C
            found[i] = g.right[np.argmax(scores, axis=0)]
    return found


def fit(
    tables: dict[float, np.ndarray],
    rows: Sequence[int],
    names: Sequence[str],
    current: float = HAND_SET_EARLIER,
) -> tuple[float, tuple[float, ...]]:
    """The earlier-turn weight and combination right for the most `rows` of their table.

    Ties go to `current` (the hand-set earlier-turn weight), then to the smallest weights.
    """
    grid = combinations(names)
    size = np.abs(grid).sum(axis=1)
    best: tuple[tuple[float, float, float], float, int] | None = None
    for earlier, table in tables.items():
        right = table[list(rows)].sum(axis=0)
        c = min(range(len(grid)), key=lambda c: (-right[c], size[c]))
        key = (-float(right[c]), float(earlier != current), float(size[c]))
        if best is None or key < best[0]:
            best = (key, earlier, c)
    assert best is not None
    return best[1], tuple(float(w) for w in grid[best[2]])


def answers_right(asked: Sequence[Asked], settings: Settings) -> float:
    """Share of `asked` whose composed answer (before the decline decision) is right."""
    ranked = [candidates(a.turn, a.retrieval, settings)[1] for a in asked]
    return summary(outcomes(asked, ranked, Selection.fitted()))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", choices=sorted(GROUPS), default="conversation")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="store the fitted weights")
    args = parser.parse_args()
    names = GROUPS[args.group]
    current = fitted()
    now = current.earlier_turn_weight
    asked = ask_all(ROOT / "sources", [EVAL / f for f in FIT_FILES])
    with tempfile.TemporaryDirectory() as folder:
        asked += ask_all(official_sources(Path(folder) / "sources"), OFFICIAL_FILES)
    held = ask_all(ROOT / "sources", [EVAL / f for f in HELD_OUT])
    # The conversation weights matter in follow-up turns alone, with the earlier-turn weight;
    # the cues in any question, with the earlier-turn weight as it is.
    conversation = args.group == "conversation"
    if conversation:
        asked = [a for a in asked if a.question.history]
        held = [a for a in held if a.question.history]
    earliers = EARLIER if conversation else (now,)
    tie = HAND_SET_EARLIER if conversation else now
    print(f"{len(asked)} answerable questions to fit {names} on, {len(held)} held out")
    by_earlier = {e: groups_for(asked, e, current.title_weight) for e in earliers}
    base = np.array(current.weights)
    tables = {e: hits(found, base, names) for e, found in by_earlier.items()}
    now_groups = groups_for(asked, now, current.title_weight)
    fitted_hits: list[float] = []
    base_hits: list[float] = []
    for k, test in enumerate(folds_of([a.group for a in asked], args.folds)):
        train = [i for i in range(len(asked)) if i not in set(test)]
        earlier, free = fit(tables, train, names, tie)
        tested = [by_earlier[earlier][i] for i in test]
        fitted_hits.append(float(top1_each(tested, with_free(base, names, free)).mean()))
        base_hits.append(float(top1_each([now_groups[i] for i in test], base).mean()))
        print(
            f"fold {k + 1} ({len(test)} questions): earlier {earlier}, "
            f"{dict(zip(names, free, strict=True))} best candidate right "
            f"{fitted_hits[-1]:.3f} (current values {base_hits[-1]:.3f})"
        )
    print(
        f"cross-validated best candidate right: fitted {np.mean(fitted_hits):.3f}, "
        f"current {np.mean(base_hits):.3f}"
    )
    earlier, free = fit(tables, range(len(asked)), names, tie)
    weights = with_free(base, names, free)
    chosen = Settings(tuple(float(w) for w in weights), earlier, current.title_weight)
    held_groups = groups_for(held, earlier, current.title_weight)
    held_now = groups_for(held, now, current.title_weight)
    print(
        f"fitted on all {len(asked)} questions: earlier {earlier}, "
        f"{dict(zip(names, free, strict=True))}"
    )
    print(
        f"{HELD_OUT_NAME} (never fitted on), {len(held)} questions: best candidate right "
        f"{top1_each(held_groups, weights).mean():.3f} (current "
        f"{top1_each(held_now, base).mean():.3f}); answer right "
        f"{answers_right(held, chosen):.3f} (current {answers_right(held, current):.3f})"
    )
    if args.write:
        data = json.loads(FITTED.read_text("utf-8"))
        data["ranker"]["weights"].update(dict(zip(names, free, strict=True)))
        data["values"]["earlier_turn_weight"] = earlier
        data["ranker"][args.group] = {
            "fitted": [*names, *(["earlier_turn_weight"] if conversation else [])],
            "fitted_on": ("the follow-up turns of " if conversation else "")
            + ", ".join([*FIT_FILES, *(p.name for p in OFFICIAL_FILES)]),
            "cross_validated_best_right": round(float(np.mean(fitted_hits)), 4),
            "command": f"python scripts/fit_followups.py --group {args.group} --write",
        }
        FITTED.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the {args.group} weights to {FITTED}")


if __name__ == "__main__":
    main()

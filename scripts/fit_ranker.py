"""Fit the sentence ranker and the answer's length from labelled questions, cross-validated.

    .venv/bin/python scripts/fit_ranker.py [--folds 5] [--write]

Every answerable question of the fit files (`labelled.py`: commentary questions over `sources/`,
and questions on the invented final-acts documents indexed beside it) is asked once and its
retrieval kept. For given term weights (`earlier_turn_weight`, `title_weight`) each retrieved
sentence that passes verification is a candidate, described by
`assistant.answering.ranking.FEATURES`; it is right when it holds an evidence phrase.

1. Ranker weights: listwise logistic regression (the softmax over a question's candidates puts
   its mass on the right ones) with an L2 penalty, on standardised features, fitted by L-BFGS.
   The two term weights and the penalty are chosen from a grid by inner cross-validation;
   the outer folds (grouped: one conversation, or one evidence paragraph, per fold) report how
   often the best candidate is right on questions the choice never saw.
2. Answer length: with those weights, `second_within` and `list_within` (how close to the best
   a sentence must score to join the answer) are chosen from a grid to answer the most
   questions rightly (`scoring.is_correct` on the composed answer) while the median answer stays
   within MAX_MEDIAN_WORDS, the issue's limit; cross-validated the same way.

With --length-only the ranker stays as fitted.json has it and only step 2 runs (the same nested
cross-validation), for a ranker whose fitted weights were not adopted.

`holdout.jsonl` and `holdout-2.jsonl` are only reported, never fitted on. With --write the values
fitted on all fit questions go to fitted.json; then refit the answer/decline model
(`scripts/fit_answerer.py --write`), whose features include the ranker's scores.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
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
from scipy.optimize import minimize

from assistant import Assistant
from assistant.answering.extractive import ExtractiveAnswerer, Selection, choose, compose
from assistant.answering.ranking import (
    FEATURES,
    Scored,
    Settings,
    candidates,
    candidates_of,
    fitted,
)
from assistant.answering.ranking import verified as passes
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import Turn, read_turn
from assistant.evaluation.questions import Question, load_questions
from assistant.evaluation.scoring import has_evidence, is_correct, word_count
from assistant.schema import Answer

TERM_WEIGHTS = (0.0, 0.25, 0.5, 1.0)  # grid of earlier_turn_weight and of title_weight
PENALTIES = (0.003, 0.03, 0.3)  # grid of the L2 penalty on standardised weights
MAX_MEDIAN_WORDS = 50  # the limit is 60; fold medians spread ~+-12 words around the target
NO_WEIGHTS = (0.0,) * len(FEATURES)
# The hand-set values the fitted ones replaced (2026-12-03; new_value did not exist, so 0),
# printed beside them for comparison.
REFERENCE = Settings(
    # FEATURES order; after_said, beside_said, near_said and the later features were 0.
    (1.0, 0.9, 0.45, 0.0, 0.25, -0.125, 0.4, -0.2, 0.1, 0.2, -0.2, 0.2, -0.2, 0.0, -0.3)
    + (0.0,) * (len(FEATURES) - 15),
    earlier_turn_weight=0.3,
    title_weight=0.3,
)
REFERENCE_SELECTION = Selection(second_within=0.2, list_within=0.25)


@dataclass(frozen=True)
class Asked:
    """One answerable question, asked once: its retrieval, and the fold group it belongs to."""

    question: Question
    group: str
    turn: Turn
    retrieval: Retrieval


@dataclass(frozen=True)
class Group:
    """One question's verified candidates: features (n x d) and which are right."""

    x: np.ndarray
    right: np.ndarray


class Recorder(ExtractiveAnswerer):
    """The extractive answerer, keeping the retrieval of its last question."""

    def __init__(self) -> None:
        super().__init__()
        self.last: tuple[str, Retrieval] | None = None

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        self.last = (question, retrieval)
        return super().answer(question, retrieval)


def ask_all(sources: Path, files: Sequence[Path]) -> list[Asked]:
    """Ask every answerable question of `files` over an index of `sources`; keep retrievals."""
    recorder = Recorder()
    asked: list[Asked] = []
    with tempfile.TemporaryDirectory() as index:
        assistant = Assistant.open(sources=sources, index=index, answerer=recorder)
        text = "\n\n".join(assistant.source_text(s.id) or "" for s in assistant.sources())
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
        for file in files:
            for q in load_questions(file):
                if not q.answerable:
                    continue
                assistant.ask(q.question, history=list(q.history) or None)
                assert recorder.last is not None
                question, retrieval = recorder.last
                turn = retrieval.turn or read_turn(question)
                group = f"{file.name}: {group_of(q, file.name, paragraphs)}"
                asked.append(Asked(q, group, turn, retrieval))
        assistant.close()
    return asked


def groups_for(asked: Sequence[Asked], earlier: float, title: float) -> list[Group]:
    """Each question's verified candidates, under the given term weights."""
    settings = Settings(NO_WEIGHTS, earlier_turn_weight=earlier, title_weight=title)
    found: list[Group] = []
    for a in asked:
        titles = {p.source: p.title for p in a.retrieval.passages}
        rows, right = [], []
        for c in candidates_of(a.turn, a.retrieval, settings):
            item = Scored(0.0, c.chunk, c.sentence)
            if passes(item, a.turn.analysis, titles.get(c.chunk.source, "")):
                rows.append(c.values)
                right.append(has_evidence(c.sentence.text, a.question.evidence))
        x = np.array(rows, dtype=float).reshape(-1, len(FEATURES))
        found.append(Group(x, np.array(right, dtype=bool)))
    return found


def fit(groups: Sequence[Group], penalty: float) -> np.ndarray:
    """Weights (raw feature units) maximising the softmax probability of the right candidates."""
    usable = [g for g in groups if g.right.any() and not g.right.all()]
    stacked = np.vstack([g.x for g in usable])
    mean, sd = stacked.mean(axis=0), stacked.std(axis=0)
    sd[sd == 0] = 1.0
    n = max(len(g.right) for g in usable)
    x = np.zeros((len(usable), n, len(FEATURES)))
    right = np.zeros((len(usable), n), dtype=bool)
    real = np.zeros((len(usable), n), dtype=bool)
    for i, g in enumerate(usable):
        x[i, : len(g.right)] = (g.x - mean) / sd
        right[i, : len(g.right)] = g.right
        real[i, : len(g.right)] = True

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.where(real, x @ w, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        q = np.where(right, p, 0.0)
        mass = q.sum(axis=1)
        q /= mass[:, None]
        total = penalty * float(w @ w) - float(np.log(mass).mean())
        grad = 2 * penalty * w + np.einsum("gn,gnd->d", p - q, x) / len(usable)
        return total, grad

    found = minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B")
    weights: np.ndarray = found.x / sd
    return weights


def top1(groups: Sequence[Group], w: np.ndarray) -> float:
    """Share of questions whose best-ranked verified candidate is right (none: wrong)."""
    hits = [bool(g.x.size) and bool(g.right[int(np.argmax(g.x @ w))]) for g in groups]
    return sum(hits) / len(hits) if hits else 0.0


@dataclass(frozen=True)
class Choice:
    """Term weights, penalty and the weights fitted with them."""

    earlier: float
    title: float
    penalty: float
    weights: np.ndarray


def pick(
    by_terms: dict[tuple[float, float], list[Group]], groups: list[str], train: list[int]
) -> Choice:
    """The grid point with the best inner cross-validated top-1 on `train`, refitted on it."""
    inner = folds_of([groups[i] for i in train], 3)
    best: tuple[float, float, float, float] | None = None
    for (earlier, title), found in by_terms.items():
        for penalty in PENALTIES:
            scores = []
            for part in inner:
                held = {train[i] for i in part}
                fitted = fit([found[i] for i in train if i not in held], penalty)
                scores.append(top1([found[i] for i in held], fitted))
            point = (statistics.mean(scores), earlier, title, penalty)
            if best is None or point[0] > best[0]:
                best = point
    assert best is not None
    _, earlier, title, penalty = best
    found = by_terms[(earlier, title)]
    return Choice(earlier, title, penalty, fit([found[i] for i in train], penalty))


def answers_with(asked: Sequence[Asked], choice: Choice | Settings) -> list[list[Scored]]:
    """Each question's verified candidates ranked with the chosen settings."""
    settings = (
        Settings(tuple(choice.weights), choice.earlier, choice.title)
        if isinstance(choice, Choice)
        else choice
    )
    return [candidates(a.turn, a.retrieval, settings)[1] for a in asked]


def outcomes(
    asked: Sequence[Asked], ranked: Sequence[list[Scored]], selection: Selection
) -> list[tuple[bool, int | None]]:
    """Per question: is the answer composed under `selection` right, and its words (None: no
    verified candidate, so no answer)."""
    found: list[tuple[bool, int | None]] = []
    for a, candidates_ in zip(asked, ranked, strict=True):
        if not candidates_:
            found.append((False, None))
            continue
        answer = compose(choose(a.turn.intent, candidates_, selection), a.retrieval)
        found.append((is_correct(answer, a.question), word_count(answer.text)))
    return found


def summary(results: Sequence[tuple[bool, int | None]]) -> tuple[float, float]:
    """(share right, median words of the answers)."""
    words = [w for _, w in results if w is not None]
    share = sum(r for r, _ in results) / len(results) if results else 0.0
    return share, statistics.median(words) if words else 0.0


def pick_selection(
    asked: Sequence[Asked], ranked: Sequence[list[Scored]], groups: Sequence[str]
) -> Selection:
    """The most right answers while every inner fold's median stays within MAX_MEDIAN_WORDS.

    Holding the limit on each of three inner folds, not only on all questions together, keeps
    it on questions the choice did not see; ties go to the shorter answers.
    """
    gaps = sorted(
        {round(found[0].score - s.score, 3) for found in ranked for s in found[1:4]} | {0.0}
    )
    grid = sorted({gaps[int(i * (len(gaps) - 1) / 9)] for i in range(10)})
    inner = folds_of(list(groups), 3)
    best: tuple[float, float, Selection] = (-1.0, 0.0, Selection(0.0, 0.0))
    for second, listed in itertools.product(grid, grid):
        selection = Selection(second_within=second, list_within=listed)
        results = outcomes(asked, ranked, selection)
        parts = [summary([results[i] for i in part]) for part in inner]
        if max(median for _, median in parts) > MAX_MEDIAN_WORDS:
            continue
        share, median = summary(results)
        if (share, -median) > best[:2]:
            best = (share, -median, selection)
    return best[2]


def fit_length(asked: Sequence[Asked], held: Sequence[Asked], folds: int, *, write: bool) -> None:
    """Step 2 alone, for the ranker fitted.json holds: `second_within` and `list_within` by
    nested cross-validation, against the selection fitted.json holds now."""
    ranker = fitted()
    now = Selection.fitted()
    ranked = answers_with(asked, ranker)
    groups = [a.group for a in asked]
    everyone = list(range(len(asked)))
    scores, current = [], []
    for k, test in enumerate(folds_of(groups, folds)):
        train = [i for i in everyone if i not in set(test)]
        selection = pick_selection(
            [asked[i] for i in train], [ranked[i] for i in train], [groups[i] for i in train]
        )
        tested = ([asked[i] for i in test], [ranked[i] for i in test])
        scores.append(summary(outcomes(*tested, selection)))
        current.append(summary(outcomes(*tested, now)))
        print(
            f"fold {k + 1} ({len(test)} questions): answer right {scores[-1][0]:.3f}, median "
            f"{scores[-1][1]:.0f} words (second_within {selection.second_within}, list_within "
            f"{selection.list_within}); now: {current[-1][0]:.3f}, {current[-1][1]:.0f} words"
        )
    print(
        "cross-validated: answer right "
        f"{statistics.mean(s for s, _ in scores):.3f}, median of fold medians "
        f"{statistics.median(m for _, m in scores):.0f} words; now "
        f"{statistics.mean(s for s, _ in current):.3f}, "
        f"{statistics.median(m for _, m in current):.0f} words"
    )
    selection = pick_selection(asked, ranked, groups)
    held_ranked = answers_with(held, ranker)
    fitted_held = summary(outcomes(held, held_ranked, selection))
    now_held = summary(outcomes(held, held_ranked, now))
    print(
        f"fitted on all: second_within {selection.second_within}, list_within "
        f"{selection.list_within}; {HELD_OUT_NAME} (never fitted on), {len(held)} answerable: "
        f"answer right {fitted_held[0]:.3f}, median {fitted_held[1]:.0f} words; now "
        f"{now_held[0]:.3f}, {now_held[1]:.0f} words"
    )
    if write:
        values = {"second_within": selection.second_within, "list_within": selection.list_within}
        model = {
            "fitted_on": [*FIT_FILES, *(f.name for f in OFFICIAL_FILES)],
            "cross_validated_answer_right": round(statistics.mean(s for s, _ in scores), 4),
            "held_out": {HELD_OUT_NAME: round(fitted_held[0], 4)},
            "command": "python scripts/fit_ranker.py --length-only --write",
        }
        write_fitted("length", model, values, fitted_now=tuple(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="store the fitted values")
    parser.add_argument(
        "--length-only", action="store_true", help="keep fitted.json's ranker; fit the length"
    )
    args = parser.parse_args()
    asked = ask_all(ROOT / "sources", [EVAL / f for f in FIT_FILES])
    with tempfile.TemporaryDirectory() as folder:
        asked += ask_all(official_sources(Path(folder) / "sources"), OFFICIAL_FILES)
    held = ask_all(ROOT / "sources", [EVAL / f for f in HELD_OUT])
    print(f"{len(asked)} answerable fit questions, {len(held)} held out")
    if args.length_only:
        fit_length(asked, held, args.folds, write=args.write)
        return
    by_terms = {t: groups_for(asked, *t) for t in itertools.product(TERM_WEIGHTS, TERM_WEIGHTS)}
    groups = [a.group for a in asked]
    everyone = list(range(len(asked)))
    reference = answers_with(asked, REFERENCE)
    reference_groups = groups_for(asked, REFERENCE.earlier_turn_weight, REFERENCE.title_weight)
    reference_w = np.array(REFERENCE.weights)
    ranker_scores, answer_scores, reference_scores = [], [], []
    for k, test in enumerate(folds_of(groups, args.folds)):
        train = [i for i in everyone if i not in set(test)]
        choice = pick(by_terms, groups, train)
        found = by_terms[(choice.earlier, choice.title)]
        ranker_scores.append(top1([found[i] for i in test], choice.weights))
        ranked = answers_with(asked, choice)
        selection = pick_selection(
            [asked[i] for i in train], [ranked[i] for i in train], [groups[i] for i in train]
        )
        share, median = summary(
            outcomes([asked[i] for i in test], [ranked[i] for i in test], selection)
        )
        answer_scores.append(share)
        ref_share, ref_median = summary(
            outcomes([asked[i] for i in test], [reference[i] for i in test], REFERENCE_SELECTION)
        )
        reference_scores.append(
            (top1([reference_groups[i] for i in test], reference_w), ref_share, ref_median)
        )
        print(
            f"fold {k + 1} ({len(test)} questions): best candidate right {ranker_scores[-1]:.3f} "
            f"(earlier {choice.earlier}, title {choice.title}, L2 {choice.penalty}); "
            f"answer right {share:.3f}, median {median:.0f} words "
            f"(second_within {selection.second_within}, list_within {selection.list_within}); "
            f"hand-set: best right {reference_scores[-1][0]:.3f}, answer right "
            f"{reference_scores[-1][1]:.3f}, median {reference_scores[-1][2]:.0f} words"
        )
    cv_rank, cv_answer = statistics.mean(ranker_scores), statistics.mean(answer_scores)
    print(
        f"cross-validated: best candidate right {cv_rank:.3f}, answer right {cv_answer:.3f}; "
        f"hand-set {statistics.mean(r[0] for r in reference_scores):.3f}, "
        f"{statistics.mean(r[1] for r in reference_scores):.3f}"
    )
    choice = pick(by_terms, groups, everyone)
    ranked = answers_with(asked, choice)
    selection = pick_selection(asked, ranked, groups)
    held_groups = groups_for(held, choice.earlier, choice.title)
    held_share, held_median = summary(outcomes(held, answers_with(held, choice), selection))
    print(
        f"fitted on all: earlier {choice.earlier}, title {choice.title}, L2 {choice.penalty}, "
        f"second_within {selection.second_within}, list_within {selection.list_within}"
    )
    for name, value in zip(FEATURES, choice.weights, strict=True):
        print(f"  {name:26s} {value:+.3f}")
    print(
        f"{HELD_OUT_NAME} (never fitted on), {len(held)} answerable questions: best candidate "
        f"right {top1(held_groups, choice.weights):.3f}; answer right {held_share:.3f}, "
        f"median {held_median:.0f} words"
    )
    ref_held = summary(outcomes(held, answers_with(held, REFERENCE), REFERENCE_SELECTION))
    ref_groups = groups_for(held, REFERENCE.earlier_turn_weight, REFERENCE.title_weight)
    print(
        f"  hand-set: best candidate right {top1(ref_groups, reference_w):.3f}; answer right "
        f"{ref_held[0]:.3f}, median {ref_held[1]:.0f} words"
    )
    if args.write:
        write_fitted(
            "ranker",
            {
                "weights": {
                    n: round(float(w), 6) for n, w in zip(FEATURES, choice.weights, strict=True)
                },
                "intercept": 0.0,
                "penalty": choice.penalty,
                "fitted_on": [*FIT_FILES, *(f.name for f in OFFICIAL_FILES)],
                "cross_validated": {
                    "best_candidate_right": round(cv_rank, 4),
                    "answer_right": round(cv_answer, 4),
                    "folds": [round(s, 4) for s in ranker_scores],
                },
                "held_out": {HELD_OUT_NAME: round(held_share, 4)},
                "command": "python scripts/fit_ranker.py --write",
            },
            {
                "earlier_turn_weight": choice.earlier,
                "title_weight": choice.title,
                "second_within": selection.second_within,
                "list_within": selection.list_within,
            },
        )


if __name__ == "__main__":
    main()

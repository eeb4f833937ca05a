"""The extractive answerer: the fewest source sentences that answer, each with its citation.

Candidates come ranked and verified from `ranking`; below the fitted probability the answerer
declines through `abstention`. Lists ("which resolutions ...") get the best clause of each act,
a named clause block ("what does Resolution 102 resolve?") every item of it, in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answering.abstention import (
    ABSTAIN_BELOW,
    abstain,
    answer_probability,
    answers,
    confidence,
    decision_features,
    lacks_detail,
)
from assistant.answering.citations import cite, one_per_passage, readable, span
from assistant.answering.intent import Intent
from assistant.answering.ranking import Scored, candidates
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import Turn, read_turn
from assistant.answering.verification import asks_for_act
from assistant.fitted import fitted_value
from assistant.schema import Answer, Citation

# A sentence that opens like this leans on the one before it ("This", "However", "The
# suggestion in this resolution"): the answer quotes both, so it can be read on its own.
_LEANS_BACK = re.compile(
    r"^\W*(this|that|these|those|it|its|they|their|such|however|but|yet|still|instead|"
    r"therefore|thus|hence|moreover|furthermore|nevertheless|also|as such|in addition|"
    r"the same|the latter|the former|the \w+ (in|of) (this|that|these|those) \w+)\b",
    re.IGNORECASE,
)
MAX_SENTENCES = 3  # caps on an answer's length, not fitted
MAX_LISTED = 12


@dataclass(frozen=True)
class Selection:
    """How many of the ranked sentences an answer takes (fitted by `scripts/fit_ranker.py`).

    Another sentence joins the best when it scores within `second_within` of it; for a list
    question, every act's best clause within `list_within` is listed.
    """

    second_within: float
    list_within: float

    @classmethod
    def fitted(cls) -> Selection:
        """The values stored in fitted.json."""
        return cls(fitted_value("second_within"), fitted_value("list_within"))


class ExtractiveAnswerer:
    """Answers with verbatim source sentences; needs no LLM."""

    def __init__(
        self, *, abstain_below: float = ABSTAIN_BELOW, selection: Selection | None = None
    ) -> None:
        self.abstain_below = abstain_below
        self.selection = selection or Selection.fitted()

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """Pick the sentences that answer `question`, or abstain and say what is missing."""
        if retrieval.missing:
            return abstain(retrieval, missing=retrieval.missing)
        turn = _turn(question, retrieval)
        everything, ranked = candidates(turn, retrieval)
        if named := self._act_of_topic(turn, retrieval, everything):
            return compose(named, retrieval)
        if not answers(answer_probability(turn, retrieval, everything, ranked), self.abstain_below):
            # Near enough to answer, had the best sentence of all the detail asked for.
            topical = answer_probability(turn, retrieval, everything, everything)
            if answers(topical, self.abstain_below) and turn.analysis.wants_value:
                return lacks_detail(everything[0], turn.analysis, retrieval)
            return abstain(retrieval)
        return compose(choose(turn.intent, ranked, self.selection), retrieval)

    def _act_of_topic(
        self, turn: Turn, retrieval: Retrieval, everything: list[Scored]
    ) -> list[Scored]:
        """For "which resolution ...?": the line naming the act of the section that answers
        on the topic, then that section's best sentence; empty when no such section does.

        The decision is made on the topic, as for any question; the line under the section's
        heading ("Resolution Com5/4 (Busan, 2014)") then says which act it is.
        """
        if not asks_for_act(turn.analysis.question):
            return []
        lines: list[Scored] = []
        topical: list[Scored] = []
        for item in everything:
            (lines if item.chunk.names_act else topical).append(item)
        if not lines or not topical:
            return []
        if not answers(answer_probability(turn, retrieval, topical, topical), self.abstain_below):
            return []
        line = next((i for i in lines if i.chunk.group == topical[0].chunk.group), None)
        return [line, topical[0]] if line is not None else []

    def best_confidence(self, question: str, retrieval: Retrieval) -> float | None:
        """The confidence of the best verified sentence; None when nothing can answer."""
        if retrieval.missing:
            return None
        _, ranked = candidates(_turn(question, retrieval), retrieval)
        return confidence(ranked[0].score, retrieval) if ranked else None

    def decision_features(self, question: str, retrieval: Retrieval) -> tuple[float, ...] | None:
        """What the decision to answer weighs (abstention.DECISION_FEATURES); None: nothing can."""
        if retrieval.missing:
            return None
        turn = _turn(question, retrieval)
        everything, ranked = candidates(turn, retrieval)
        return decision_features(turn, retrieval, everything, ranked)

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """The answer in pieces (a sentence with its marker each), then the Answer."""
        answer = self.answer(question, retrieval)
        for piece in re.split(r"(?<=\])\s", answer.text):
            yield piece + (" " if not piece.endswith(" ") else "")
        yield answer


def choose(intent: Intent, ranked: list[Scored], selection: Selection) -> list[Scored]:
    """The sentences an answer quotes, from the verified candidates (best first, not empty)."""
    if intent.is_list:
        return _one_per_act(ranked, selection.list_within)
    if block := _named_block(intent, ranked, selection.list_within):
        return block
    chosen = [ranked[0]]
    for cand in ranked[1:]:
        if len(chosen) == MAX_SENTENCES or cand.score < ranked[0].score - selection.second_within:
            break
        chosen.append(cand)
    return chosen


def _named_block(intent: Intent, ranked: list[Scored], within: float) -> list[Scored]:
    """For "what does Resolution 102 resolve?": every item of that block, in order."""
    if not intent.acts:
        return []
    top = next(
        (
            item
            for item in ranked
            if item.score >= ranked[0].score - within
            and item.chunk.part == "operative"
            and intent.names_act(item.chunk.group)
            and intent.names_block(item.chunk.locator)
        ),
        None,
    )
    if top is None or not top.chunk.locator[-1:].isdigit():
        return []
    block = top.chunk.locator.rsplit(" ", 1)[0]
    items: dict[str, Scored] = {}
    for item in ranked:  # best sentence of each item
        if item.chunk.group == top.chunk.group and item.chunk.locator.rsplit(" ", 1)[0] == block:
            items.setdefault(item.chunk.id, item)
    chosen = sorted(items.values(), key=lambda item: item.chunk.start)
    return chosen[:MAX_LISTED] if len(chosen) > 1 else []


def _one_per_act(ranked: list[Scored], within: float) -> list[Scored]:
    """The best clause of each resolution or decision that scores close enough to the best."""
    best = ranked[0].score
    chosen: dict[str, Scored] = {}
    for item in ranked:
        if item.score < best - within or len(chosen) == MAX_LISTED:
            break
        if item.chunk.part and item.chunk.group not in chosen:
            chosen[item.chunk.group] = item
    return list(chosen.values()) or [ranked[0]]


def compose(chosen: list[Scored], retrieval: Retrieval) -> Answer:
    """The answer text with a marker after each sentence, and its verified citations.

    Clauses of official text are introduced by their locator; when an answer mixes official
    text and commentary, each part says which it is.
    """
    titles = {p.source: p.title for p in retrieval.passages}
    chosen = self_contained(chosen)
    mixed = len({bool(item.chunk.part) for item in chosen}) > 1
    parts: list[str] = []
    citations: list[Citation] = []
    for item in chosen:
        citation = cite(
            len(citations) + 1,
            item.chunk,
            item.sentence,
            titles.get(item.chunk.source, item.chunk.source),
        )
        if citation is None:
            continue
        citations.append(citation)
        label = ""
        if item.chunk.part:
            label = f"Official text, {item.chunk.locator}: " if mixed else f"{item.chunk.locator}: "
        elif mixed:
            label = "Commentary: "
        parts.append(f"{label}{readable(item.sentence.text)} [{citation.marker}]")
    if not citations:
        return abstain(retrieval)
    separator = "\n" if len(parts) > 1 and all(item.chunk.part for item in chosen) else " "
    # Sentences quoted from one clause or paragraph share its reference (before streaming).
    return one_per_passage(Answer(separator.join(parts), citations, False, retrieval.passages))


def self_contained(chosen: list[Scored]) -> list[Scored]:
    """The chosen sentences as quotes that stand on their own, one per run of a passage.

    A sentence that leans on the one before it brings that sentence along, and sentences of
    one passage that touch are quoted together under one marker.
    """
    runs: list[list[int]] = []  # [index in `chosen`, first sentence, last sentence]
    for n, item in enumerate(chosen):
        ids = [s.id for s in item.chunk.sentences]
        if item.sentence.id not in ids:  # already a run of sentences
            runs.append([n, -1, -1])
            continue
        at = ids.index(item.sentence.id)
        first = at - 1 if at > 0 and _LEANS_BACK.match(item.sentence.text) else at
        for run in runs:
            same = chosen[run[0]].chunk.id == item.chunk.id and run[1] >= 0
            if same and first <= run[2] + 1 and at >= run[1] - 1:
                run[1], run[2] = min(run[1], first), max(run[2], at)
                break
        else:
            runs.append([n, first, at])
    quoted = []
    for n, first, last in runs:
        item = chosen[n]
        sentence = item.sentence if first < 0 else span(item.chunk, first, last)
        quoted.append(Scored(item.score, item.chunk, sentence))
    return quoted


def _turn(question: str, retrieval: Retrieval) -> Turn:
    """The turn retrieval was made for; a bare question (tests, tools) is read on the spot."""
    return retrieval.turn or read_turn(question)

"""The extractive answerer: the fewest source sentences that answer, each with its citation.

Sentences of the retrieved chunks are scored by their similarity to the query (vectors made at
index time) plus the share of the question's weighted terms they contain, with a bonus for the
kind of text the question asks for. Below a calibrated score the answerer abstains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from assistant.answering.citations import cite, closest_sources, readable
from assistant.answering.intent import Intent, read
from assistant.answering.question import Analysis, Constraint, analyse
from assistant.answering.retrieve import Retrieval
from assistant.answering.verification import has_type, unmet, what_is_missing
from assistant.fitted import fitted_value
from assistant.index.text import stem, terms
from assistant.schema import Answer, Chunk, Citation, Sentence

# Calibrated on the development questions (tests/data/eval); see tests/test_quality.py.
KEYWORD_WEIGHT = 0.9
CONTEXT_WEIGHT = 0.5  # a term found only in the section heading or locator counts half
TITLE_WEIGHT = 0.3  # a question word that is in the source's title counts this much
ABSTAIN_BELOW = fitted_value("abstain_below")  # fitted by scripts/fit_answerer.py
SECOND_WITHIN = 0.2  # another sentence joins when it scores this close to the best
MAX_SENTENCES = 3
TYPE_PENALTY = 0.2  # the sentence lacks what the question asks for (a number, a time)
ABSENT_PENALTY = 0.6  # times the share of the question's weight in words no source contains
EARLIER_TURN_WEIGHT = 0.3  # weight of words only an earlier question used
REPEAT_PENALTY = 0.3  # a sentence the previous answer already gave
ACT_BONUS = 0.25  # the question names this resolution or decision
BLOCK_BONUS = 0.2  # the question names this clause's block ("resolves", "instructs ...")

LIST_WITHIN = 0.25  # list questions: clauses this close to the best are all listed
MAX_LISTED = 12

NO_ANSWER = "The sources do not answer this question."


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and how well it answers."""

    score: float
    chunk: Chunk
    sentence: Sentence


class ExtractiveAnswerer:
    """Answers with verbatim source sentences; needs no LLM."""

    def __init__(self, *, abstain_below: float = ABSTAIN_BELOW) -> None:
        self.abstain_below = abstain_below

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """Pick the sentences that answer `question`, or abstain and say what is missing."""
        if retrieval.missing:
            return abstain(retrieval, missing=retrieval.missing)
        intent = read(question)
        analysis, everything, ranked = self._verified(question, retrieval)
        if not ranked or confidence(ranked[0].score, retrieval) < self.abstain_below:
            topical = bool(everything) and (
                confidence(everything[0].score, retrieval) >= self.abstain_below
            )
            if topical and analysis.wants_value:
                return lacks_detail(everything[0], analysis, retrieval)
            return abstain(retrieval)
        if intent.is_list:
            chosen = _one_per_act(ranked)
        elif block := _named_block(intent, ranked):
            chosen = block
        else:
            chosen = [ranked[0]]
            for cand in ranked[1:]:
                if len(chosen) == MAX_SENTENCES or cand.score < ranked[0].score - SECOND_WITHIN:
                    break
                chosen.append(cand)
        return compose(chosen, retrieval)

    def best_confidence(self, question: str, retrieval: Retrieval) -> float | None:
        """The confidence of the best verified sentence; None when nothing can answer."""
        if retrieval.missing:
            return None
        _, _, ranked = self._verified(question, retrieval)
        return confidence(ranked[0].score, retrieval) if ranked else None

    def _verified(
        self, question: str, retrieval: Retrieval
    ) -> tuple[Analysis, list[Scored], list[Scored]]:
        """The question's analysis, every sentence ranked, and those that pass verification."""
        analysis = retrieval.analysis or analyse(retrieval.question or question)
        ranked = self.rank(question, retrieval)
        titles = {p.source: p.title for p in retrieval.passages}
        passing = [
            item for item in ranked if verified(item, analysis, titles.get(item.chunk.source, ""))
        ]
        return analysis, ranked, passing

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """The answer in pieces (a sentence with its marker each), then the Answer."""
        answer = self.answer(question, retrieval)
        for piece in re.split(r"(?<=\])\s", answer.text):
            yield piece + (" " if not piece.endswith(" ") else "")
        yield answer

    def rank(self, question: str, retrieval: Retrieval) -> list[Scored]:
        """Every sentence of the retrieved chunks, best first."""
        # In a follow-up, the words of earlier turns only help to find the topic.
        own_words = {stem(w) for w in terms(retrieval.question)} if retrieval.question else None
        weights: dict[str, float] = {}
        for word, idf in retrieval.idf.items():
            if own_words is not None and stem(word) not in own_words:
                idf *= EARLIER_TURN_WEIGHT
            weights[stem(word)] = max(weights.get(stem(word), 0.0), idf)
        said = " ".join(retrieval.said.split())
        # Words of a source's title ("Plenipotentiary 2014") say what every passage of it is
        # about, so they tell passages of that source apart less than their rarity suggests.
        title_terms = {p.source: {stem(w) for w in terms(p.title)} for p in retrieval.passages}
        intent = read(question)
        scored: list[Scored] = []
        for chunk in retrieval.chunks.values():
            own = {
                t: w * (TITLE_WEIGHT if t in title_terms.get(chunk.source, ()) else 1.0)
                for t, w in weights.items()
            }
            total = sum(own.values()) or 1.0
            context = {stem(w) for w in terms(chunk.context)}
            bonus = _kind_bonus(chunk, intent)
            for sentence in chunk.sentences:
                words = {stem(w) for w in terms(sentence.text)}
                matched = sum(w for t, w in own.items() if t in words)
                matched += CONTEXT_WEIGHT * sum(
                    w for t, w in own.items() if t in context and t not in words
                )
                similarity = retrieval.similarity.get(sentence.id, 0.0)
                score = similarity + KEYWORD_WEIGHT * matched / total + bonus
                if intent.expected is not None and not intent.expected.search(sentence.text):
                    score -= TYPE_PENALTY
                if said and readable(sentence.text) in said:
                    score -= REPEAT_PENALTY
                scored.append(Scored(score, chunk, sentence))
        scored.sort(key=lambda s: -s.score)
        return scored


def _named_block(intent: Intent, ranked: list[Scored]) -> list[Scored]:
    """For "what does Resolution 102 resolve?": every item of that block, in order."""
    if not intent.acts:
        return []
    top = next(
        (
            item
            for item in ranked
            if item.score >= ranked[0].score - LIST_WITHIN
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


def _one_per_act(ranked: list[Scored]) -> list[Scored]:
    """The best clause of each resolution or decision that scores close enough to the best."""
    best = ranked[0].score
    chosen: dict[str, Scored] = {}
    for item in ranked:
        if item.score < best - LIST_WITHIN or len(chosen) == MAX_LISTED:
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
    return Answer(separator.join(parts), citations, False, retrieval.passages)


def confidence(score: float, retrieval: Retrieval) -> float:
    """The best sentence's score, lowered by the weight of question words no source has."""
    return score - ABSENT_PENALTY * absent_share(retrieval)


def absent_share(retrieval: Retrieval) -> float:
    """The share of the question's term weight in words that no source contains."""
    total = sum(retrieval.idf.values()) or 1.0
    return sum(w for t, w in retrieval.idf.items() if t in retrieval.absent) / total


def _kind_bonus(chunk: Chunk, intent: Intent) -> float:
    """Prefer official text for what a named act says, commentary for how it was received."""
    if not chunk.part:  # commentary
        return BLOCK_BONUS if intent.wants_commentary and intent.acts else 0.0
    bonus = 0.0
    if intent.names_act(chunk.group):
        bonus += ACT_BONUS
    elif intent.acts:
        bonus -= ACT_BONUS / 2
    if intent.wants_reasons:
        bonus += {"preamble": 2 * BLOCK_BONUS, "operative": -BLOCK_BONUS}.get(chunk.part, 0.0)
    elif chunk.part == "operative":
        bonus += BLOCK_BONUS / 2
    if intent.names_block(chunk.locator):
        bonus += BLOCK_BONUS
    if intent.wants_commentary:
        bonus -= BLOCK_BONUS
    return bonus


def verified(item: Scored, analysis: Analysis, title: str) -> bool:
    """True when the sentence has the expected answer type and its context meets the constraints.

    The context is the sentence's paragraph or clause, its heading and locator, and the title
    of its source ("ITU Plenipotentiary 2014: ..." says what every passage of it is about).
    """
    if not has_type(analysis.answer_type, item.sentence.text, analysis):
        return False
    context = f"{title}\n{item.chunk.context}\n{item.chunk.text}"
    return not unmet(analysis, context)


def lacks_detail(nearest: Scored, analysis: Analysis, retrieval: Retrieval) -> Answer:
    """The sources speak to the topic but lack the detail asked for: say so, cite the context."""
    titles = {p.source: p.title for p in retrieval.passages}
    citation = cite(
        1, nearest.chunk, nearest.sentence, titles.get(nearest.chunk.source, nearest.chunk.source)
    )
    if citation is None:
        return abstain(retrieval)
    citation = replace(citation, role="context")
    text = (
        f"The sources do not give {what_is_missing(analysis)} for this. The nearest passage, "
        f"quoted as context and not as an answer: “{readable(nearest.sentence.text)}” [1]"
    )
    return Answer(text, [citation], True, retrieval.passages)


def abstain(retrieval: Retrieval, *, missing: Sequence[Constraint] = ()) -> Answer:
    """An answer that says the sources do not answer, naming the closest ones."""
    text = NO_ANSWER
    if missing:
        named = ", ".join(f"“{c.text}”" for c in missing)
        text = f"{NO_ANSWER.rstrip('.')}: no indexed source mentions {named}."
    if retrieval.passages:
        text += f" The closest passages are in: {closest_sources(retrieval.passages)}."
    return Answer(text, [], True, retrieval.passages)

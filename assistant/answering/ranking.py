"""Sentence ranking: how well each sentence of the retrieved chunks answers the question.

A sentence scores its similarity to the query (vectors made at index time) plus the share of
the question's weighted terms it contains (half for terms only in its heading or locator), with
a bonus for the kind of text the question asks for. `verified` then checks that a candidate
holds the expected kind of answer and meets the question's constraints.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.citations import readable
from assistant.answering.intent import Intent
from assistant.answering.question import Analysis
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import Turn
from assistant.answering.verification import has_type, unmet
from assistant.index.text import stem, terms
from assistant.schema import Chunk, Sentence

# Set by hand on the development questions (tests/data/eval); see tests/test_quality.py.
KEYWORD_WEIGHT = 0.9
CONTEXT_WEIGHT = 0.5  # a term found only in the section heading or locator counts half
TITLE_WEIGHT = 0.3  # a question word that is in the source's title counts this much
TYPE_PENALTY = 0.2  # the sentence lacks what the question asks for (a number, a time)
EARLIER_TURN_WEIGHT = 0.3  # weight of words only an earlier question used
REPEAT_PENALTY = 0.3  # a sentence the previous answer already gave
ACT_BONUS = 0.25  # the question names this resolution or decision
BLOCK_BONUS = 0.2  # the question names this clause's block ("resolves", "instructs ...")


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and how well it answers."""

    score: float
    chunk: Chunk
    sentence: Sentence


def rank(turn: Turn, retrieval: Retrieval) -> list[Scored]:
    """Every sentence of the retrieved chunks, best first."""
    # In a follow-up, the words of earlier turns only help to find the topic.
    own_words = {stem(w) for w in terms(turn.text)} if turn.is_follow_up else None
    weights: dict[str, float] = {}
    for word, idf in retrieval.idf.items():
        if own_words is not None and stem(word) not in own_words:
            idf *= EARLIER_TURN_WEIGHT
        weights[stem(word)] = max(weights.get(stem(word), 0.0), idf)
    said = " ".join(turn.said.split())
    # Words of a source's title ("Plenipotentiary 2014") say what every passage of it is
    # about, so they tell passages of that source apart less than their rarity suggests.
    title_terms = {p.source: {stem(w) for w in terms(p.title)} for p in retrieval.passages}
    intent = turn.intent
    scored: list[Scored] = []
    for chunk in retrieval.chunks.values():
        own = {
            t: w * (TITLE_WEIGHT if t in title_terms.get(chunk.source, ()) else 1.0)
            for t, w in weights.items()
        }
        total = sum(own.values()) or 1.0
        context = {stem(w) for w in terms(chunk.context)}
        bonus = kind_bonus(chunk, intent)
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


def kind_bonus(chunk: Chunk, intent: Intent) -> float:
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


def candidates(turn: Turn, retrieval: Retrieval) -> tuple[list[Scored], list[Scored]]:
    """Every sentence ranked, and those of them that pass verification (both best first)."""
    ranked = rank(turn, retrieval)
    titles = {p.source: p.title for p in retrieval.passages}
    passing = [
        item for item in ranked if verified(item, turn.analysis, titles.get(item.chunk.source, ""))
    ]
    return ranked, passing

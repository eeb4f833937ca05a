"""Sentence ranking: how well each sentence of the retrieved chunks answers the question.

Each sentence is described by a few features (its similarity to the query, the share of the
question's weighted terms it holds, its passage's retrieval rank, and what kind of text it is
for this question) and scored by their weighted sum, with the weights stored in fitted.json
(`scripts/fit_ranker.py` fits them from labelled questions). `verified` then checks that a
candidate holds the expected kind of answer and meets the question's constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.answering.citations import readable
from assistant.answering.cited import cited_positions, neighbours
from assistant.answering.cues import gives_cause, settles
from assistant.answering.intent import Intent
from assistant.answering.question import Analysis
from assistant.answering.retrieve import Retrieval
from assistant.answering.stance import asks_view, takes_view
from assistant.answering.turn import Turn
from assistant.answering.verification import (
    asks_for_act,
    gives_new,
    has_type,
    unmet,
)
from assistant.fitted import fitted_model, fitted_value
from assistant.index.text import stem, terms
from assistant.index.word_vectors import WordVectors, match
from assistant.schema import Chunk, Sentence

# What a candidate sentence is scored on, and how much each counts.
FEATURES = (
    "similarity",  # cosine similarity of the sentence (with its heading) and the query
    "keywords",  # share of the question's term weight (idf) in the sentence
    "context",  # share found only in the sentence's heading or locator
    "passage_rank",  # 1 / (1 + rank of the sentence's passage in retrieval)
    "named_act",  # official text of a resolution the question names
    "other_act",  # official text of another resolution, when the question names one
    "preamble_for_reasons",  # a preamble clause, when the question asks why
    "operative_for_reasons",  # an operative clause, when the question asks why
    "operative",  # an operative clause, otherwise
    "named_block",  # the clause's block is named ("what does it resolve")
    "official_for_reception",  # official text, when the question asks how it was received
    "commentary_for_reception",  # commentary on a named act, when asked how it was received
    "type_missing",  # the sentence lacks the kind of value asked for (a number, a time)
    "new_value",  # it names a value of the asked type the question did not give (`gives_new`)
    "repeated",  # the previous answer already gave this sentence
    "after_said",  # the sentence right after one the previous answer gave
    "beside_said",  # another sentence of a passage the previous answer quoted
    "near_said",  # a sentence of the passage before or after one the previous answer quoted
    "view_stance",  # the question asks the author's view and the sentence takes one (stance)
    "neighbour_similarity",  # the higher similarity of the sentences before and after it
    "settles",  # a yes/no question and a sentence that says no or not (`cues.settles`)
    "gives_cause",  # a why-question and a sentence that names a cause or aim
    "word_match",  # the question's words matched by meaning in the sentence (`word_vectors`)
)


@dataclass(frozen=True)
class Settings:
    """The ranker's values, read from fitted.json (`scripts/fit_ranker.py --write` fits them;
    until fitted ones do better, the file keeps the hand-set ones: its `hand_set` list).

    `weights` are in FEATURES order; `earlier_turn_weight` is how much a word only an earlier
    question of the conversation used counts; `title_weight` how much a question word found in
    the source's title counts (it tells that source's passages apart less than its rarity says).
    """

    weights: tuple[float, ...]
    earlier_turn_weight: float
    title_weight: float


@cache
def fitted() -> Settings:
    """The settings stored in fitted.json."""
    weights, _ = fitted_model("ranker")
    missing = [f for f in FEATURES if f not in weights]
    if missing:
        raise RuntimeError(f"fitted.json's ranker lacks {missing}; run scripts/fit_ranker.py")
    return Settings(
        weights=tuple(weights[f] for f in FEATURES),
        earlier_turn_weight=fitted_value("earlier_turn_weight"),
        title_weight=fitted_value("title_weight"),
    )


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and how well it answers."""

    score: float
    chunk: Chunk
    sentence: Sentence
    values: tuple[float, ...] = ()  # its feature values (FEATURES order), when ranked here


@dataclass(frozen=True)
class Candidate:
    """A sentence of the retrieved chunks with its feature values (in FEATURES order)."""

    chunk: Chunk
    sentence: Sentence
    values: tuple[float, ...]


def rank(turn: Turn, retrieval: Retrieval, using: Settings | None = None) -> list[Scored]:
    """Every sentence of the retrieved chunks, best first (`using`: other than the fitted)."""
    settings = using or fitted()
    w = settings.weights
    scored = [
        Scored(sum(a * b for a, b in zip(w, c.values, strict=True)), c.chunk, c.sentence, c.values)
        for c in candidates_of(turn, retrieval, settings)
    ]
    scored.sort(key=lambda s: -s.score)
    return scored


def candidates_of(
    turn: Turn, retrieval: Retrieval, using: Settings | None = None
) -> list[Candidate]:
    """Every sentence of the retrieved chunks with its features."""
    settings = using or fitted()
    # In a follow-up, the words of earlier turns only help to find the topic.
    own_text = turn.resolved or turn.text
    own_words = {stem(w) for w in terms(own_text)} if turn.is_follow_up else None
    term_weights: dict[str, float] = {}
    for word, idf in retrieval.idf.items():
        if own_words is not None and stem(word) not in own_words:
            idf *= settings.earlier_turn_weight
        term_weights[stem(word)] = max(term_weights.get(stem(word), 0.0), idf)
    said = " ".join(turn.said.split())
    # Words of a source's title ("Plenipotentiary 2014") say what every passage of it is
    # about, so they tell passages of that source apart less than their rarity suggests.
    title_terms = {p.source: {stem(w) for w in terms(p.title)} for p in retrieval.passages}
    passage_rank = {p.chunk_id: i for i, p in enumerate(retrieval.passages)}
    intent, analysis = turn.intent, turn.analysis
    said_at = _said_positions(retrieval, said)
    near = {n for at in said_at for n in neighbours(at[0])}
    wants_view = asks_view(own_text)
    found: list[Candidate] = []
    for chunk in retrieval.chunks.values():
        own = {
            t: w * (settings.title_weight if t in title_terms.get(chunk.source, ()) else 1.0)
            for t, w in term_weights.items()
        }
        total = sum(own.values()) or 1.0
        context = {stem(w) for w in terms(chunk.context)}
        kind = _kind_features(chunk, intent)
        place = 1.0 / (1.0 + passage_rank.get(chunk.id, len(passage_rank)))
        quoted_here = any(at[0] == chunk.id for at in said_at)
        next_to_quoted = chunk.id in near and not quoted_here
        sims = [retrieval.similarity.get(s.id, 0.0) for s in chunk.sentences]
        asked = retrieval.query_words
        for index, sentence in enumerate(chunk.sentences):
            words = {stem(w) for w in terms(sentence.text)}
            beside = sims[max(0, index - 1) : index] + sims[index + 1 : index + 2]
            matched = sum(w for t, w in own.items() if t in words)
            in_context = sum(w for t, w in own.items() if t in context and t not in words)
            type_missing = intent.expected is not None and not intent.expected.search(sentence.text)
            repeated = (chunk.id, index) in said_at
            after = (chunk.id, index - 1) in said_at or (
                index == 0 and (_previous_chunk(chunk.id), -1) in said_at
            )
            values = (
                retrieval.similarity.get(sentence.id, 0.0),
                matched / total,
                in_context / total,
                place,
                *kind,
                float(type_missing),
                float(gives_new(analysis.answer_type, sentence.text, analysis)),
                float(repeated),
                float(after and not repeated),
                float(quoted_here and not repeated and not after),
                float(next_to_quoted and not after),
                float(wants_view and takes_view(sentence.text)),
                max(beside, default=0.0),
                float(settles(analysis.answer_type, sentence.text)),
                float(gives_cause(analysis.answer_type, sentence.text)),
                _word_match(asked, own, retrieval.words.get(sentence.id)),
            )
            found.append(Candidate(chunk, sentence, values))
    return found


def _word_match(
    asked: WordVectors | None, weights: dict[str, float], words: WordVectors | None
) -> float:
    """`word_vectors.match` of the question's words in a sentence's; 0.0 without vectors."""
    return 0.0 if asked is None or words is None else match(asked, weights, words)


def _said_positions(retrieval: Retrieval, said: str) -> set[tuple[str, int]]:
    """(chunk id, sentence index) of each retrieved sentence the previous answer gave.

    The last sentence of a chunk is also recorded as (chunk id, -1), so that the first
    sentence of the next chunk counts as following it.
    """
    found = set(cited_positions(retrieval.chunks.values(), said))
    for chunk_id, index in list(found):
        if index == len(retrieval.chunks[chunk_id].sentences) - 1:
            found.add((chunk_id, -1))
    return found


def _previous_chunk(chunk_id: str) -> str:
    """The id of the chunk before `chunk_id` in its source (ids are "<source key>:<n>")."""
    key, _, n = chunk_id.rpartition(":")
    return f"{key}:{int(n) - 1}" if n.isdigit() else ""


def _kind_features(chunk: Chunk, intent: Intent) -> tuple[float, ...]:
    """named_act ... commentary_for_reception: what kind of text this is, for this question."""
    official = bool(chunk.part)
    named = official and intent.names_act(chunk.group)
    return (
        float(named),
        float(official and bool(intent.acts) and not named),
        float(chunk.part == "preamble" and intent.wants_reasons),
        float(chunk.part == "operative" and intent.wants_reasons),
        float(chunk.part == "operative" and not intent.wants_reasons),
        float(official and intent.names_block(chunk.locator)),
        float(official and intent.wants_commentary),
        float(not official and intent.wants_commentary and bool(intent.acts)),
    )


def verified(item: Scored, analysis: Analysis, title: str) -> bool:
    """True when the sentence has the expected answer type and its context meets the constraints.

    The context is the sentence's paragraph or clause, its heading and locator, and the title
    of its source ("ITU Plenipotentiary 2014: ..." says what every passage of it is about).
    """
    text = readable(item.sentence.text)
    if item.chunk.part and analysis.answer_type in ("person", "organisation"):
        # A clause's block heading names whom it calls upon or instructs ("calls upon Member
        # States": "to support relay stations.").
        text = f"{item.chunk.locator.rpartition(' › ')[2]}: {text}"
    if not has_type(analysis.answer_type, text, analysis):
        return False
    context = f"{title}\n{item.chunk.context}\n{item.chunk.text}"
    return not unmet(analysis, context)


def candidates(
    turn: Turn, retrieval: Retrieval, using: Settings | None = None
) -> tuple[list[Scored], list[Scored]]:
    """Every sentence ranked, and those of them that pass verification (both best first).

    The line that names a commentary section's act ("Resolution Com5/4 (Busan, 2014)") is a
    candidate only when the question asks which act it is or its number.
    """
    ranked = rank(turn, retrieval, using)
    if not asks_for_act(turn.analysis.question):
        ranked = [i for i in ranked if not i.chunk.names_act]
    titles = {p.source: p.title for p in retrieval.passages}
    passing = [
        item for item in ranked if verified(item, turn.analysis, titles.get(item.chunk.source, ""))
    ]
    return ranked, passing

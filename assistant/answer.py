"""The extractive answerer: the fewest source sentences that answer, each with its citation.

Sentences of the retrieved chunks are scored by their similarity to the query (vectors made at
index time) plus the share of the question's weighted terms they contain, with a bonus for the
kind of text the question asks for. Below a calibrated score the answerer abstains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.catalog import terms
from assistant.chunking import Chunk, Sentence
from assistant.citations import cite, closest_sources, readable
from assistant.retrieve import Retrieval
from assistant.schema import Answer, Citation

# Calibrated on the development questions (tests/data/eval); see tests/test_quality.py.
KEYWORD_WEIGHT = 0.9
CONTEXT_WEIGHT = 0.5  # a term found only in the section heading or locator counts half
TITLE_WEIGHT = 0.3  # a question word that is in the source's title counts this much
ABSTAIN_BELOW = 0.3
SECOND_WITHIN = 0.2  # another sentence joins when it scores this close to the best
MAX_SENTENCES = 3
TYPE_PENALTY = 0.2  # the sentence lacks what the question asks for (a number, a time)
ABSENT_PENALTY = 0.6  # times the share of the question's weight in words no source contains
EARLIER_TURN_WEIGHT = 0.3  # weight of words only an earlier question used
REPEAT_PENALTY = 0.3  # a sentence the previous answer already gave
ACT_BONUS = 0.25  # the question names this resolution or decision
BLOCK_BONUS = 0.1  # the question names this clause's block ("resolves", "instructs ...")

LIST_WITHIN = 0.25  # list questions: clauses this close to the best are all listed
MAX_LISTED = 12

NO_ANSWER = "The sources do not answer this question."
_ACT_MENTION = re.compile(r"\b(resolution|decision)\s+([A-Za-z\-]*\d+[\w/\-]*)", re.IGNORECASE)
_REASON = re.compile(r"\b(why|reason|context|background|recall|consider|recogni[sz])", re.I)
_RECEPTION = re.compile(r"\b(how was|received|react|critic|controvers|comment|view|opinion|"
                        r"impression|analy)", re.I)
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|"
                     r"hundred|thousand|million|billion|dozen|half|percent|several|many|few)\b",
                     re.IGNORECASE)
_TIME = re.compile(r"\b(1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|"
                   r"september|october|november|december|next|last|year|years|month|months|week|"
                   r"weeks|day|days|today|until|after|before|since|annual|every|once|twice|"
                   r"future|later|soon|\d+(st|nd|rd|th))\b", re.IGNORECASE)
_ASKS_NUMBER = re.compile(r"^\W*(how (many|much)|what (percentage|share|number|amount|sum))", re.I)
_PLACE = re.compile(r"\b(in|at|from|to)\s+(the\s+)?[A-Z][\w\-]+")
_ASKS_PLACE = re.compile(r"^\W*(where|in (what|which) (city|country|place))", re.IGNORECASE)
_ASKS_TIME = re.compile(r"^\W*(when|what (year|date|day|month)|how (often|long|soon)|until when)",
                        re.IGNORECASE)
_LIST = re.compile(r"^\W*(which|what|list( all)?( the)?)\s+(resolutions|decisions|acts)\b|"
                   r"\ball (the )?(resolutions|decisions)\b", re.IGNORECASE)
_BLOCKS = ("resolves", "decides", "instructs", "invites", "encourages", "requests", "calls upon")


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and how well it answers."""

    score: float
    chunk: Chunk
    sentence: Sentence


def stem(word: str) -> str:
    """A crude English stem, enough to match 'expires' with 'expire'."""
    word = word.lower().removesuffix("'s")
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


class ExtractiveAnswerer:
    """Answers with verbatim source sentences; needs no LLM."""

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """Pick the sentences that answer `question`, or abstain."""
        ranked = self.rank(question, retrieval)
        if not ranked or confidence(ranked[0].score, retrieval) < ABSTAIN_BELOW:
            return abstain(retrieval)
        if is_list_question(question):
            chosen = _one_per_act(ranked)
        else:
            chosen = [ranked[0]]
            for cand in ranked[1:]:
                if len(chosen) == MAX_SENTENCES or cand.score < ranked[0].score - SECOND_WITHIN:
                    break
                chosen.append(cand)
        return compose(chosen, retrieval)

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
        acts = {(k.lower(), n.lower()) for k, n in _ACT_MENTION.findall(question)}
        blocks = [b for b in _BLOCKS if b in question.lower()]
        wanted = expected_type(question)
        wants_reasons = bool(_REASON.search(question))
        wants_commentary = bool(_RECEPTION.search(question))
        scored: list[Scored] = []
        for chunk in retrieval.chunks.values():
            own = {t: w * (TITLE_WEIGHT if t in title_terms.get(chunk.source, ()) else 1.0)
                   for t, w in weights.items()}
            total = sum(own.values()) or 1.0
            context = {stem(w) for w in terms(chunk.context)}
            bonus = _kind_bonus(chunk, acts, blocks, wants_reasons, wants_commentary)
            for sentence in chunk.sentences:
                words = {stem(w) for w in terms(sentence.text)}
                matched = sum(w for t, w in own.items() if t in words)
                matched += CONTEXT_WEIGHT * sum(
                    w for t, w in own.items() if t in context and t not in words)
                similarity = retrieval.similarity.get(sentence.id, 0.0)
                score = similarity + KEYWORD_WEIGHT * matched / total + bonus
                if wanted is not None and not wanted.search(sentence.text):
                    score -= TYPE_PENALTY
                if said and readable(sentence.text) in said:
                    score -= REPEAT_PENALTY
                scored.append(Scored(score, chunk, sentence))
        scored.sort(key=lambda s: -s.score)
        return scored


def is_list_question(question: str) -> bool:
    """True for questions asking for every resolution or decision that does something."""
    return bool(_LIST.search(question.split("?")[0] if "?" in question else question))


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
        citation = cite(len(citations) + 1, item.chunk, item.sentence,
                        titles.get(item.chunk.source, item.chunk.source))
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
    total = sum(retrieval.idf.values()) or 1.0
    missing = sum(w for t, w in retrieval.idf.items() if t in retrieval.absent)
    return score - ABSENT_PENALTY * missing / total


def expected_type(question: str) -> re.Pattern[str] | None:
    """What the answer must contain, judged from the last question asked: a number or a time."""
    asked = [q for q in re.split(r"(?<=\?)\s+", question.strip()) if q.strip()]
    last = asked[-1] if asked else question
    if _ASKS_NUMBER.search(last):
        return _NUMBER
    if _ASKS_TIME.search(last):
        return _TIME
    if _ASKS_PLACE.search(last):
        return _PLACE
    return None


def _kind_bonus(chunk: Chunk, acts: set[tuple[str, str]], blocks: list[str],
                wants_reasons: bool, wants_commentary: bool) -> float:
    """Prefer official text for what a named act says, commentary for how it was received."""
    bonus = 0.0
    if chunk.part:  # a clause of a final-acts document
        label = chunk.group.lower()
        if any(label.startswith(f"{kind} {number} ") for kind, number in acts):
            bonus += ACT_BONUS
        elif acts:
            bonus -= ACT_BONUS / 2
        if chunk.part == "operative" and not wants_reasons:
            bonus += BLOCK_BONUS / 2
        if chunk.part == "preamble" and wants_reasons:
            bonus += BLOCK_BONUS
        if any(b in chunk.locator.lower() for b in blocks):
            bonus += BLOCK_BONUS
        if wants_commentary:
            bonus -= BLOCK_BONUS
    elif wants_commentary and acts:
        bonus += BLOCK_BONUS
    return bonus


def abstain(retrieval: Retrieval) -> Answer:
    """An answer that says the sources do not answer, naming the closest ones."""
    text = NO_ANSWER
    if retrieval.passages:
        text += f" The closest passages are in: {closest_sources(retrieval.passages)}."
    return Answer(text, [], True, retrieval.passages)

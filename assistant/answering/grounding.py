"""Holding a model's reply to the passages: which sentences stay, with which citations.

A marker naming no retrieved passage, or a passage that does not support its sentence
(`verification.supports`: most of its words, every number and name), is removed; a sentence
left without a valid marker is dropped and counted; markers are renumbered 1..m by first
appearance; each citation quotes, verbatim via `citations.cite`, the passage sentence that best
overlaps the answer sentences citing it (up to MAX_QUOTE_SENTENCES consecutive ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.citations import MARKER, cite, markers_in
from assistant.answering.prompts import NOT_IN_SOURCES, split_reply
from assistant.answering.retrieve import Retrieval
from assistant.answering.verification import supports
from assistant.index.text import stem, terms
from assistant.schema import Chunk, Citation, Sentence

_GLUED_MARKER = re.compile(r"(?<=[^\s\]])(?=\[\d{1,3}\])")
MAX_QUOTE_SENTENCES = 3  # one citation quotes at most this many consecutive sentences


@dataclass(frozen=True)
class Citable:
    """A retrieved passage the answer may cite: its chunk, its context and its sentences."""

    chunk: Chunk
    title: str
    context: str  # title, heading or locator, and text: what a sentence citing it may rely on
    sentences: tuple[tuple[Sentence, frozenset[str]], ...]  # only sentences `cite` accepts


@dataclass(frozen=True)
class Draft:
    """A model reply after validation: text with renumbered markers, and its citations."""

    text: str
    citations: list[Citation]
    dropped: int  # sentences left out for want of a valid citation
    cited: tuple[int, ...] = ()  # the prompt's numbers of the passages kept as citations


def render(
    reply: str, citable: dict[int, Citable], memo: dict[str, list[int]] | None = None
) -> Draft:
    """Validate a cleaned reply: keep supported sentences, renumber markers, quote the sources.

    A marker stays only when its passage supports the sentence (`verification.supports`); a
    sentence left with no marker is dropped.
    """
    kept: list[tuple[int, str, list[int], frozenset[str]]] = []  # newlines before, text, ...
    dropped = newlines = 0
    for separator, sentence in split_reply(reply):
        newlines = max(newlines, separator.count("\n"))  # a dropped sentence keeps its break
        claim = MARKER.sub(" ", sentence)
        words = _stems(claim)
        valid = memo.get(sentence) if memo is not None else None
        if valid is None:
            valid = [
                n
                for n in dict.fromkeys(markers_in(sentence))
                if n in citable and supports(citable[n].context, claim)
            ]
            if memo is not None:
                memo[sentence] = valid
        if not valid:
            if words and NOT_IN_SOURCES.lower() not in sentence.lower():
                dropped += 1
            continue
        kept.append((newlines, sentence, valid, words))
        newlines = 0
    numbers: dict[int, int] = {}
    for _, _, valid, _ in kept:
        for n in valid:
            numbers.setdefault(n, len(numbers) + 1)
    parts: list[str] = []
    for i, (breaks, sentence, valid, _) in enumerate(kept):
        if i:
            parts.append("\n" * min(2, breaks) or " ")
        parts.append(_renumber(sentence, valid, numbers))
    citations: list[Citation] = []
    for n, marker in numbers.items():
        source = citable[n]
        picks = [_best_support(source, words) for _, _, valid, words in kept if n in valid]
        first, last = min(picks), max(picks)
        if last - first >= MAX_QUOTE_SENTENCES:
            first = last = picks[0]
        citation = cite(marker, source.chunk, _span(source, first, last), source.title)
        assert citation is not None  # `_citable` kept only sentences that cite
        citations.append(citation)
    return Draft("".join(parts), citations, dropped, tuple(numbers))


def _best_support(source: Citable, words: frozenset[str]) -> int:
    """The index of the passage sentence sharing most words with an answer sentence."""

    def overlap(i: int) -> tuple[int, float]:
        shared = len(source.sentences[i][1] & words)
        return shared, shared / max(1, len(source.sentences[i][1]))

    return max(range(len(source.sentences)), key=overlap)


def _span(source: Citable, first: int, last: int) -> Sentence:
    """Passage sentences first..last as one sentence (one quote for several answer sentences)."""
    head, tail = source.sentences[first][0], source.sentences[last][0]
    if first == last:
        return head
    at = source.chunk.start
    return Sentence(
        f"{head.id}-{tail.id}",
        source.chunk.text[head.start - at : tail.end - at],
        head.start,
        tail.end,
    )


def _renumber(sentence: str, valid: list[int], numbers: dict[int, int]) -> str:
    """Markers renumbered; a marker written twice stays only where it was written last."""
    last = {int(m.group(1)): m.start() for m in MARKER.finditer(sentence)}

    def marker(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in valid or last[n] != match.start():
            return ""
        return f"{match.group(0).partition('[')[0]}[{numbers[n]}]"

    # "states [1][1]" keeps the second marker: give it the space the first one had.
    return _GLUED_MARKER.sub(" ", MARKER.sub(marker, sentence))


def citable_passages(retrieval: Retrieval) -> dict[int, Citable]:
    """Passages by their number in the prompt, when their chunk can give a verified quote."""
    found: dict[int, Citable] = {}
    for n, passage in enumerate(retrieval.passages, start=1):
        chunk = retrieval.chunks.get(passage.chunk_id)
        if chunk is None:
            continue
        sentences = tuple(
            (s, _stems(s.text))
            for s in chunk.sentences
            if cite(n, chunk, s, passage.title) is not None
        )
        if sentences:
            context = f"{passage.title}\n{chunk.context}\n{chunk.locator}\n{chunk.text}"
            found[n] = Citable(chunk, passage.title, context, sentences)
    return found


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in terms(text))

"""Citations as data: build them from retrieved chunks and keep only those that check out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.schema import Answer, Chunk, Citation, Passage, Sentence

MARKER = re.compile(r"\s?\[(\d{1,3})\]")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BRACKETED_NUMBER = re.compile(r"\[(\d{1,3})\]")
_REPEATED = re.compile(r"(\[(\d{1,3})\])(?:\s?\[\2\])+")


def cite(marker: int, chunk: Chunk, sentence: Sentence, title: str) -> Citation | None:
    """A citation of `sentence`, or None unless it is verbatim at its offsets in `chunk`."""
    at = sentence.start - chunk.start
    if chunk.text[at : at + len(sentence.text)] != sentence.text or not sentence.text.strip():
        return None
    return Citation(
        marker, chunk.source, title, chunk.locator, sentence.text, sentence.start, sentence.end
    )


def span(chunk: Chunk, first: int, last: int) -> Sentence:
    """Sentences first..last of `chunk` as one sentence: one quote for a run of sentences."""
    head, tail = chunk.sentences[first], chunk.sentences[last]
    if first == last:
        return head
    text = chunk.text[head.start - chunk.start : tail.end - chunk.start]
    return Sentence(f"{head.id}-{tail.id}", text, head.start, tail.end)


def is_verbatim(citation: Citation, source_text: str) -> bool:
    """True when the quote stands word for word at its offsets in the source's text."""
    return source_text[citation.start : citation.end] == citation.quote


def readable(quote: str) -> str:
    """A quote as answer prose: whitespace folded, Markdown links reduced to their text.

    A bracketed number in the source ("see [1]") is written "(1)", so that it cannot read as
    one of the answer's citation markers; the citation's quote keeps it verbatim.
    """
    text = " ".join(_MD_LINK.sub(r"\1", quote).split())
    return _BRACKETED_NUMBER.sub(r"(\1)", text)


def markers_in(text: str) -> list[int]:
    """The [n] markers of a text, in order of appearance."""
    return [int(m) for m in MARKER.findall(text)]


def drop_markers(text: str, keep: Sequence[int]) -> str:
    """Remove every [n] marker whose n is not in `keep`."""
    wanted = set(keep)
    return MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in wanted else "", text)


def closest_sources(passages: Sequence[Passage], limit: int = 2) -> str:
    """'Title (locator); Title (locator)' for the best passages, each source once."""
    seen: dict[str, str] = {}
    for p in passages:
        seen.setdefault(p.source, f"{p.title} ({p.locator})")
        if len(seen) == limit:
            break
    return "; ".join(seen.values())


def unit_of(citation: Citation, passages: Sequence[Passage]) -> Passage | None:
    """The smallest retrieved passage (a paragraph or clause, or part of one) holding the quote."""
    holding = [
        p
        for p in passages
        if p.source == citation.source and p.start <= citation.start and citation.end <= p.end
    ]
    return min(holding, key=lambda p: p.end - p.start, default=None)


def one_per_passage(answer: Answer) -> Answer:
    """`answer` with one reference per passage: citations quoting the same paragraph or
    clause share its first marker, the markers are numbered again 1, 2 ... in order, and the
    text's markers follow (a marker repeated right after itself is written once).

    Each citation keeps its own quote and offsets, so every quoted sentence is still shown.
    """
    if len(answer.citations) < 2:
        return answer
    numbers: dict[tuple[str, ...], int] = {}
    renumbered: dict[int, int] = {}
    for c in sorted(answer.citations, key=lambda c: c.marker):
        unit = unit_of(c, answer.passages)
        key = (c.role, c.source, unit.chunk_id or str(unit.start)) if unit else (str(c.marker),)
        renumbered[c.marker] = numbers.setdefault(key, len(numbers) + 1)
    if all(old == new for old, new in renumbered.items()):
        return answer

    def rewrite(match: re.Match[str]) -> str:
        new = renumbered.get(int(match.group(1)))
        return match.group(0) if new is None else match.group(0).replace(match.group(1), str(new))

    text = MARKER.sub(rewrite, answer.text)
    text = _REPEATED.sub(r"\1", text)
    citations = [replace(c, marker=renumbered[c.marker]) for c in answer.citations]
    return replace(answer, text=text, citations=citations)

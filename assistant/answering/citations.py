"""Citations as data: build them from retrieved chunks and keep only those that check out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.schema import Chunk, Citation, Passage, Sentence

MARKER = re.compile(r"\s?\[(\d{1,3})\]")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BRACKETED_NUMBER = re.compile(r"\[(\d{1,3})\]")


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

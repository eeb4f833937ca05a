"""Finding a source's copy in the index: the same extracted text, or nearly the same.

The same text (hash of the extracted text) is a duplicate: it is not stored or indexed again.
Nearly the same text (equal once case, punctuation and spacing are folded, or sharing most
five-word shingles: the PDF and the HTML of one document) is indexed, and reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.index.catalog import Catalog

NEAR_OVERLAP = 0.8  # Jaccard overlap of five-word shingles above which two texts are near copies
SHINGLE = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Copy:
    """An indexed source whose text is the same as (`exact`) or close to a new text."""

    source: str
    exact: bool


def text_digest(text: str) -> str:
    """The hash of an extracted text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) <= SHINGLE:
        return {tuple(words)}
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def find_copy(catalog: Catalog, text: str, *, besides: str = "") -> Copy | None:
    """The indexed source (other than `besides`) whose text is `text`, or nearly; else None."""
    digest = text_digest(text)
    words = _words(text)
    shingles: set[tuple[str, ...]] | None = None
    near: Copy | None = None
    for source, other in catalog.texts():
        if source == besides:
            continue
        if text_digest(other) == digest:
            return Copy(source, exact=True)
        if near is not None:
            continue
        other_words = _words(other)
        if other_words == words:
            near = Copy(source, exact=False)
            continue
        shingles = shingles if shingles is not None else _shingles(words)
        theirs = _shingles(other_words)
        overlap = len(shingles & theirs) / max(1, len(shingles | theirs))
        if overlap >= NEAR_OVERLAP:
            near = Copy(source, exact=False)
    return near

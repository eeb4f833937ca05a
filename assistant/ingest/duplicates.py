"""Finding a source's copy in the index: the same extracted text, or nearly the same.

The same text (hash of the extracted text) is a duplicate: it is not stored or indexed again.
Nearly the same text (equal once case, punctuation and spacing are folded, or sharing most
five-word shingles: the PDF and the HTML of one document) is indexed, and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.index.catalog import Catalog
from assistant.index.fingerprints import NEAR_OVERLAP, overlap, shingles, text_digest, words

__all__ = ["NEAR_OVERLAP", "Copy", "find_copy", "text_digest"]


@dataclass(frozen=True)
class Copy:
    """An indexed source whose text is the same as (`exact`) or close to a new text."""

    source: str
    exact: bool


def find_copy(catalog: Catalog, text: str, *, besides: str = "") -> Copy | None:
    """The indexed source (other than `besides`) whose text is `text`, or nearly; else None.

    Reads only the texts the catalog's fingerprints point at, not every indexed text.
    """
    same, maybe = catalog.copies(text, besides)
    if same is not None:
        return Copy(same, exact=True)
    folded = words(text)
    mine: set[tuple[str, ...]] | None = None
    for source in maybe:  # by id: the first near copy, as when every text was read
        other = words(catalog.text(source) or "")
        if other == folded:
            return Copy(source, exact=False)
        mine = mine if mine is not None else shingles(folded)
        if overlap(mine, shingles(other)) >= NEAR_OVERLAP:
            return Copy(source, exact=False)
    return None

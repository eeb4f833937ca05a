"""Finding a source's copy in the index: the same extracted text, or nearly the same.

The same text (hash of the extracted text) is a duplicate: it is not stored or indexed again.
Nearly the same text (equal once case, punctuation and spacing are folded, or sharing most
five-word shingles: the PDF and the HTML of one document) is indexed, and reported.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from assistant.index.catalog import Catalog
from assistant.index.fingerprints import NEAR_OVERLAP, overlap, shingles, text_digest, words

__all__ = ["NEAR_OVERLAP", "Copy", "find_copy", "text_digest"]


@dataclass(frozen=True)
class Copy:
    """An indexed source whose text is the same as (`exact`) or close to a new text."""

    source: str
    exact: bool


# The last answers by (catalog file, generation, text digest, `besides` if indexed): adding a
# file checks it before storing it and its sync checks it again, with the catalog unchanged in
# between; on a large index each check took 1-2 s (BENCHMARKS.md). Any committed change to
# the catalog bumps its generation, so an answer is never reused across one.
_RECENT: OrderedDict[tuple[str, int, str, str], Copy | None] = OrderedDict()
_RECENT_SIZE = 64
_LOCK = threading.Lock()


def find_copy(catalog: Catalog, text: str, *, besides: str = "") -> Copy | None:
    """The indexed source (other than `besides`) whose text is `text`, or nearly; else None.

    Reads only the texts the catalog's fingerprints point at, not every indexed text; the
    same question of an unchanged catalog is answered from memory.
    """
    excluded = besides if besides and catalog.row(besides) is not None else ""
    key = (str(catalog.path), catalog.generation(), text_digest(text), excluded)
    with _LOCK:
        if key in _RECENT:
            _RECENT.move_to_end(key)
            return _RECENT[key]
    found = _find_copy(catalog, text, excluded)
    with _LOCK:
        _RECENT[key] = found
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return found


def _find_copy(catalog: Catalog, text: str, besides: str) -> Copy | None:
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

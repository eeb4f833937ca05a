"""Page maps: where each PDF page starts in a source's extracted text, and its printed label.

A page map is a list of start offsets, one per page (page n, 1-based, starts at `starts[n-1]`),
and the printed page labels when the PDF declares them ("iii", "123"). Offsets refer to the text
the catalog stores, which final-acts cleaning rewrites (running heads dropped, lines joined), so
`carry` moves page starts from the raw extracted text to the rewritten one by aligning their
words: cleaning changes only whitespace, bullets, hyphens at line ends and where footnotes stand.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
# A page starts at the first word from which this many words in a row lie on that page or later
# (a footnote moved back over a page break does not start the page early).
_RUN = 8
# How far (in words) a word may move and still be recognised as the same word.
_REACH = 20_000


@dataclass(frozen=True)
class PageMap:
    """Where each page starts in a text, and the printed labels of the pages (if any)."""

    starts: tuple[int, ...]
    labels: tuple[str, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page on which the character at `offset` stands (None without pages)."""
        if not self.starts:
            return None
        return max(1, bisect.bisect_right(self.starts, offset))

    def label_at(self, offset: int) -> str | None:
        """The printed label of the page at `offset`, when the PDF declares page labels."""
        page = self.page_at(offset)
        if page is None or len(self.labels) < page:
            return None
        return self.labels[page - 1] or None

    def to_json(self) -> str:
        """The map as JSON, as the catalog stores it."""
        return json.dumps({"starts": list(self.starts), "labels": list(self.labels)})

    @classmethod
    def from_json(cls, raw: str) -> PageMap:
        """A map stored by `to_json`."""
        data = json.loads(raw)
        return cls(tuple(int(s) for s in data["starts"]), tuple(str(x) for x in data["labels"]))


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Pages' texts joined by a line break, with the offset where each page starts."""
    starts: list[int] = []
    at = 0
    for page in pages:
        starts.append(at)
        at += len(page) + 1
    return "\n".join(pages), tuple(starts)


def carry(pages: PageMap, raw: str, text: str) -> PageMap:
    """`pages` (offsets into `raw`) moved to `text`, a rewriting of `raw` with the same words.

    Each word of `text` is matched to the same word in `raw` near where the previous one
    matched (three words in a row, found anywhere within reach, when the next word differs);
    a word that matches nothing (a hyphenated word joined again) takes the page of the last
    match. Page n then starts at the first word of `text` from which words lie on page n or
    later.
    """
    if not pages.starts:
        return pages
    if raw == text:
        return pages
    raw_words = [(m.group().lower(), m.start()) for m in _WORD.finditer(raw)]
    words = [m.group().lower() for m in _WORD.finditer(text)]
    offsets = [m.start() for m in _WORD.finditer(text)]
    raw_pages = [bisect.bisect_right(pages.starts, at) for _, at in raw_words]
    found = _align([w for w, _ in raw_words], words)
    on_page = [raw_pages[j] if j is not None else 0 for j in found]
    for i in range(1, len(on_page)):  # unmatched: the page of the last match
        on_page[i] = on_page[i] or on_page[i - 1]
    starts = [0]
    i = 0
    for page in range(2, len(pages.starts) + 1):
        while i < len(on_page) and not all(p >= page for p in on_page[i : i + _RUN]):
            i += 1
        starts.append(offsets[i] if i < len(offsets) else len(text))
    return PageMap(tuple(starts), pages.labels)


def _align(raw: list[str], words: list[str]) -> list[int | None]:
    """For each of `words`, the index of the same word in `raw` (None when none is found)."""
    trigrams: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(raw) - 2):
        trigrams.setdefault(tuple(raw[j : j + 3]), []).append(j)
    found: list[int | None] = []
    j = 0  # where the next word is expected in raw
    for i, word in enumerate(words):
        if j < len(raw) and raw[j] == word:
            found.append(j)
            j += 1
            continue
        near = _nearest(trigrams.get(tuple(words[i : i + 3]), []), j)
        if near is None:
            found.append(None)
            continue
        found.append(near)
        j = near + 1
    return found


def _nearest(positions: list[int], j: int) -> int | None:
    """The position in `positions` (sorted) nearest to `j`, preferring later ones; within reach."""
    if not positions:
        return None
    k = bisect.bisect_left(positions, j)
    best = [p for p in positions[max(0, k - 1) : k + 1] if abs(p - j) <= _REACH]
    if not best:
        return None
    return min(best, key=lambda p: (abs(p - j) if p >= j else 2 * (j - p), -p))

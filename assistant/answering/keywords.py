"""Which words of a question the keyword search puts in its FTS5 query.

An FTS5 `OR` query ordered by BM25 scores every chunk holding any of its words (reading each
one's length), so its time grows with the chunks its words are in: a word found in most chunks
("ITU", "conference") costs as much as the index is large and BM25 weighs it at almost
nothing. So in a large index (`KeywordLimit.from_chunks`) the query keeps only the rarest few
words, within a bound on the chunks they are in; a smaller index is searched with every word,
as it always was.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class KeywordLimit:
    """How the keyword query of a large index is cut (Settings.keyword_*)."""

    from_chunks: int  # indexes of more chunks than this are searched with limited words
    common_fraction: float  # words found in more than this fraction of the chunks are left out
    max_terms: int  # at most this many of the rarest words that are left
    # and only while the chunks they are in add up to at most this many (None: no bound)
    max_postings: int | None = None

    def words(self, words: Sequence[str], frequency: Mapping[str, int], chunks: int) -> list[str]:
        """The words of `words` to search `chunks` chunks with; `frequency`: word -> chunks
        containing it, for each of `words`.

        At `from_chunks` chunks or fewer: `words` unchanged. Above: of the distinct words in
        at most `common_fraction` of the chunks (and in one at least), the rarest first (ties:
        the first asked), at most `max_terms` and while their chunks add up to at most
        `max_postings`; in the question's order. None may be left: a question of common words
        only is then not keyword-searched at all, since searching one such word alone costs
        as much as it tells little.
        """
        if chunks <= self.from_chunks:
            return list(words)
        unique = dict.fromkeys(words)
        kept = [w for w in unique if 0 < frequency.get(w, 0) <= self.common_fraction * chunks]
        ranked = sorted(kept, key=lambda w: frequency[w])[: self.max_terms]
        if self.max_postings is not None:
            added = itertools.accumulate(frequency[w] for w in ranked)
            ranked = ranked[: sum(1 for n in added if n <= self.max_postings)]
        rarest = set(ranked)
        return [w for w in kept if w in rarest]

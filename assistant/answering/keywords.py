"""Which words of a question the keyword search puts in its FTS5 query.

An FTS5 `OR` query reads the whole list of chunks of every word it names, and a word found in
most chunks ("ITU", "conference") makes that list as long as the index while BM25 gives it
almost no weight. So in a large index (`KeywordLimit.from_chunks`) the query leaves out the
words that common and keeps the rarest few; a smaller index is searched with every word, as
it always was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class KeywordLimit:
    """How the keyword query of a large index is cut (Settings.keyword_*)."""

    from_chunks: int  # indexes of more chunks than this are searched with limited words
    common_fraction: float  # words found in more than this fraction of the chunks are left out
    max_terms: int  # at most this many of the rarest words that are left

    def words(self, words: Sequence[str], frequency: Mapping[str, int], chunks: int) -> list[str]:
        """The words of `words` to search `chunks` chunks with; `frequency`: word -> chunks
        containing it, for each of `words`.

        At `from_chunks` chunks or fewer: `words` unchanged. Above: the distinct words found in
        some chunk and in at most `common_fraction` of them, the `max_terms` rarest (ties: the
        first asked), in the question's order; when every found word is more common than that,
        the rarest alone, so the search still finds something.
        """
        if chunks <= self.from_chunks:
            return list(words)
        found = [w for w in dict.fromkeys(words) if frequency.get(w, 0) > 0]
        kept = [w for w in found if frequency[w] <= self.common_fraction * chunks]
        if not kept:
            kept = sorted(found, key=lambda w: frequency[w])[:1]
        rarest = set(sorted(kept, key=lambda w: frequency[w])[: self.max_terms])
        return [w for w in kept if w in rarest]

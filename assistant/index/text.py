"""Words of a text: the tokenizer and stemmer that the keyword index and the answerers share."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "about",
        "according",
        "also",
        "any",
        "say",
        "says",
        "said",
        "tell",
        "me",
        "you",
        "your",
        "we",
        "our",
        "us",
    }
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


def terms(text: str) -> list[str]:
    """Content words of `text`, lower-cased, without stopwords (kept in order, repeats kept)."""
    return [word for word, _, _ in term_spans(text)]


def term_spans(text: str) -> list[tuple[str, int, int]]:
    """`terms` of `text`, each with the start and end of the characters it was read from."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'").strip("'-").removesuffix("'s")
        if word and word not in STOPWORDS:
            found.append((word, match.start(), match.end()))
    return found


# The original Porter algorithm: the one SQLite's FTS5 `porter` tokenizer applies to the
# keyword index, so a word the keyword search matched is a word the answerers match too.
_PORTER = snowballstemmer.stemmer("porter")


@cache
def stem(word: str) -> str:
    """The Porter stem of a lower-cased word ("successful" and "success" -> "success")."""
    return str(_PORTER.stemWord(word.lower().removesuffix("'s")))

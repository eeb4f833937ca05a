"""Words of a text: the tokenizer and stemmer that the keyword index and the answerers share."""

from __future__ import annotations

import re

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
    words = (
        w.lower().replace("’", "'").strip("'-").removesuffix("'s") for w in _WORD.findall(text)
    )
    return [w for w in words if w and w not in STOPWORDS]


def stem(word: str) -> str:
    """A crude English stem, enough to match 'expires' with 'expire'."""
    word = word.lower().removesuffix("'s")
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    # "decide", "decides" and "decided" all end up as "decid".
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


_SUFFIXES = (
    ("ies", "y"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("ing", ""),
    ("ed", ""),
    ("s", ""),
)

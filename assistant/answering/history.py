"""Conversation history: turn a follow-up question into one that stands on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.index.text import terms

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her|there|"
    r"the same|the latter|the former|the resolution|the decision|that resolution|"
    r"this resolution|the group|the proposal|the conference)\b",
    re.IGNORECASE,
)
SHORT_QUESTION_TERMS = 2


def standalone(question: str, history: Sequence[dict[str, Any]] | None) -> str:
    """The question, prefixed with the previous user question when it leans on it."""
    if not history:
        return question

    previous = [
        str(m.get("content", ""))
        for m in history
        if isinstance(m, dict) and m.get("role") == "user" and m.get("content")
    ]
    if not previous:
        return question

    if _ANAPHORA.search(question) or len(terms(question)) <= SHORT_QUESTION_TERMS:
        return f"{previous[-1]} {question}"
    return question


def last_answer(history: Sequence[dict[str, Any]] | None) -> str:
    """The text of the assistant's previous answer, or ''."""
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "assistant":
            return str(message.get("content") or "")
    return ""

"""Conversation history: turn a follow-up question into one that stands on its own.

A follow-up that leans on the previous question ("Who can join it?", "Why?") is searched
together with it; a pronoun that points back is read as the thing the previous question named
("it" after "What is CWG-Internet?"); an explicit change of subject ("New topic: ...") starts
afresh, and so does a question asked again in nearly the same words (`restates`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.index.text import stem, terms

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her|there|"
    r"the same|the latter|the former|the resolution|the decision|that resolution|"
    r"this resolution|the group|the proposal|the conference|"
    # A definite noun for the topic itself points back as a pronoun does ("What did the final
    # text drop?" after a question on the counterfeiting resolution).
    r"the topic|the issue|the subject|the text|the final text|the final version|the outcome)\b",
    re.IGNORECASE,
)
SHORT_QUESTION_TERMS = 2
# The share of their distinct content stems two questions must share to be the same question
# ("Sorry, who can take part in CWG-Internet?" and "Who can take part in CWG-Internet?": 0.8).
SAME_QUESTION = 0.75
# Pronouns a referent can stand in for ("it" -> "CWG-Internet", "its" -> "CWG-Internet's").
_POINTS_BACK = re.compile(
    r"\b(it|its|this|that|them|the resolution|this resolution|that resolution|"
    r"the decision|this decision|the proposal|this proposal)\b(?!\s+(is|was|the|a)\b)",
    re.IGNORECASE,
)
_TOPIC_SWITCH = re.compile(
    r"^\W*(different (question|topic|subject)|another (question|topic)|changing the subject|"
    r"change of subject|new topic|unrelated|on another note|switching topics?|separately)\b"
    r"[\s:,.;\-–—]*",
    re.IGNORECASE,
)


def new_topic(question: str) -> str | None:
    """The question without its opening, when it opens by changing the subject; else None."""
    match = _TOPIC_SWITCH.match(question)
    return question[match.end() :] if match and question[match.end() :].strip() else None


def restates(question: str, previous: str) -> bool:
    """True when `question` asks `previous` again, in nearly the same words.

    A repeated question is answered afresh, as if asked first: not declined, and not steered
    away from what the previous answer said.
    """
    asked = {stem(w) for w in terms(question)}
    before = {stem(w) for w in terms(previous)}
    if not asked or not before:
        return False
    return len(asked & before) / len(asked | before) >= SAME_QUESTION


def previous_question(history: Sequence[dict[str, Any]] | None) -> str:
    """The last question the user asked before this one, or ''."""
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "user" and message.get("content"):
            return str(message["content"])
    return ""


def resolve(question: str, referent: str) -> str:
    """`question` with its first pronoun that points back replaced by `referent`."""
    if not referent:
        return question

    def name(match: re.Match[str]) -> str:
        return f"{referent}'s" if match.group(1).lower() == "its" else referent

    return _POINTS_BACK.sub(name, question, count=1)


def standalone(question: str, history: Sequence[dict[str, Any]] | None) -> str:
    """The question, prefixed with the previous user question when it leans on it."""
    if not history or new_topic(question) is not None:
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

"""One turn of a conversation, read once: the user's words, what to search, what was said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering.history import last_answer, standalone
from assistant.answering.intent import Intent, read
from assistant.answering.question import Analysis, analyse


@dataclass(frozen=True)
class Turn:
    """A question as the answerers see it; built once per ask by `read_turn`."""

    text: str  # the user's own words
    query: str  # what retrieval searches: `text`, with the previous question when it leans on it
    said: str  # the previous answer, not to be repeated
    analysis: Analysis  # expected answer type, constraints, focus words
    intent: Intent  # named acts, clause blocks, reasons, lists

    @property
    def is_follow_up(self) -> bool:
        """True when the query carries words of an earlier question."""
        return self.query != self.text


def read_turn(question: str, history: Sequence[dict[str, Any]] | None = None) -> Turn:
    """Read `question` (and the conversation before it) once, for retrieval and the answerers."""
    return Turn(
        text=question,
        query=standalone(question, history),
        said=last_answer(history),
        analysis=analyse(question),
        intent=read(question),
    )

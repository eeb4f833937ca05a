"""One turn of a conversation, read once: the user's words, what to search, what was said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering.history import (
    last_answer,
    new_topic,
    previous_question,
    resolve,
    restates,
    standalone,
)
from assistant.answering.intent import Intent, read
from assistant.answering.question import Analysis, analyse


@dataclass(frozen=True)
class Turn:
    """A question as the answerers see it; built once per ask by `read_turn`."""

    text: str  # the user's own words (without an opening "New topic:")
    query: str  # what retrieval searches: `text`, with the previous question when it leans on it
    said: str  # the previous answer, not to be repeated
    analysis: Analysis  # expected answer type, constraints, focus words (of `text` only)
    intent: Intent  # named acts, clause blocks, reasons, lists (of `resolved`)
    resolved: str = ""  # `text` with a pronoun read as what the previous question named

    @property
    def is_follow_up(self) -> bool:
        """True when the query carries words of an earlier question."""
        return self.query != self.text


def read_turn(question: str, history: Sequence[dict[str, Any]] | None = None) -> Turn:
    """Read `question` (and the conversation before it) once, for retrieval and the answerers.

    The constraints an answer must meet come from the user's own words only: the referent put
    in for a pronoun steers ranking and the named acts, but a wrong guess cannot veto an answer.
    """
    fresh = new_topic(question)
    if fresh is not None:
        question, history = fresh, None
    elif restates(question, previous_question(history)):
        history = None
    query = standalone(question, history)
    resolved = question
    if query != question:
        named = analyse(previous_question(history)).constraints
        referents = [c.text for c in named if c.kind in ("act", "name", "quoted")]
        resolved = resolve(question, referents[0] if referents else "")
    return Turn(
        text=question,
        query=query,
        said=last_answer(history),
        analysis=analyse(question),
        intent=read(resolved),
        resolved=resolved,
    )

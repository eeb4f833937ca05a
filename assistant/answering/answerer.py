"""The answerer seam: what turns retrieved passages into a cited Answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from assistant.answering.retrieve import Retrieval
from assistant.schema import Answer


class Answerer(Protocol):
    """Turns retrieved passages into an Answer (extractive, or through an LLM).

    `question` is what was searched; `retrieval.turn`, when set, holds the user's own words
    and the conversation, read once.
    """

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """The answer to `question` from the retrieved passages."""
        ...

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """The answer's text pieces, then the Answer."""
        ...

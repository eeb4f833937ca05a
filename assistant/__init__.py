"""Cited question answering over ITU Plenipotentiary 2014 commentary and final acts."""

import typing as _typing

from assistant.errors import AssistantError
from assistant.schema import Answer, Citation, IndexReport, Passage, SourceInfo

if _typing.TYPE_CHECKING:
    from assistant.api import Assistant

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "IndexReport",
    "Passage",
    "SourceInfo",
]


def __getattr__(name: str) -> object:
    """`Assistant`, imported on first use: `import assistant.config` (the CLI's start) then
    does not import the index, answering and LangChain modules."""
    if name == "Assistant":
        from assistant.api import Assistant

        globals()["Assistant"] = Assistant  # found directly from now on
        return Assistant
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")

"""Cited question answering over ITU Plenipotentiary 2014 commentary and final acts."""

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.schema import Answer, Citation, IndexReport, Passage, SourceInfo

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "IndexReport",
    "Passage",
    "SourceInfo",
]

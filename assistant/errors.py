"""Errors the assistant raises for bad input or a bad state.

Every message names the object at fault and the next step. Only the CLI and web layers turn
these into user text.

    AssistantError
    ├── QuestionError          empty or unusable question
    │   ├── FilterError        a kinds or sources filter that matches nothing indexed
    │   └── EditionError       an act or edition to compare that is not indexed
    ├── SourceError            a source file that cannot be added or read
    ├── IndexError_            base for index problems (not the builtin IndexError)
    │   ├── IndexMismatchError built with another model or chunking: rebuild
    │   ├── IndexDamagedError  unreadable store or manifest: rebuild
    │   ├── IndexBusyError     another process holds the writer lock
    │   └── StoreUnavailableError  the Chroma server stopped answering
    ├── ConfigError            a setting that cannot be used
    └── ConversationError      a saved conversation that is not there, or a bad title

A failing LLM raises nothing: the LLM answerer falls back to the extractive answer and says so
in `Answer.notice`.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error the assistant raises on purpose."""


class QuestionError(AssistantError, ValueError):
    """The question is empty or cannot be used."""


class FilterError(QuestionError):
    """A `kinds` or `sources` filter names nothing that is indexed."""


class EditionError(QuestionError):
    """An act, or an edition of it, named for a comparison is not indexed."""


class SourceError(AssistantError):
    """A source file cannot be added or read."""


class IndexError_(AssistantError):
    """Base class for problems with the index directory."""


class IndexMismatchError(IndexError_):
    """The index was built with another embedding model or chunking."""


class IndexDamagedError(IndexError_):
    """The index cannot be read; it must be rebuilt."""


class IndexBusyError(IndexError_):
    """Another process is writing the index."""


class StoreUnavailableError(IndexError_):
    """The vector store (a Chroma server) stopped answering."""


class ConfigError(AssistantError):
    """A setting has a value that cannot be used."""


class ConversationError(AssistantError):
    """A saved conversation that this user does not have, or a title that cannot be used."""

"""Values that arrive through a Gradio event, cleaned before anything uses them (no gradio).

A lone surrogate such as "\\ud800" is valid JSON but no valid UTF-8: once it sits in a session's
conversation, every later response of that session fails to serialise. Control characters
(NUL, escape sequences, C1 controls) have no place in a question either. Both are dropped; line
breaks become "\\n", and tabs stay.
"""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")

# Surrogates (U+D800-U+DFFF) and control characters except tab and line feed.
_UNUSABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    """`text` without surrogates and control characters; CR and CRLF become LF."""
    return _UNUSABLE.sub("", _LINE_BREAK.sub("\n", text))


def clean(value: T) -> T:
    """`value` with every string in it cleaned, through lists, tuples and dict keys and values.

    Other values (numbers, None, Gradio's event objects) are returned as they are.
    """
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [clean(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(clean(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}  # type: ignore[return-value]
    return value

"""Answers as terminal text: wrapped to the window, without Markdown marks or stray blank lines.

`assistant ask` prints this by default (`--format md` prints the Markdown instead). An LLM's
answer may hold Markdown (emphasis, headings, links, code); it is shown as the words it marks.
"""

from __future__ import annotations

import re
import shutil
import textwrap

from assistant.schema import Answer

MAX_WIDTH = 100  # wider lines are hard to read even on a wide terminal

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*+]\s+", re.MULTILINE)
_BLANKS = re.compile(r"\n\s*\n+")


def width() -> int:
    """The width to wrap at: the terminal's, at most MAX_WIDTH."""
    return min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns)


def plain(text: str) -> str:
    """Markdown marks removed: '**a** [b](u)' -> 'a b (u)'; '# H' -> 'H'; bullets -> '• '."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _HEADING.sub("", text)
    return _BULLET.sub("• ", text)


def _wrap(text: str, cols: int, indent: str = "", first: str | None = None) -> str:
    """Each paragraph of `text` wrapped; paragraphs are separated by one blank line.

    Lines are indented by `indent`, the very first by `first` (default: `indent`).
    """
    first = indent if first is None else first
    paragraphs = [p for p in _BLANKS.split(text.strip()) if p.strip()]
    out: list[str] = []
    for n, paragraph in enumerate(paragraphs):
        lines = [ln for ln in paragraph.split("\n") if ln.strip()]
        wrapped = [
            textwrap.fill(
                " ".join(ln.split()),
                cols,
                initial_indent=first if n == 0 and i == 0 else indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
            for i, ln in enumerate(lines)
        ]
        out.append("\n".join(wrapped))
    return "\n\n".join(out)


def render(answer: Answer, cols: int | None = None) -> str:
    """The answer, its references (each quote on its own indented lines) and any notice."""
    cols = cols or width()
    parts = [_wrap(plain(answer.text), cols)]
    if answer.citations:
        head = (
            "References:"
            if answer.answers
            else "Context (the nearest passage; it does not answer the question):"
        )
        refs: list[str] = [head]
        for marker, cited in answer.references.items():
            tag = f"[{marker}] "
            lines = [_wrap(f"{cited[0].title} — {cited[0].locator}", cols, " " * len(tag), tag)]
            lines += [_wrap(f"“{' '.join(c.quote.split())}”", cols, "      ") for c in cited]
            refs.append("\n".join(lines))
        parts.append("\n".join(refs))
    if answer.notice:
        parts.append(_wrap(answer.notice, cols))
    return "\n\n".join(p for p in parts if p) + "\n"

"""Footnotes of printed documents: split their markers from words and move their texts out.

PDF extraction glues a footnote marker to its word ("organizations1") and puts the footnote's
text where the page ends, often inside a clause that runs over the page break. `separate`
finds footnote texts at page feet whose number matches a marker seen above them, writes the
marker as a superscript ("organizations¹"), and moves each footnote text to its own line
("¹ Including ...") just before the next act heading (or the end), so that no clause's quote
carries footnote text and each footnote can be quoted on its own.

It works on the lines of the raw extracted text, where a page ends at a form feed, at a running
head or page number (`page_chrome`), or at the end of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLAIN = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# A marker glued to a word of at least three letters, before punctuation or a space.
_GLUED_RE = re.compile(r"(?<=[a-z]{3})(\d{1,2})(?=[\s,;.:)”’\"']|$)")
_SUPER_RE = re.compile(r"(?<=\w)([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})")
# The text of footnote n at a page foot: "1 Including ...", "1) Including ...". (A line
# "¹ Including ..." is one `separate` wrote: it stays where it is.)
_TEXT_RE = re.compile(r"^(\d{1,2})\)?\s+(?=[A-Z“\"(])")
_RULE_RE = re.compile(r"^[_\-–—]{5,}$")
# A footnote line as `separate` writes it.
FOOTNOTE_RE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}) ")


def number(line: str) -> str | None:
    """The footnote number of a line `separate` wrote ("¹ Including ..." -> "1"), else None."""
    m = FOOTNOTE_RE.match(line)
    return m.group(1).translate(_PLAIN) if m else None


def _markers(line: str) -> set[str]:
    glued = {m.group(1) for m in _GLUED_RE.finditer(line)}
    return glued | {m.group(1).translate(_PLAIN) for m in _SUPER_RE.finditer(line)}


def _text_number(line: str) -> str | None:
    m = _TEXT_RE.match(line)
    return m.group(1) if m else None


def separate(
    lines: list[str], page_chrome: Callable[[str], bool], act_start: Callable[[str], bool]
) -> list[str]:
    """The lines with footnote texts moved before the next act heading and markers superscript.

    `lines` may hold form feeds at page breaks; `page_chrome(line)` says a line is a running
    head or page number (a page boundary); `act_start(line)` that an act (or its change mark)
    starts there. Lines that are not footnotes are kept in order and unchanged but for markers.
    """
    feet = _page_feet(lines, page_chrome)
    pending: set[str] = set()
    found: dict[int, tuple[str, str]] = {}  # the line a footnote starts on -> (number, text)
    skip: set[int] = set()
    i = 0
    while i < len(lines):
        n = _text_number(lines[i].strip())
        end = feet.get(i)
        if n is None or n not in pending or end is None:
            pending |= _markers(lines[i])
            i += 1
            continue
        # Footnotes run to the page foot: this one, and any after it on the same page.
        current = -1
        for k in range(i, end):
            line = lines[k].strip().replace("\f", "")
            m = _text_number(line)
            if m is not None and m in pending:
                current = k
                found[k] = (m, _TEXT_RE.sub("", line, count=1))
                pending.discard(m)
            elif line and current >= 0:
                number_, text = found[current]
                found[current] = (number_, f"{text} {line}")
        first = i - 1 if i > 0 and _RULE_RE.match(lines[i - 1].strip()) else i
        skip.update(range(first, end))
        i = end
    if not found:
        return lines
    numbers = {n for n, _ in found.values()}
    return _place(lines, skip, found, numbers, act_start)


def _place(
    lines: list[str],
    skip: set[int],
    found: dict[int, tuple[str, str]],
    numbers: set[str],
    act_start: Callable[[str], bool],
) -> list[str]:
    """Write the kept lines in order, each footnote text before the next act start after it."""
    out: list[str] = []
    held: list[str] = []
    starts = sorted(found)
    for i, line in enumerate(lines):
        while starts and starts[0] <= i:
            n, text = found[starts.pop(0)]
            held.append(f"{n.translate(SUPERSCRIPT)} {text}")
        if i in skip:
            continue
        if held and act_start(line.strip()):
            out += ["", *held, ""]
            held = []
        out.append(_superscript(line, numbers))
    for start in starts:
        n, text = found[start]
        held.append(f"{n.translate(SUPERSCRIPT)} {text}")
    return out + (["", *held] if held else [])


def _superscript(line: str, numbers: set[str]) -> str:
    """'organizations1,' -> 'organizations¹,' for the markers whose footnote was found."""
    return _GLUED_RE.sub(
        lambda m: m.group(1).translate(SUPERSCRIPT) if m.group(1) in numbers else m.group(1), line
    )


def _page_feet(lines: list[str], page_chrome: Callable[[str], bool]) -> dict[int, int]:
    """For each line, the index where its page's foot ends (a page boundary), if within reach.

    A line is at a page foot when no more than a few lines separate it from a form feed, a
    running head or page number, or the end of the text.
    """
    feet: dict[int, int] = {}
    boundary = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if "\f" in line and not line.startswith("\f"):
            boundary = i + 1
        if page_chrome(line.strip().replace("\f", "")) or line.startswith("\f"):
            boundary = i
            continue
        if boundary - i <= 8:
            feet[i] = boundary
    return feet

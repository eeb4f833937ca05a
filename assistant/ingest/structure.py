"""Structure of a source's text: commentary sections and paragraphs, or final-acts clauses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.ingest import finalacts
from assistant.schema import Segment

OPENING = "Opening"
_BLOCK = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_RESOLUTION_LINE = re.compile(r"^(Resolution|Decision)\s+\S+.*\(.*\d{4}\)$", re.IGNORECASE)
_TERMINAL = (".", "!", "?", ";", ",", "”", '"')


def prepare(text: str) -> tuple[str, str]:
    """Return the text to index and its structure kind (`final-acts` or `commentary`)."""
    if finalacts.looks_like_final_acts(text):
        return finalacts.clean_text(text), "final-acts"
    return text, "commentary"


def segments(text: str, structure: str, kind: str = "commentary") -> list[Segment]:
    """Split prepared text into segments that carry locators and exact offsets."""
    if structure == "final-acts":
        return front_matter_segments(text, kind=kind) + finalacts.final_acts_segments(text)
    return commentary_segments(text, kind=kind or "commentary")


def summary(text: str, structure: str) -> str:
    """What the reader found in prepared text, for the report after adding it ("" for
    commentary): the acts by kind and number, annexes, and acts with no clauses."""
    return finalacts.summary(finalacts.parse_final_acts(text)) if structure == "final-acts" else ""


def front_matter_segments(text: str, *, kind: str = "final-acts") -> list[Segment]:
    """The text before the first act (explanatory notes, the list of acts) as paragraphs:
    locator "Front matter › Explanatory notes ¶2"."""
    acts = finalacts.parse_final_acts(text)
    front = text[: acts[0].start] if acts else text
    found = []
    for s in commentary_segments(front, kind=kind or "final-acts"):
        heading = s.locator.rsplit(" ¶", 1)[0]
        where = f"Front matter ¶{s.locator.rsplit(' ¶', 1)[1]}" if heading == OPENING else None
        locator = where or f"Front matter › {s.locator}"
        found.append(Segment(s.text, s.start, s.end, locator, s.kind, "Front matter", s.part))
    return found


def commentary_segments(text: str, *, kind: str = "commentary") -> list[Segment]:
    """Paragraphs under their section headings: locator "Heading ¶n"."""
    found: list[Segment] = []
    heading = OPENING
    subject = ""
    paragraph = 0
    seen_body = False
    for start, end in _blocks(text):
        block = text[start:end]
        if not seen_body and _is_front_line(block):
            continue  # the title, a byline ("by A. Author"), a date: not numbered paragraphs
        if _is_heading(block):
            if _RESOLUTION_LINE.match(block) and seen_body:
                subject = block  # "Resolution 130 (Rev Busan, 2014)": what the next part discusses
                # The line is evidence too: it answers "which resolution is this section on?".
                group = f"{heading} ({subject})"
                found.append(Segment(block, start, end, f"{heading} › {subject}", kind, group))
            # Plain short lines before the first paragraph are the title, not sections.
            elif seen_body or _MD_HEADING.match(block):
                heading = _MD_HEADING.sub("", block).strip()
                subject = ""
                paragraph = 0
            continue
        seen_body = True
        paragraph += 1
        group = f"{heading} ({subject})" if subject else heading
        found.append(Segment(block, start, end, f"{heading} ¶{paragraph}", kind, group))
    return found


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of blank-line separated blocks; a sentence broken by a blank line stays whole."""
    pending: tuple[int, int] | None = None
    for match in _BLOCK.finditer(text):
        raw = match.group()
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        span = (match.start() + lead, match.end() - (len(raw) - len(raw.rstrip())))
        if pending and _continues(text[pending[0] : pending[1]], text[span[0] : span[1]]):
            pending = (pending[0], span[1])
            continue
        if pending:
            yield pending
        pending = span
    if pending:
        yield pending


def _continues(block: str, following: str) -> bool:
    """True when `following` is the rest of a sentence that `block` broke off."""
    return len(block) > 80 and not block.endswith(_TERMINAL + (":",)) and following[:1].islower()


def _is_front_line(block: str) -> bool:
    """A line before the first paragraph that is no sentence: a title, a byline, a date."""
    return (
        "\n" not in block
        and len(block) <= 160
        and not block.rstrip().endswith((".", "!", "?", ";", ","))
        and not _MD_HEADING.match(block)
    )


def _is_heading(block: str) -> bool:
    if "\n" in block or " | " in block:  # a table row ("North | 12 | 3") is a passage
        return False
    if _MD_HEADING.match(block):
        return True
    words = block.split()
    return (
        len(block) <= 80
        and len(words) <= 10
        and not block.endswith(_TERMINAL)
        and (block[0].isupper() or block[0].isdigit())
    )

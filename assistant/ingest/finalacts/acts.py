"""Parse cleaned final-acts text into acts, their clauses, titles and footnotes.

Each act: a change mark (ADD, MOD, SUP; optional), a heading `RESOLUTION 102 (REV. BUSAN, 2014)`,
a title, the line `The Plenipotentiary Conference of the ... Union (Busan, 2014),`, then blocks
headed by a lower-case verb phrase ("considering", "resolves"), with items `a)`, `1` ... or one
unnumbered item, then annexes and footnotes. All offsets index the cleaned text, so quotes can
be checked verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest import footnotes
from assistant.ingest.finalacts.grammar import (
    ANNEX_RE,
    CONF_FULL_RE,
    CONF_RE,
    END_RE,
    LABEL_RE,
    MARK_RE,
    SENTENCE_END_RE,
    act_match,
    closes,
    fixed,
    heading_at,
)
from assistant.ingest.finalacts.layout import normalise
from assistant.schema import Segment, part_of_act


@dataclass(frozen=True)
class Clause:
    """One item of a preamble or operative block; `text == source[start:end]`."""

    block: str
    item: str
    part: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Act:
    """One resolution or decision; `start`/`end` span it in the cleaned text."""

    kind: str
    number: str
    revised: bool
    conference: str
    change_mark: str
    title: str
    label: str
    start: int
    end: int
    clauses: list[Clause]
    title_start: int = 0  # span of the title in the text, for quoting it
    title_end: int = 0


def looks_like_final_acts(text: str) -> bool:
    """True when the text has an act heading and the conference line, whatever the file name."""
    lines = [ln.strip() for ln in normalise(text).split("\n")]
    # The whole conference line, though PDF extraction may have wrapped it once.
    pairs = (f"{a} {b}" for a, b in zip(lines, [*lines[1:], ""], strict=True))
    if not any(CONF_FULL_RE.match(pair) for pair in pairs):
        return False
    return any(act_match(lines, i) for i in range(len(lines)))


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's stripped content."""
    spans, pos = [], 0
    for raw in text.split("\n"):
        start = pos + len(raw) - len(raw.lstrip())
        spans.append((start, start + len(raw.strip())))
        pos += len(raw) + 1
    return spans


def _label(m: re.Match[str]) -> tuple[str, int | None, str]:
    """(style, value, normalised label): ('letter', 2, 'b)') or ('number', 3, '3bis')."""
    if m.group(3):
        suffix = m.group(4) or ""
        return "number", int(m.group(3)), m.group(3) + suffix
    letter, suffix = m.group(1), m.group(2) or ""
    value = ord(letter) - ord("a") + 1 if len(letter) == 1 else None
    return "letter", value, f"{letter}{suffix})"


def _body(
    text: str, lines: list[str], spans: list[tuple[int, int]], k: int, stop: int
) -> list[Clause]:
    """The clauses of the lines `k:stop` of one act, after its conference line."""
    clauses: list[Clause] = []
    block, part, style, last = "", "preamble", "", 0
    item: str | None = None  # the open item's label; None before the first item of a block
    start: int | None = None  # None while a lone label waits for its text on the next line
    end = 0

    def flush() -> None:
        if item is not None and start is not None:
            clauses.append(Clause(block, item, part, text[start:end], start, end))

    closed = True
    while k < stop:
        line = lines[k]
        if not line:
            closed, k = True, k + 1
            continue
        note = footnotes.number(line)
        if note is not None:
            # Footnote texts sit after the act's last clause (footnotes.separate put them there).
            flush()
            item, start = None, None
            s, e = spans[k]
            clauses.append(Clause("footnote", note, "footnote", text[s:e], s, e))
            closed, k = True, k + 1
            continue
        annex = ANNEX_RE.match(line)
        n, p = (0, "") if style == "annex" else heading_at(lines, k, closed)
        if annex or n:
            flush()
            item, last = None, 0
            if annex:
                block = " ".join((annex.group(1) + annex.group(2)).lower().split())
                part, style = "operative", "annex"
            else:
                block = " ".join(" ".join(lines[k : k + n]).split()).removesuffix(",").rstrip()
                part, style = ("operative" if "operative" in (p, part) else "preamble"), ""
            closed, k = True, k + max(n, 1)
            continue
        m = LABEL_RE.match(line) if closed else None
        if m and _accepts(style, last, *_label(m)):
            flush()
            kind, value, item = _label(m)
            style, last = (style or kind), value or 0
            rest = line[m.end() :]
            start = spans[k][0] + m.end() + len(rest) - len(rest.lstrip()) if rest.strip() else None
            end = spans[k][1]
        elif item is None:
            item, start, end, style = "", spans[k][0], spans[k][1], style or "none"
        else:
            start = spans[k][0] if start is None else start
            end = spans[k][1]
        # The annex title has no final stop, yet its numbered paragraphs follow it.
        closed, k = closes(line) or ANNEX_RE.match(lines[k - 1]) is not None, k + 1
    flush()
    return clauses


def _accepts(style: str, last: int, kind: str, value: int | None, label: str) -> bool:
    """Whether a label starts the next item of the block, rather than a sub-item or a number."""
    if value is None or style == "none":
        return False
    repeat = label.rstrip(")").endswith(("bis", "ter", "quater"))
    if style == "":
        return value == 1 and not repeat
    if style == kind or (style == "annex" and kind == "number"):
        return value == (last if repeat else last + 1)
    return False


def parse_final_acts(text: str) -> list[Act]:
    """Split cleaned final-acts text into acts and their clauses, with offsets into `text`."""
    lines = [ln.strip() for ln in text.split("\n")]
    spans = _spans(text)
    heads = [(i, m) for i in range(len(lines)) if (m := act_match(lines, i))]
    firsts = []  # each act starts at its change mark, when that stands on the line above
    for i, m in heads:
        p = next((j for j in range(i - 1, -1, -1) if lines[j]), -1)
        firsts.append(p if p >= 0 and not m.group(1) and MARK_RE.match(lines[p]) else i)
    acts = []
    for n, (i, _) in enumerate(heads):
        stop = firsts[n + 1] if n + 1 < len(heads) else len(lines)
        stop = next((k for k in range(i + 1, stop) if END_RE.match(lines[k])), stop)
        act = _act(text, lines, spans, firsts[n], i, stop)
        if act is not None:
            acts.append(act)
    return acts


def _act(
    text: str, lines: list[str], spans: list[tuple[int, int]], first: int, i: int, stop: int
) -> Act | None:
    """The act whose heading is line `i`, spanning lines `first:stop`; None when the heading
    starts no act: no conference line, no clauses and not suppressed (a list of acts, or a
    web page's chrome repeating a heading)."""
    m = act_match(lines, i)
    assert m is not None
    title_lines: list[int] = []  # up to the conference line, or up to the body if it is missing
    k = i + 1
    while k < stop and not CONF_RE.match(lines[k]) and len(title_lines) < 3:
        if title_lines and (heading_at(lines, k, True)[0] or LABEL_RE.match(lines[k])):
            break
        title_lines += [k] if lines[k] else []
        k += 1
    conference = k < stop and bool(CONF_RE.match(lines[k]))
    k += conference
    stop = _without_trailing_chrome(lines, k, stop)
    last = max((j for j in range(first, stop) if lines[j]), default=i)
    start, end = spans[first][0], spans[last][1]
    kind = "decision" if m.group(2).lower().startswith("dec") else "resolution"
    number, revised = m.group(3).upper(), m.group(4) is not None
    place = " ".join(w.capitalize() for w in m.group(5).replace(",", " ").split())
    conf = f"{place}, {m.group(6)}"
    mark = (m.group(1) or (lines[first] if first != i else "")).upper()
    label = f"{kind.capitalize()} {number} ({'Rev. ' if revised else ''}{conf})"
    title = " ".join(" ".join(lines[j] for j in title_lines).split())
    ts, te = (spans[title_lines[0]][0], spans[title_lines[-1]][1]) if title_lines else (0, 0)
    clauses = _body(text, lines, spans, k, stop)
    if not (conference or clauses or mark == "SUP"):
        return None
    return Act(kind, number, revised, conf, mark, title, label, start, end, clauses, ts, te)


def _without_trailing_chrome(lines: list[str], body: int, stop: int) -> int:
    """`stop` moved before short unpunctuated lines after the act's final full stop: a web
    page's "Share this page" or "Back to top" ends no clause."""
    filled = [j for j in range(body, stop) if lines[j]]
    while len(filled) > 1:
        line, before = lines[filled[-1]], lines[filled[-2]]
        if len(line.split()) > 6 or SENTENCE_END_RE.search(line) or not before.endswith("."):
            break
        if fixed(line) or footnotes.number(line) or LABEL_RE.match(line):
            break
        stop = filled.pop()
    return stop


def final_acts_segments(text: str) -> list[Segment]:
    """One Segment per act title and per clause, in document order; `text` is already cleaned."""
    segments = []
    for act in parse_final_acts(text):
        s, e = act.title_start, act.title_end
        if e > s:
            title = Segment(text[s:e], s, e, f"{act.label} › title", act.kind, act.label, "title")
            segments.append(title)
        for c in act.clauses:
            where = " ".join(x for x in (c.block, c.item) if x)
            locator = f"{act.label} › {where}" if where else act.label
            part = part_of_act(c.part)
            segments.append(Segment(c.text, c.start, c.end, locator, act.kind, act.label, part))
    return segments


def summary(acts: list[Act]) -> str:
    """What was found, for the report after adding a final-acts document.

    "final acts: 2 resolutions (310, 311), 1 decision (12), 1 annex (to Resolution 310)"; an act
    with no clauses (unless suppressed) is named as a likely parsing problem.
    """
    parts = []
    for kind in ("resolution", "decision"):
        numbers = [a.number for a in acts if a.kind == kind]
        if numbers:
            parts.append(f"{_count(len(numbers), kind)} ({', '.join(numbers)})")
    annexes = [
        (a.label, c.block)
        for a in acts
        for c in a.clauses
        if c.block.startswith(("annex", "attachment", "appendix"))
    ]
    owners = list(dict.fromkeys(label.split(" (")[0] for label, _ in dict.fromkeys(annexes)))
    if annexes:
        parts.append(f"{_count(len(dict.fromkeys(annexes)), 'annex')} (to {', '.join(owners)})")
    text = "final acts: " + (", ".join(parts) or "no resolution or decision found")
    empty = [a.label for a in acts if not a.clauses and a.change_mark != "SUP"]
    if empty:
        text += (
            f"; no clauses found in {', '.join(empty)}: a likely parsing problem (see the README's"
            " 'Final acts layouts')"
        )
    return text


def _count(n: int, noun: str) -> str:
    plural = {"annex": "annexes"}.get(noun, f"{noun}s")
    return f"{n} {noun if n == 1 else plural}"

"""Undo the layout of a final-acts document: one heading, item or paragraph per line.

PDF extraction (running heads, page numbers, broken and hyphenated lines, footnotes at page
feet), double-spaced copies, bullets before headings and items, and running text (a web copy's
body as one paragraph) all clean to the same lines. Only whitespace, bullets and footnote
placement change; the words stay as they were, and the parser's offsets index the result.
"""

from __future__ import annotations

import re

from assistant.ingest import footnotes
from assistant.ingest.finalacts.grammar import (
    ACT_RE,
    ANNEX_RE,
    ARTEFACT_RE,
    BULLET_RE,
    CONF_RE,
    LABEL_RE,
    MARK_RE,
    SENTENCE_END_RE,
    closes,
    fixed,
    heading_at,
    starts_act,
    structural,
)
from assistant.ingest.finalacts.running import unflatten

_CONF_DONE_RE = re.compile(r"\(\s*[^()]*\d{4}\s*\)")  # a conference line that is whole
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"})


def normalise(text: str) -> str:
    """Line endings, form feeds, soft hyphens and ligatures of extracted text made plain."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed at a line start is only a page break; elsewhere it also ends the line.
    text = text.replace("\n\f", "\n").replace("\f", "\n")
    text = text.replace("\u00ad\n", "-\n").replace("\u00ad", "")
    return text.translate(_LIGATURES)


def _join(cur: str, nxt: str) -> str:
    if re.search(r"[A-Za-z]-$", cur):
        return cur[:-1] + nxt if nxt[:1].islower() else cur + nxt
    return f"{cur} {nxt}"


def clean_text(text: str) -> str:
    """Undo the layout: one heading, item or paragraph per line, whatever the source's layout.

    PDF extraction (running heads, page numbers, broken and hyphenated lines, footnotes at page
    feet), double-spaced copies, bullets before headings and items, and running text (a web
    copy's body as one paragraph: "(Busan, 2014), considering a) ...; b) ..., resolves 1 ...")
    all clean to the same lines. Only whitespace, bullets and footnote placement change; the
    words stay as they were.
    """
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    raw = footnotes.separate(raw, _page_chrome, starts_act)
    lines = [ln.strip() for ln in normalise("\n".join(raw)).split("\n")]
    lines = _drop_chrome(lines)
    lines = _join_conference(_undouble(lines))
    lines = [_unbullet(ln) for ln in lines]
    return "\n".join(unflatten(_rejoin(lines)))


def _page_chrome(line: str) -> bool:
    """A running head or a page number."""
    return bool(ARTEFACT_RE.match(line))


def _drop_chrome(lines: list[str]) -> list[str]:
    """Lines without running heads and page numbers; "Res. 102 (Busan, 2014)" heading an act
    (the conference line follows within a few lines) is kept."""
    kept = []
    for i, line in enumerate(lines):
        if ARTEFACT_RE.match(line):
            near = [s for s in lines[i + 1 : i + 8] if s][:4]
            if not (ACT_RE.match(line) and any(CONF_RE.match(s) for s in near)):
                continue
        kept.append(line)
    return kept


def _undouble(lines: list[str]) -> list[str]:
    """Single blank lines dropped when the text is double-spaced (a blank after most lines, as
    when each `<br>` became a paragraph); two or more blank lines still break."""
    filled = sum(1 for ln in lines if ln)
    gaps = sum(1 for a, b, c in zip(lines, lines[1:], lines[2:], strict=False) if a and not b and c)
    if filled < 10 or gaps < 0.6 * filled:
        return lines
    out: list[str] = []
    for i, line in enumerate(lines):
        if line or (i > 0 and not lines[i - 1] and out and out[-1]):
            out.append(line)
    return out


def _join_conference(lines: list[str]) -> list[str]:
    """A conference line broken by blank lines ("... Union", "", "(Busan, 2014),") made whole."""
    out = list(lines)
    i = 0
    while i < len(out):
        if CONF_RE.match(out[i]) and not _CONF_DONE_RE.search(out[i]):
            j = i + 1
            while j < len(out) and not out[j] and j - i <= 2:
                j += 1
            if j > i + 1 and j < len(out) and _conference_rest(out[j]):
                out[i] = f"{out[i]} {out[j]}"
                del out[i + 1 : j + 1]
                continue
        i += 1
    return out


def _conference_rest(line: str) -> bool:
    """Whether `line` can finish a broken conference line: "(Busan, 2014)," or "Union (...)"."""
    return bool(re.match(r"^(?:[A-Z][\w]*\s+){0,3}\(\s*[^()]*\d{4}\s*\)\s*,?$", line))


def _unbullet(line: str) -> str:
    """'• recalling' -> 'recalling', '• a) ...' -> 'a) ...'; other bulleted lines unchanged."""
    m = BULLET_RE.match(line)
    if m is None:
        return line
    rest = line[m.end() :]
    # Headings, items and their text start lower case; a bullet before a capital may be prose.
    return rest if rest[:1].islower() or LABEL_RE.match(rest) else line


def _rejoin(lines: list[str]) -> list[str]:
    """Lines broken by the layout joined again; structural lines stay on their own."""
    out: list[str] = []
    closed = True
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            out.append("")
            closed, i = True, i + 1
            continue
        # A narrow column can wrap even an act heading: "RESOLUTION 102 (REV." | "BUSAN, 2014)".
        joined = f"{line} {lines[i + 1]}" if i + 1 < len(lines) else ""
        if not (ACT_RE.match(line) or MARK_RE.match(line)) and ACT_RE.match(joined):
            lines[i + 1], i = joined, i + 1
            continue
        n, _ = heading_at(lines, i, closed)
        if n:
            out.append(" ".join(lines[i : i + n]))
            closed, i = True, i + n
            continue
        # A title (after an act or annex heading) has no final stop, yet items may follow it.
        title = bool(out) and bool(ACT_RE.match(out[-1]) or ANNEX_RE.match(out[-1]))
        cur, i = line, i + 1
        if not fixed(line):
            while i < len(lines) and lines[i] and not structural(lines, i, title or closes(cur)):
                nxt = lines[i]
                if not (nxt[:1].islower() or not SENTENCE_END_RE.search(cur)):
                    break
                cur, i = _join(cur, nxt), i + 1
        out.append(cur)
        closed = title or fixed(line) or closes(cur)
    return out

"""Final acts of the ITU Plenipotentiary Conference: detect, clean PDF text, split into clauses.

A final-acts document is a run of decisions and resolutions. Each has an optional change mark
(ADD, MOD, SUP), a heading such as `RESOLUTION 102 (REV. BUSAN, 2014)`, a title, the line
`The Plenipotentiary Conference of the International Telecommunication Union (Busan, 2014),`,
then preamble and operative blocks headed by a lower-case verb phrase, each with items `a)`,
`1` ... or one unnumbered item. `clean_text` first undoes what PDF extraction does to that
layout; the parser then works line by line on the cleaned text, and every offset it returns
indexes that cleaned text so quotes can be checked verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.schema import Segment

_MARK_RE = re.compile(r"^(ADD|MOD|SUP)$")
_ACT_RE = re.compile(
    r"^(?:(ADD|MOD|SUP)\s+)?(RESOLUTION|DECISION)\s+\[?([A-Z0-9][\w/.\-]*?)\]?\s*"
    r"\(\s*(REV\b\.?)?\s*([^()\d]*?)\s*,?\s*(\d{4})\s*\)$",
    re.IGNORECASE,
)
_CONF_RE = re.compile(
    r"^the\s+plenipotentiary\s+conference\s+of\s+the\s+"
    r"(?:international\s+telecommunications?\s+union|itu)\b",
    re.IGNORECASE,
)
_ANNEX_RE = re.compile(r"^(ANNEX|ATTACHMENT|APPENDIX)\b([^a-z]*?)(?:\s+TO\b[^a-z]*)?$")
# Parts of the final acts that follow the decisions and resolutions and belong to neither.
_END_RE = re.compile(r"^(?:RECOMMENDATION\s+\S+\s*\(.*\)|(?:ADDITIONAL\s+)?DECLARATIONS\s+AND\s+RESERVATIONS)$")
_LABEL_RE = re.compile(r"^(?:\(?([a-z]|[ivx]{2,5})(bis|ter|quater)?\)|(\d{1,3})(bis|ter|quater)?[.)]?)(?=\s|$)")
_BULLET_RE = re.compile(r"^[-–—•·*]\s")
_SENTENCE_END_RE = re.compile(r"[.;:!?][\"'”’)\]]*$")
_CLOSES_RE = re.compile(r"(?:[.;:,!?][\"'”’)\]]*|\band|\bor)$")
_ABBR_HEAD = r"(?:Res|Dec|Rec)\.\s*[\w/\-]+(?:\s*\([^()]*\))?"
_FULL_HEAD = r"(?:Resolution|Decision|Recommendation)\s+[\w/\-]+"
_ARTEFACT_RE = re.compile(
    rf"^(?:\d{{1,4}}\s+)?(?:{_ABBR_HEAD}|{_FULL_HEAD})(?:\s+\d{{1,4}})?$|^[-–]?\s*\d{{1,4}}\s*[-–]?$"
)
_PREAMBLE_VERBS = frozenset(
    "recalling considering recognizing recognising noting bearing taking acknowledging aware "
    "emphasizing emphasising having observing convinced concerned mindful welcoming stressing "
    "reaffirming underlining highlighting affirming conscious keeping referring guided "
    "reiterating expressing appreciating believing desiring deploring alarmed cognizant "
    "encouraged determined endorsing recognized".split()
)
_PREAMBLE_WORDS = _PREAMBLE_VERBS | frozenset(
    "further also moreover furthermore additionally finally in particular with satisfaction "
    "concern appreciation great deep deeply fully mind into account consideration regard to "
    "note of the its especially".split()
)
_OPERATIVE_VERBS = frozenset(
    "resolves decides instructs invites encourages requests calls urges charges asks appeals "
    "endorses approves adopts authorizes entrusts expresses reaffirms".split()
)
# A block heading never ends on one of these; a line that does continues on the next line.
_STOP = frozenset("the of in and or to with for a an on by at from its their".split())
_LIGATURES = {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"}


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


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed at a line start is only a page break; elsewhere it also ends the line.
    text = text.replace("\n\f", "\n").replace("\f", "\n")
    text = text.replace("\u00ad\n", "-\n").replace("\u00ad", "")
    for lig, plain in _LIGATURES.items():
        text = text.replace(lig, plain)
    return text


def _closes(line: str) -> bool:
    """Whether an item label or block heading may start on the line after `line`."""
    return not line or bool(_CLOSES_RE.search(line))


def _phrase_part(phrase: str, nxt: str) -> str | None:
    """'preamble' or 'operative' when `phrase` reads as a block heading, else None."""
    body = phrase.strip().removesuffix(",").rstrip()
    words = body.split()
    if not words or not body[0].islower() or _SENTENCE_END_RE.search(body):
        return None
    verb = words[1] if words[0] in ("further", "also") and len(words) > 1 else words[0]
    if verb in _PREAMBLE_VERBS and len(words) <= 6 and set(words) <= _PREAMBLE_WORDS:
        return "preamble"
    if words[-1] in _STOP:
        return None
    if verb in _OPERATIVE_VERBS and len(words) <= 30:
        return "operative"
    # An unknown verb counts only when labelled items follow; "-s" verbs are operative.
    if len(words) <= 12 and _LABEL_RE.match(nxt):
        return "operative" if verb.endswith("s") and not verb.endswith("ss") else "preamble"
    return None


def _heading_at(lines: list[str], i: int, prev_closed: bool) -> tuple[int, str]:
    """How many lines from `i` make a block heading (0 if none), and its part."""
    line = lines[i]
    if not prev_closed or not line[:1].islower() or _LABEL_RE.match(line):
        return 0, ""

    def at(k: int) -> str:
        return lines[k] if k < len(lines) else ""

    j, phrase = i + 1, line
    # PDF wraps long headings ("instructs the Director ..., in") onto the next line.
    while phrase.split()[-1] in _STOP and at(j)[:1].islower() and not _LABEL_RE.match(at(j)):
        if _phrase_part(phrase, at(j)) == "preamble":
            break
        phrase, j = f"{phrase} {at(j)}", j + 1
    part = _phrase_part(phrase, at(j))
    if part is None:
        return 0, ""
    # "instructs the Secretary-General," / "in consultation with ...," / "1 ...".
    while part == "operative" and at(j)[:1].islower() and _LABEL_RE.match(at(j + 1)):
        tail = at(j).split()
        if tail[0] not in ("in", "with", "through", "after", "and", "acting", "as", "within"):
            break
        if len(tail) > 15 or _SENTENCE_END_RE.search(at(j)):
            break
        j += 1
    return j - i, part


def _fixed(line: str) -> bool:
    """Lines that always stand alone: change marks, act headings, annex and end headings."""
    return bool(
        _MARK_RE.match(line) or _ACT_RE.match(line) or _ANNEX_RE.match(line) or _END_RE.match(line)
    )


def _structural(lines: list[str], i: int, prev_closed: bool) -> bool:
    line = lines[i]
    if _fixed(line) or _CONF_RE.match(line):
        return True
    if prev_closed and (_LABEL_RE.match(line) or _BULLET_RE.match(line)):
        return True
    return _heading_at(lines, i, prev_closed)[0] > 0


def _join(cur: str, nxt: str) -> str:
    if re.search(r"[A-Za-z]-$", cur):
        return cur[:-1] + nxt if nxt[:1].islower() else cur + nxt
    return f"{cur} {nxt}"


def clean_text(text: str) -> str:
    """Undo PDF extraction: drop running heads and page numbers, rejoin broken lines."""
    lines = [ln.strip() for ln in _normalise(text).split("\n")]
    lines = [ln for ln in lines if not _ARTEFACT_RE.match(ln)]
    out: list[str] = []
    closed = True
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            out.append("")
            closed, i = True, i + 1
            continue
        n, _ = _heading_at(lines, i, closed)
        if n:
            out.append(" ".join(lines[i : i + n]))
            closed, i = True, i + n
            continue
        cur, i = line, i + 1
        if not _fixed(line):
            while i < len(lines) and lines[i] and not _structural(lines, i, _closes(cur)):
                nxt = lines[i]
                if not (nxt[:1].islower() or not _SENTENCE_END_RE.search(cur)):
                    break
                cur, i = _join(cur, nxt), i + 1
        out.append(cur)
        closed = _fixed(line) or _closes(cur)
    return "\n".join(out)


def _act_match(lines: list[str], i: int) -> re.Match[str] | None:
    m = _ACT_RE.match(lines[i])
    if m is None or m.group(2).isupper():
        return m
    # A title-case heading counts only when the conference line follows closely.
    near = [s for s in lines[i + 1 : i + 8] if s][:4]
    return m if any(_CONF_RE.match(s) for s in near) else None


def looks_like_final_acts(text: str) -> bool:
    """True when the text has an act heading and the conference line, whatever the file name."""
    lines = [ln.strip() for ln in _normalise(text).split("\n")]
    if not any(_CONF_RE.match(s) for s in lines):
        return False
    return any(_act_match(lines, i) for i in range(len(lines)))


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


def _body(text: str, lines: list[str], spans: list[tuple[int, int]], k: int, stop: int) -> list[Clause]:
    clauses: list[Clause] = []
    block, part, style, last = "", "preamble", "", 0
    cur: list[object] | None = None  # [item, start or None, end]

    def flush() -> None:
        if cur is not None and isinstance(cur[1], int) and isinstance(cur[2], int):
            s, e = cur[1], cur[2]
            clauses.append(Clause(block, str(cur[0]), part, text[s:e], s, e))

    closed = True
    while k < stop:
        line = lines[k]
        if not line:
            closed, k = True, k + 1
            continue
        annex = _ANNEX_RE.match(line)
        n, p = (0, "") if style == "annex" else _heading_at(lines, k, closed)
        if annex or n:
            flush()
            cur, last, k = None, 0, k + max(n, 1)
            if annex:
                block, part, style = " ".join((annex.group(1) + annex.group(2)).lower().split()), "operative", "annex"
            else:
                block = " ".join(" ".join(lines[k - n : k]).split()).removesuffix(",").rstrip()
                part, style = ("operative" if "operative" in (p, part) else "preamble"), ""
            closed = True
            continue
        m = _LABEL_RE.match(line) if closed else None
        kind, value, label = _label(m) if m else ("", None, "")
        suffixed = label.rstrip(")").endswith(("bis", "ter", "quater"))
        accept = m is not None and value is not None and (
            (style == "" and value == 1 and not suffixed)
            or (style == kind and value == (last if suffixed else last + 1))
            or (style == "annex" and kind == "number" and value == (last if suffixed else last + 1))
        )
        if m and accept and value is not None:
            flush()
            style, last = (style or kind), value
            rest = line[m.end() :]
            start = spans[k][0] + m.end() + len(rest) - len(rest.lstrip()) if rest.strip() else None
            cur = [label, start, spans[k][1] if start is not None else None]
        elif cur is None:
            cur, style = ["", spans[k][0], spans[k][1]], style or "none"
        else:
            cur[1] = spans[k][0] if cur[1] is None else cur[1]
            cur[2] = spans[k][1]
        closed, k = _closes(line), k + 1
    flush()
    return clauses

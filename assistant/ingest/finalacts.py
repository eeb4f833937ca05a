"""Final acts of the ITU Plenipotentiary Conference: detect, clean PDF text, split into clauses.

Each act: a change mark (ADD, MOD, SUP; optional), a heading `RESOLUTION 102 (REV. BUSAN, 2014)`,
a title, the line `The Plenipotentiary Conference of the ... Union (Busan, 2014),`, then blocks
headed by a lower-case verb phrase ("considering", "resolves"), with items `a)`, `1` ... or one
unnumbered item. `clean_text` undoes PDF extraction; the parser reads the cleaned text line by
line, and all its offsets index that text, so quotes can be checked verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.schema import Segment, part_of_act


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_MARK_RE = re.compile(r"^(ADD|MOD|SUP)$")
_ACT_RE = re.compile(
    r"^(?:(ADD|MOD|SUP)\s+)?(RESOLUTION|DECISION)\s+\[?([A-Z0-9][\w/.\-]*?)\]?\s*"
    r"\(\s*(REV\b\.?)?\s*([^()\d]*?)\s*,?\s*(\d{4})\s*\)$",
    re.IGNORECASE,
)
# The conference line, or its first words when the PDF layout wrapped it.
_CONF_RE = re.compile(
    r"^the\s+plenipotentiary(?:\s+conference(?:\s+of(?:\s+the(?:\s+(?:itu|international"
    r"(?:\s+telecommunications?(?:\s+union)?)?))?)?)?)?\s*(?:\(|,|$)",
    re.IGNORECASE,
)
_CONF_FULL_RE = re.compile(
    r"^the\s+plenipotentiary\s+conference\s+of\s+the\s+"
    r"(?:international\s+telecommunications?\s+union|itu)\s*\(",
    re.IGNORECASE,
)
_ANNEX_RE = re.compile(r"^(ANNEX|ATTACHMENT|APPENDIX)\b([^a-z]*?)(?:\s+TO\b[^a-z]*)?$")
# Parts of the final acts that follow the decisions and resolutions and belong to neither.
_END_RE = re.compile(
    r"^(?:RECOMMENDATION\s+\S+\s*\(.*\)|(?:ADDITIONAL\s+)?DECLARATIONS\s+AND\s+RESERVATIONS)$"
)
# "a)", "(b)", "ii)", "1", "2.", "3)", "1bis": letters 1, 2 / number 3, 4 of `_label`.
_LABEL_RE = re.compile(
    r"^(?:\(?([a-z]|[ivx]{2,5})(bis|ter|quater)?\)|(\d{1,3})(bis|ter|quater)?[.)]?)(?=\s|$)"
)
_BULLET_RE = re.compile(r"^[-–—•·*]\s")
_SENTENCE_END_RE = re.compile(r"[.;:!?][\"'”’)\]]*$")
_CLOSES_RE = re.compile(r"(?:[.;:,!?][\"'”’)\]]*|\band|\bor)$")
_ABBR_HEAD = r"(?:Res|Dec|Rec)\.\s*[\w/\-]+(?:\s*\([^()]*\))?"
_FULL_HEAD = r"(?:Resolution|Decision|Recommendation)\s+[\w/\-]+"
_ARTEFACT_RE = re.compile(
    rf"^(?:\d{{1,4}}\s+)?(?:{_ABBR_HEAD}|{_FULL_HEAD})(?:\s+\d{{1,4}})?$|^[-–]?\s*\d{{1,4}}\s*[-–]?$"
)
_PREAMBLE_VERBS = _words(
    "recalling considering recognizing recognising noting bearing taking acknowledging aware "
    "emphasizing emphasising having observing convinced concerned mindful welcoming stressing "
    "reaffirming underlining highlighting affirming conscious keeping referring guided "
    "reiterating expressing appreciating believing desiring deploring alarmed cognizant "
    "encouraged determined endorsing recognized"
)
_PREAMBLE_WORDS = _PREAMBLE_VERBS | _words(
    "further also moreover furthermore additionally finally in particular with satisfaction "
    "concern appreciation great deep deeply fully mind into account consideration regard to "
    "note of the its especially"
)
_OPERATIVE_VERBS = _words(
    "resolves decides instructs invites encourages requests calls urges charges asks appeals "
    "endorses approves adopts authorizes entrusts expresses reaffirms"
)
# A block heading never ends on one of these; a line that does continues on the next line.
_STOP = _words("the of in and or to with for a an on by at from its their")
# Words that open the tail of a heading: "instructs the Secretary-General, in consultation ...,".
_CONNECTORS = _words("in with through after acting within")
_TAIL_RE = re.compile(rf",\s+(?:{'|'.join(sorted(_CONNECTORS))})\b[^,]*$")
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"})


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


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed at a line start is only a page break; elsewhere it also ends the line.
    text = text.replace("\n\f", "\n").replace("\f", "\n")
    text = text.replace("\u00ad\n", "-\n").replace("\u00ad", "")
    return text.translate(_LIGATURES)


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
    if len(words) <= 12 and re.search(r"(?:ing|ed|s)$", verb) and _LABEL_RE.match(nxt):
        return "operative" if verb.endswith("s") and not verb.endswith("ss") else "preamble"
    return None


def _heading_at(lines: list[str], i: int, prev_closed: bool) -> tuple[int, str]:
    """How many lines from `i` make a block heading (0 if none), and its part."""
    line = lines[i]
    if not prev_closed or not line[:1].islower() or _LABEL_RE.match(line):
        return 0, ""

    def at(k: int) -> str:
        return lines[k] if k < len(lines) else ""

    if _phrase_part(line, at(i + 1)) == "preamble":
        # "noting with" | "satisfaction"; but "having regard to" is whole.
        whole = line.split()[-1] not in _STOP or not at(i + 1)
        return (1 if whole or _phrase_part(f"{line} {at(i + 1)}", "") is None else 2), "preamble"
    j, phrase = i + 1, line
    while _heading_goes_on(phrase, at(j)):
        phrase, j = f"{phrase} {at(j)}", j + 1
    part = _phrase_part(phrase, at(j))
    return (j - i, part) if part else (0, "")


def _heading_goes_on(phrase: str, nxt: str) -> bool:
    """Whether `nxt` is more of the heading `phrase`, wrapped by the PDF layout."""
    # Only `phrase` and the start of `nxt` count, so the joined heading reads the same again.
    if not nxt or len(phrase.split()) > 30 or _SENTENCE_END_RE.search(nxt):
        return False
    if _LABEL_RE.match(nxt) or _fixed(nxt) or _CONF_RE.match(nxt):
        return False
    last, first = phrase.split()[-1], nxt.split()[0]
    if phrase.endswith(","):
        # "instructs the Secretary-General," | "in consultation with the Directors ...,"
        return first in _CONNECTORS
    # Inside such a "..., in consultation with ...," tail, "of the|Council", "three|Bureaux",
    # "Director|of the"; an unnumbered item starts otherwise ("to ...", "that ...").
    return bool(
        last in _STOP or _TAIL_RE.search(phrase) or first[0].isupper() or first in ("of", "and")
    )


def _fixed(line: str) -> bool:
    """Lines that always stand alone: change marks, act headings, annex and end headings."""
    return any(r.match(line) for r in (_MARK_RE, _ACT_RE, _ANNEX_RE, _END_RE))


def _structural(lines: list[str], i: int, prev_closed: bool) -> bool:
    line = lines[i]
    if _fixed(line) or _CONF_RE.match(line):
        return True
    item = prev_closed and bool(_LABEL_RE.match(line) or _BULLET_RE.match(line))
    return item or _heading_at(lines, i, prev_closed)[0] > 0


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
        # A narrow column can wrap even an act heading: "RESOLUTION 102 (REV." | "BUSAN, 2014)".
        joined = f"{line} {lines[i + 1]}" if i + 1 < len(lines) else ""
        if not (_ACT_RE.match(line) or _MARK_RE.match(line)) and _ACT_RE.match(joined):
            lines[i + 1], i = joined, i + 1
            continue
        n, _ = _heading_at(lines, i, closed)
        if n:
            out.append(" ".join(lines[i : i + n]))
            closed, i = True, i + n
            continue
        # A title (after an act or annex heading) has no final stop, yet items may follow it.
        title = bool(out) and bool(_ACT_RE.match(out[-1]) or _ANNEX_RE.match(out[-1]))
        cur, i = line, i + 1
        if not _fixed(line):
            while i < len(lines) and lines[i] and not _structural(lines, i, title or _closes(cur)):
                nxt = lines[i]
                if not (nxt[:1].islower() or not _SENTENCE_END_RE.search(cur)):
                    break
                cur, i = _join(cur, nxt), i + 1
        out.append(cur)
        closed = title or _fixed(line) or _closes(cur)
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
    # The whole conference line, though PDF extraction may have wrapped it once.
    pairs = (f"{a} {b}" for a, b in zip(lines, [*lines[1:], ""], strict=True))
    if not any(_CONF_FULL_RE.match(pair) for pair in pairs):
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
        annex = _ANNEX_RE.match(line)
        n, p = (0, "") if style == "annex" else _heading_at(lines, k, closed)
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
        m = _LABEL_RE.match(line) if closed else None
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
        closed, k = _closes(line) or _ANNEX_RE.match(lines[k - 1]) is not None, k + 1
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
    heads = [(i, m) for i in range(len(lines)) if (m := _act_match(lines, i))]
    firsts = []  # each act starts at its change mark, when that stands on the line above
    for i, m in heads:
        p = next((j for j in range(i - 1, -1, -1) if lines[j]), -1)
        firsts.append(p if p >= 0 and not m.group(1) and _MARK_RE.match(lines[p]) else i)
    acts = []
    for n, (i, _) in enumerate(heads):
        stop = firsts[n + 1] if n + 1 < len(heads) else len(lines)
        stop = next((k for k in range(i + 1, stop) if _END_RE.match(lines[k])), stop)
        acts.append(_act(text, lines, spans, firsts[n], i, stop))
    return acts


def _act(
    text: str, lines: list[str], spans: list[tuple[int, int]], first: int, i: int, stop: int
) -> Act:
    """The act whose heading is line `i`, spanning lines `first:stop`."""
    m = _act_match(lines, i)
    assert m is not None
    title_lines: list[int] = []  # up to the conference line, or up to the body if it is missing
    k = i + 1
    while k < stop and not _CONF_RE.match(lines[k]) and len(title_lines) < 3:
        if title_lines and (_heading_at(lines, k, True)[0] or _LABEL_RE.match(lines[k])):
            break
        title_lines += [k] if lines[k] else []
        k += 1
    if k < stop and _CONF_RE.match(lines[k]):
        k += 1
    last = max((j for j in range(first, stop) if lines[j]), default=i)
    start, end = spans[first][0], spans[last][1]
    kind, number, revised = m.group(2).lower(), m.group(3).upper(), m.group(4) is not None
    place = " ".join(w.capitalize() for w in m.group(5).replace(",", " ").split())
    conf = f"{place}, {m.group(6)}"
    mark = (m.group(1) or (lines[first] if first != i else "")).upper()
    label = f"{kind.capitalize()} {number} ({'Rev. ' if revised else ''}{conf})"
    title = " ".join(" ".join(lines[j] for j in title_lines).split())
    ts, te = (spans[title_lines[0]][0], spans[title_lines[-1]][1]) if title_lines else (0, 0)
    clauses = _body(text, lines, spans, k, stop)
    return Act(kind, number, revised, conf, mark, title, label, start, end, clauses, ts, te)


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

"""The grammar of the final acts: change marks, act headings, the conference line, block
headings ("considering", "instructs the Secretary-General, ..."), item labels, and the page
chrome of printed copies. Shared by the layout clean-up and the parser."""

from __future__ import annotations

import re


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


MARK_RE = re.compile(r"^(ADD|MOD|SUP)$")
# An act heading: an optional change mark, an optional prefix ("PP", "PP-14"), the kind (in
# full or "Res."/"Dec."), the number, and the conference in brackets.
ACT_RE = re.compile(
    r"^(?:(ADD|MOD|SUP)\s+)?(?:PP(?:-\d{2})?\s+)?(RESOLUTION|DECISION|RES\.|DEC\.)\s*"
    r"\[?([A-Z0-9][\w/.\-]*?)\]?\s*\(\s*(REV\b\.?)?\s*([^()\d]*?)\s*,?\s*(\d{4})\s*\)$",
    re.IGNORECASE,
)
# The conference line, or its first words when the PDF layout wrapped it.
CONF_RE = re.compile(
    r"^the\s+plenipotentiary(?:\s+conference(?:\s+of(?:\s+the(?:\s+(?:itu|international"
    r"(?:\s+telecommunications?(?:\s+union)?)?))?)?)?)?\s*(?:\(|,|$)",
    re.IGNORECASE,
)
CONF_FULL_RE = re.compile(
    r"^the\s+plenipotentiary\s+conference\s+of\s+the\s+"
    r"(?:international\s+telecommunications?\s+union|itu)\s*\(",
    re.IGNORECASE,
)
ANNEX_RE = re.compile(r"^(ANNEX|ATTACHMENT|APPENDIX)\b([^a-z]*?)(?:\s+TO\b[^a-z]*)?$")
# Parts of the final acts that follow the decisions and resolutions and belong to neither.
END_RE = re.compile(
    r"^(?:RECOMMENDATION\s+\S+\s*\(.*\)|(?:ADDITIONAL\s+)?DECLARATIONS\s+AND\s+RESERVATIONS)$"
)
# "a)", "(b)", "ii)", "1", "2.", "3)", "1bis": letters 1, 2 / number 3, 4 of `_label`.
LABEL_RE = re.compile(
    r"^(?:\(?([a-z]|[ivx]{2,5})(bis|ter|quater)?\)|(\d{1,3})(bis|ter|quater)?[.)]?)(?=\s|$)"
)
BULLET_RE = re.compile(r"^[-–—•·*●▪◦]\s+")
SENTENCE_END_RE = re.compile(r"[.;:!?][\"'”’)\]]*$")
CLOSES_RE = re.compile(r"(?:[.;:,!?][\"'”’)\]]*|\band|\bor)$")
_ABBR_HEAD = r"(?:Res|Dec|Rec)\.\s*[\w/\-]+(?:\s*\([^()]*\))?"
_FULL_HEAD = r"(?:Resolution|Decision|Recommendation)\s+[\w/\-]+"
ARTEFACT_RE = re.compile(
    rf"^(?:\d{{1,4}}\s+)?(?:{_ABBR_HEAD}|{_FULL_HEAD})(?:\s+\d{{1,4}})?$|^[-–]?\s*\d{{1,4}}\s*[-–]?$"
)
PREAMBLE_VERBS = _words(
    "recalling considering recognizing recognising noting bearing taking acknowledging aware "
    "emphasizing emphasising having observing convinced concerned mindful welcoming stressing "
    "reaffirming underlining highlighting affirming conscious keeping referring guided "
    "reiterating expressing appreciating believing desiring deploring alarmed cognizant "
    "encouraged determined endorsing recognized"
)
PREAMBLE_WORDS = PREAMBLE_VERBS | _words(
    "further also moreover furthermore additionally finally in particular with satisfaction "
    "concern appreciation great deep deeply fully mind into account consideration regard to "
    "note of the its especially"
)
OPERATIVE_VERBS = _words(
    "resolves decides instructs invites encourages requests calls urges charges asks appeals "
    "endorses approves adopts authorizes entrusts expresses reaffirms"
)
# A block heading never ends on one of these; a line that does continues on the next line.
STOP = _words("the of in and or to with for a an on by at from its their")
# Words that open the tail of a heading: "instructs the Secretary-General, in consultation ...,".
CONNECTORS = _words("in with through after acting within")
TAIL_RE = re.compile(rf",\s+(?:{'|'.join(sorted(CONNECTORS))})\b[^,]*$")
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"})


def closes(line: str) -> bool:
    """Whether an item label or block heading may start on the line after `line`."""
    return not line or bool(CLOSES_RE.search(line))


def phrase_part(phrase: str, nxt: str) -> str | None:
    """'preamble' or 'operative' when `phrase` reads as a block heading, else None."""
    body = phrase.strip().removesuffix(",").rstrip()
    words = body.split()
    if not words or not body[0].islower() or SENTENCE_END_RE.search(body):
        return None
    verb = words[1] if words[0] in ("further", "also") and len(words) > 1 else words[0]
    if verb in PREAMBLE_VERBS and len(words) <= 6 and set(words) <= PREAMBLE_WORDS:
        return "preamble"
    if words[-1] in STOP:
        return None
    if verb in OPERATIVE_VERBS and len(words) <= 30:
        return "operative"
    # An unknown verb counts only when labelled items follow; "-s" verbs are operative.
    if len(words) <= 12 and re.search(r"(?:ing|ed|s)$", verb) and LABEL_RE.match(nxt):
        return "operative" if verb.endswith("s") and not verb.endswith("ss") else "preamble"
    return None


def heading_at(lines: list[str], i: int, prev_closed: bool) -> tuple[int, str]:
    """How many lines from `i` make a block heading (0 if none), and its part."""
    line = lines[i]
    if not prev_closed or not line[:1].islower() or LABEL_RE.match(line):
        return 0, ""

    def at(k: int) -> str:
        return lines[k] if k < len(lines) else ""

    if phrase_part(line, at(i + 1)) == "preamble":
        # "noting with" | "satisfaction"; but "having regard to" is whole.
        whole = line.split()[-1] not in STOP or not at(i + 1)
        return (1 if whole or phrase_part(f"{line} {at(i + 1)}", "") is None else 2), "preamble"
    j, phrase = i + 1, line
    while heading_goes_on(phrase, at(j)):
        phrase, j = f"{phrase} {at(j)}", j + 1
    part = phrase_part(phrase, at(j))
    return (j - i, part) if part else (0, "")


def heading_goes_on(phrase: str, nxt: str) -> bool:
    """Whether `nxt` is more of the heading `phrase`, wrapped by the PDF layout."""
    # Only `phrase` and the start of `nxt` count, so the joined heading reads the same again.
    if not nxt or len(phrase.split()) > 30 or SENTENCE_END_RE.search(nxt):
        return False
    if LABEL_RE.match(nxt) or fixed(nxt) or CONF_RE.match(nxt):
        return False
    last, first = phrase.split()[-1], nxt.split()[0]
    if phrase.endswith(","):
        # "instructs the Secretary-General," | "in consultation with the Directors ...,"
        return first in CONNECTORS
    # Inside such a "..., in consultation with ...," tail, "of the|Council", "three|Bureaux",
    # "Director|of the"; an unnumbered item starts otherwise ("to ...", "that ...").
    return bool(
        last in STOP or TAIL_RE.search(phrase) or first[0].isupper() or first in ("of", "and")
    )


def fixed(line: str) -> bool:
    """Lines that always stand alone: change marks, act headings, annex and end headings."""
    return any(r.match(line) for r in (MARK_RE, ACT_RE, ANNEX_RE, END_RE))


def structural(lines: list[str], i: int, prev_closed: bool) -> bool:
    """Whether line `i` starts a unit of its own (a fixed line, a heading or an item)."""
    line = lines[i]
    if fixed(line) or CONF_RE.match(line):
        return True
    item = prev_closed and bool(LABEL_RE.match(line) or BULLET_RE.match(line))
    return item or heading_at(lines, i, prev_closed)[0] > 0


def starts_act(line: str) -> bool:
    """Whether an act (its change mark or heading) starts on `line`."""
    return bool(MARK_RE.match(line) or ACT_RE.match(line))


def act_match(lines: list[str], i: int) -> re.Match[str] | None:
    """The act heading on line `i`; a title-case one counts only near a conference line."""
    m = ACT_RE.match(lines[i])
    if m is None or (m.group(2).isupper() and not m.group(2).endswith(".")):
        return m
    # A title-case heading counts only when the conference line follows closely.
    near = [s for s in lines[i + 1 : i + 8] if s][:4]
    return m if any(CONF_RE.match(s) for s in near) else None

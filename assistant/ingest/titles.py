"""A source's title: the sidecar's, else the file's own, else its first real heading or line.

The title is what answers and citations name a source by ("closest passages are in: ..."), so
it is never a page number ("378"), a change mark ("MOD"), a date, a bare URL or a site's chrome
("Skip to main content", a cookie notice); without anything better, the file name.
"""

from __future__ import annotations

import re
from pathlib import Path

MIN_CHARS = 3
MAX_CHARS = 120
_LINES_LOOKED_AT = 200  # the title is near the top; past this, the file name is better

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_DAYS = "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun"
_DATE_WORDS = frozenset((_MONTHS + " " + _DAYS + " of the").split())
# "Page 3 of 12", "p. 378", "- 12 -", "xii" (a page number in lower-case roman numerals).
_PAGE = re.compile(
    r"^(?i:page|p\.|pp\.)?\s*[-–—]?\s*(?:\d+|[ivxlc]{1,7})\s*[-–—]?(?:\s*(?i:of|/)\s*\d+)?$"
)
_MARK = re.compile(r"^\(?(?:ADD|MOD|SUP|NOC)\)?(?:\s+[\w./-]*\d[\w./-]*)?$")
_RUNNING_HEAD = re.compile(r"^(?:Res|Dec|Rec)\.\s*\S+(?:\s+\d{1,4})?$")
_URL = re.compile(r"^(?:[a-z]+://|www\.)\S+$|^[\w.-]+\.(?:org|int|com|net|gov|edu)(?:/\S*)?$", re.I)
# A site's chrome, and the placeholders writing programs put where a title should be.
_CHROME = frozenset(
    [
        "skip to main content",
        "skip to content",
        "skip navigation",
        "skip to navigation",
        "menu",
        "main menu",
        "toggle navigation",
        "navigation",
        "home",
        "homepage",
        "advertisement",
        "advertising",
        "sponsored",
        "search",
        "sign in",
        "log in",
        "login",
        "register",
        "subscribe",
        "share",
        "share this",
        "print",
        "close",
        "back to top",
        "breadcrumb",
        "you are here",
        "accept",
        "accept all",
        "reject all",
        "contents",
        "table of contents",
        "untitled",
        "untitled document",
        "document",
        "title",
        "no title",
        "slide 1",
    ]
)
_COOKIE = re.compile(r"\bcookies?\b.*\b(?:use|accept|consent|agree|settings|policy)\b", re.I)
_FILE_NAME = re.compile(
    r"^(?:microsoft \w+ - .*|document\d*|.*\.(?:docx?|pdf|odt|rtf|indd|txt|html?))$", re.I
)
_MD_MARKS = re.compile(r"^(?:#{1,6}\s+|[•·*-]\s+)")


def choose(text: str, path: Path, *, sidecar: str = "", embedded: str = "") -> str:
    """The title to show for a source: the sidecar's, the file's own, a line, the file name."""
    if sidecar.strip():
        return sidecar.strip()
    embedded = " ".join(embedded.split())
    if is_title(embedded) and not _FILE_NAME.match(embedded):
        return embedded
    for line in text.splitlines()[:_LINES_LOOKED_AT]:
        line = _MD_MARKS.sub("", line.strip()).strip()
        if is_title(line):
            return line
    return path.stem


def is_title(line: str) -> bool:
    """Whether `line` can name a document: not a page number, mark, date, URL or chrome."""
    if not MIN_CHARS <= len(line) <= MAX_CHARS:
        return False
    if sum(c.isalpha() for c in line) < 2:  # "378", "- 12 -", "2014"
        return False
    if _PAGE.match(line) or _MARK.match(line) or _RUNNING_HEAD.match(line) or _URL.match(line):
        return False
    bare = re.sub(r"[^\w\s]", " ", line.lower()).split()
    if " ".join(bare) in _CHROME or _COOKIE.search(line):
        return False
    return not _is_date(bare)


def _is_date(words: list[str]) -> bool:
    """'12 November 2014', 'Wednesday, 12 Nov. 2014', '2014 11 12': digits and date words."""
    digits = [w for w in words if w.isdigit()]
    rest = [w for w in words if not w.isdigit()]
    return bool(digits) and all(
        w in _DATE_WORDS or re.fullmatch(r"\d+(?:st|nd|rd|th)", w) for w in rest
    )

"""HTML to text: paragraphs from block elements, lines from `<br>`, a page's chrome left out.

The text is what a reader sees, laid out for `structure`: a blank line between blocks (p, li,
div, h1-h6, tr, blockquote ...) and for a run of two or more `<br>`; a single `<br>` is a line
break inside its paragraph. A heading is a paragraph of one line. List markers ("•", "-", "*")
at the start of a list item are dropped, table cells are joined with " | ", and the page's
chrome (navigation, a site's header and footer, asides, scripts, styles) is not text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Never text: code, embedded objects and the page's chrome.
_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "head", "nav", "aside"}
)
# A site's header and footer; inside an article or a section they are its own and are kept.
_CHROME = frozenset({"header", "footer"})
_OWNERS = frozenset({"article", "main", "section"})
_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
# Words in a class or id that mark a page's chrome: "ad-slot", "cookie-banner", "skip-link".
_CHROME_WORDS = frozenset(
    [
        "ad",
        "ads",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "promo",
        "sponsored",
        "newsletter",
        "breadcrumb",
        "breadcrumbs",
        "skip",
        "share",
        "social",
    ]
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = _HEADINGS | frozenset(
    [
        "p",
        "div",
        "li",
        "tr",
        "blockquote",
        "section",
        "article",
        "main",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "pre",
        "figure",
        "figcaption",
        "address",
        "hr",
        "caption",
        "form",
        "fieldset",
        "details",
        "summary",
        "center",
    ]
)
_CELLS = frozenset({"td", "th"})
_ITEM_MARKER = re.compile(r"^\s*(?:(?:[•·◦▪▫●○‣∙⁃]|[–—*-](?=\s))\s*)+")
_BULLET = re.compile(r"^[ \t]*[•·◦▪●‣∙][ \t]*", re.MULTILINE)


class _Mark:
    """A layout event between strings: a paragraph break, a line break, a cell, an item."""

    def __init__(self, name: str) -> None:
        self.name = name


_PARA, _LINE, _CELL, _ITEM = _Mark("para"), _Mark("line"), _Mark("cell"), _Mark("item")


def html_text(markup: str) -> str:
    """Visible text of an HTML page, one paragraph per block; chrome, scripts and styles out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    text = _assemble(_events(soup))
    text = _BULLET.sub("", text)  # a bullet typed into a paragraph: "• recalling"
    text = re.sub(r"[ \t\f\v\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n" if text else ""


def _events(root: Any) -> list[str | _Mark]:
    """The strings and layout marks under `root`, in document order.

    One walk with an explicit stack: linear in the size of the tree and safe for deep nesting.
    Each entry carries its context: inside a `<pre>` (spaces kept); inside a heading or a table
    cell (a `<br>` or a block there is a space: a heading stays one line, a row one paragraph);
    inside an article, main or section (its header and footer are its own, not chrome).
    """
    from bs4.element import CData, NavigableString, Tag

    out: list[str | _Mark] = []
    stack: list[tuple[Any, _Context]] = [(root, _Context())]
    while stack:
        node, context = stack.pop()
        if isinstance(node, _Mark):
            out.append(node)
        elif isinstance(node, Tag):
            name = node.name
            if _is_chrome(node, context):
                continue
            if name == "br" or (name in _BLOCKS and context.inline):
                out.append(" " if context.inline else _LINE)
                if name == "br":
                    continue
            elif name in _BLOCKS:
                out.append(_PARA)
                stack.append((_PARA, context))
            if name in _CELLS:
                out.append(_CELL)
            if name == "li":
                out.append(_ITEM)
            inner = _Context(
                pre=context.pre or name == "pre",
                inline=context.inline or name in _HEADINGS or name in _CELLS,
                owned=context.owned or name in _OWNERS,
            )
            stack.extend((child, inner) for child in reversed(node.contents))
        elif type(node) in (NavigableString, CData):  # not comments, doctypes, declarations
            text = str(node)
            out.append(text if context.pre else re.sub(r"\s+", " ", text))
    return out


@dataclass(frozen=True)
class _Context:
    pre: bool = False
    inline: bool = False
    owned: bool = False


def _is_chrome(tag: Any, context: _Context) -> bool:
    """Whether `tag` holds the page's chrome rather than its text."""
    if tag.name in _DROPPED or tag.has_attr("hidden"):
        return True
    if str(tag.get("role", "")).lower() in _ROLES:
        return True
    names = [*tag.get_attribute_list("class"), tag.get("id")]
    words = {w for name in names if name for w in re.split(r"[-_\s]+", str(name).lower())}
    if words & _CHROME_WORDS:
        return True
    return tag.name in _CHROME and not context.owned


def _assemble(events: list[str | _Mark]) -> str:
    """Join strings and marks: a paragraph break is a blank line, a lone `<br>` a newline."""
    parts: list[str] = []
    breaks = 0  # 0: none pending, 1: a line break, 2: a paragraph break
    filled = False  # the current paragraph has text
    item = False  # the next text starts a list item: its marker goes
    for event in events:
        if event is _PARA:
            breaks, filled = 2, False
        elif event is _LINE:
            breaks = min(breaks + 1, 2)
        elif event is _ITEM:
            item = True
        elif event is _CELL:
            if filled and not breaks:
                parts.append(" | ")
        elif isinstance(event, str):
            if not event.strip():
                if not breaks:
                    parts.append(event)
                continue
            if item:
                event = _ITEM_MARKER.sub("", event)
                if not event:
                    continue
                item = False
            if breaks:
                parts.append("\n\n" if breaks == 2 or not filled else "\n")
                breaks = 0
            parts.append(event)
            filled = True
    return "".join(parts)

"""Editions of an act: "Resolution 130 (Rev. Busan, 2014)" and "(Rev. Guadalajara, 2010)" are
two editions of Resolution 130. Read from the catalog's act labels, with each edition's items
(block, label, offsets) rebuilt from its clause chunks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import EditionError
from assistant.index.catalog import Catalog

# An act's label as the final-acts parser writes it: "Resolution 102 (Rev. Busan, 2014)".
_LABEL_RE = re.compile(r"^(Resolution|Decision) (\S+) \(((?:Rev\. )?[^()]*?),? (\d{4})\)$")
# What a user may write for an act: "Resolution 130", "Res. 130", "decision 11", "130".
_ACT_RE = re.compile(r"^\s*(?:(resolution|decision|res\.?|dec\.?)\s*)?([\w/\-]+)\s*$", re.I)
# An item label at the end of a clause's locator: "2", "3bis", "b)", "(c)", "ii)".
_ITEM_RE = re.compile(r"^(?:\(?[a-z]{1,5}(?:bis|ter|quater)?\)|\d{1,3}(?:bis|ter|quater)?)$")
_LOCATOR_SEP = " › "


@dataclass(frozen=True)
class Edition:
    """One edition of an act as indexed: `act_id` is "file#label", as `sources=` takes it."""

    kind: str  # "resolution" or "decision"
    number: str  # "130", "COM5/9"
    edition: str  # "Rev. Busan, 2014"
    year: int
    source: str  # the file it came from
    label: str  # "Resolution 130 (Rev. Busan, 2014)"

    @property
    def act(self) -> str:
        """The act without its edition: "Resolution 130"."""
        return f"{self.kind.capitalize()} {self.number}"

    @property
    def act_id(self) -> str:
        """The act id "file#label"."""
        return f"{self.source}#{self.label}"


@dataclass(frozen=True)
class Item:
    """One item of an edition: a clause (its chunks joined) or the title."""

    block: str  # "title", "considering", "resolves" ...
    item: str  # "2", "b)", ""
    part: str  # "title", "preamble", "operative", "footnote"
    locator: str
    start: int
    end: int
    text: str  # source_text[start:end]


def parse_label(label: str, source: str) -> Edition | None:
    """The edition an act label names, or None for a label that names no act."""
    m = _LABEL_RE.match(label)
    if m is None:
        return None
    kind, number, place, year = m.groups()
    return Edition(kind.lower(), number, f"{place}, {year}", int(year), source, label)


def all_editions(catalog: Catalog) -> list[Edition]:
    """Every indexed edition of every act, oldest first within an act."""
    found = []
    for act_id in catalog.act_ids():
        source, _, label = act_id.partition("#")
        edition = parse_label(label, source)
        if edition is not None:
            found.append(edition)
    return sorted(found, key=lambda e: (e.kind, e.number, e.year, e.edition, e.source))


def editions_of(catalog: Catalog, kind: str, number: str) -> list[Edition]:
    """The indexed editions of one act, oldest first (a catalog query on the act's number)."""
    found = [parse_label(label, source) for source, label in catalog.editions(kind, number)]
    return sorted(
        (e for e in found if e is not None and e.number.lower() == number.lower()),
        key=lambda e: (e.year, e.edition, e.source),
    )


def distinct(editions: list[Edition]) -> list[Edition]:
    """One entry per edition, oldest first: the same edition may be indexed from two files (a
    PDF and its text copy), and the first file (by id) stands for it."""
    seen: dict[str, Edition] = {}
    for e in editions:
        seen.setdefault(e.edition, e)
    return list(seen.values())


def read_act(act: str) -> tuple[str | None, str]:
    """(kind or None, number) of "Resolution 130", "Res. 130", "130" or an act id
    "file#Resolution 130 (Rev. Busan, 2014)"; EditionError otherwise."""
    source, sep, label = act.rpartition("#")
    named = parse_label(label.strip(), source) if sep else None
    if named is not None:
        return named.kind, named.number.upper()
    m = _ACT_RE.match(act)
    if m is None:
        raise EditionError(
            f"{act!r} names no act; write it as 'Resolution 130', 'Decision 11' or '130'"
        )
    word = (m.group(1) or "").lower()
    kind = None if not word else ("decision" if word.startswith("dec") else "resolution")
    return kind, m.group(2).upper()


def find_editions(catalog: Catalog, act: str) -> list[Edition]:
    """The editions of the act named by `act`; EditionError naming what is indexed if none."""
    kind, number = read_act(act)
    kinds = [kind] if kind else ["resolution", "decision"]
    for k in kinds:
        found = editions_of(catalog, k, number)
        if found:
            return found
    indexed = sorted({e.act for e in all_editions(catalog)})
    shown = ", ".join(indexed[:12]) + (" ..." if len(indexed) > 12 else "") or "none"
    raise EditionError(
        f"{act!r} is not indexed; acts indexed: {shown}. Add the final acts that hold it "
        "(`assistant add FILE`)"
    )


def _words(edition: str) -> list[str]:
    return re.sub(r"\brev\b\.?", " ", edition.lower()).replace(",", " ").split()


def pick(editions: list[Edition], wanted: str) -> Edition:
    """The edition `wanted` names ("Guadalajara, 2010", "Rev. Busan, 2014", "2010", "Busan")."""
    words = _words(wanted)
    hits = [e for e in editions if words and set(words) <= set(_words(e.edition))]
    if len(hits) != 1 and wanted.strip():
        exact = [e for e in hits if e.edition.lower() == wanted.strip().lower()]
        hits = distinct(exact or hits)
    if len(hits) == 1:
        return hits[0]
    shown = "; ".join(f"{e.edition} ({e.source})" for e in editions)
    problem = "matches several" if hits else "is not among them"
    raise EditionError(
        f"{editions[0].act} is indexed in the editions {shown}; {wanted!r} {problem}: "
        "name one of these"
    )


def items(catalog: Catalog, edition: Edition) -> list[Item]:
    """The title and clauses of one edition in document order; a clause split into several
    chunks is one item again, quoted from the source text."""
    text = catalog.text(edition.source) or ""
    ids = catalog.chunk_ids(sources=[edition.act_id])
    chunks = sorted(catalog.chunks(ids).values(), key=lambda c: c.start)
    found: list[Item] = []
    for chunk in chunks:
        if not chunk.part or chunk.group != edition.label:
            continue
        if found and found[-1].locator == chunk.locator:
            last = found[-1]
            found[-1] = Item(
                last.block, last.item, last.part, last.locator, last.start, chunk.end, ""
            )
            continue
        block, item = split_locator(chunk.locator)
        found.append(Item(block, item, chunk.part, chunk.locator, chunk.start, chunk.end, ""))
    return [
        Item(i.block, i.item, i.part, i.locator, i.start, i.end, text[i.start : i.end])
        for i in found
    ]


def split_locator(locator: str) -> tuple[str, str]:
    """(block, item) of "Resolution 130 (...) › resolves 2" -> ("resolves", "2")."""
    where = locator.rpartition(_LOCATOR_SEP)[2] if _LOCATOR_SEP in locator else ""
    head, _, last = where.rpartition(" ")
    if head and _ITEM_RE.match(last):
        return head, last
    return where, ""


def linked(catalog: Catalog) -> dict[str, tuple[str, list[str]]]:
    """Act id -> (its edition, the act ids of the same act's other indexed editions)."""
    by_act: dict[tuple[str, str], list[Edition]] = {}
    for e in all_editions(catalog):
        by_act.setdefault((e.kind, e.number.lower()), []).append(e)
    return {
        e.act_id: (e.edition, [o.act_id for o in group if o != e])
        for group in by_act.values()
        for e in group
    }

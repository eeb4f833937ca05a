"""Clause alignment: two editions of one act compared item by item, each side cited verbatim.

Items are aligned within their block (recalling, considering, resolves ...) by word similarity,
best pairs first, not by item label: an item inserted before others renumbers them, and those
come out "moved" rather than as a cascade of rewordings. An item left over in one edition is
matched to a near-identical one in another block of the other ("moved"), else it was removed
or added. Words are compared as written, except the punctuation that ends an item (";", ",",
".", a final "and"), which depends only on the item's place in its block.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from assistant.answering.editions import Edition, Item, distinct, find_editions, items, pick
from assistant.errors import EditionError
from assistant.index.catalog import Catalog
from assistant.schema import Change, ChangeKind, Citation, Comparison, DiffOp

# A leftover item moves to another block only when it is nearly the same words.
_MOVED_ACROSS_BLOCKS = 0.85


def compare(
    catalog: Catalog,
    act: str,
    old: str | None = None,
    new: str | None = None,
    *,
    min_similarity: float = 0.5,
) -> Comparison:
    """Compare two indexed editions of `act` ("Resolution 130", "130"); by default the latest
    two. EditionError names what is indexed when the act or an edition is not."""
    found = find_editions(catalog, act)
    editions = distinct(found)
    if len(editions) < 2:
        only, files = editions[0], ", ".join(e.source for e in found)
        raise EditionError(
            f"{only.act} is indexed in one edition only ({only.edition}, in {files}); "
            "add the final acts of another conference to compare it"
        )
    newer = pick(editions, new) if new else None
    older = pick(editions, old) if old else None
    if newer is None:
        rest = [e for e in editions if e != older and (older is None or e.year >= older.year)]
        newer = (rest or [e for e in editions if e != older])[-1]
    if older is None:
        before = [e for e in editions if e != newer and e.year <= newer.year]
        older = (before or [e for e in editions if e != newer])[-1]
    if older == newer:
        raise EditionError(f"both sides name {older.edition}; give two different editions")
    return compare_editions(catalog, older, newer, min_similarity=min_similarity)


def compare_editions(
    catalog: Catalog, old: Edition, new: Edition, *, min_similarity: float = 0.5
) -> Comparison:
    """The item-by-item comparison of two given editions."""
    olds, news = items(catalog, old), items(catalog, new)
    pairs = align(olds, news, min_similarity)
    titles = catalog.titles([old.source, new.source])
    changes: list[Change] = []
    marker = 0

    def cite(item: Item | None, edition: Edition) -> Citation | None:
        nonlocal marker
        if item is None:
            return None
        marker += 1
        title = titles.get(edition.source, edition.source)
        return Citation(
            marker, edition.source, title, item.locator, item.text, item.start, item.end
        )

    for o, n in pairs:
        kind, diff = judge(o, n)
        side = n or o
        assert side is not None  # align never pairs nothing with nothing
        o_item, n_item = (o.item if o else ""), (n.item if n else "")
        changes.append(
            Change(kind, side.block, cite(o, old), cite(n, new), diff, o_item, n_item, side.part)
        )
    return Comparison(new.act, old.edition, new.edition, changes, old.act_id, new.act_id)


def words(text: str) -> list[str]:
    """The words of an item, without the punctuation (or "and"/"or") that ends it."""
    found = text.split()
    if found and found[-1] in ("and", "or"):
        found.pop()
    if found:
        found[-1] = found[-1].rstrip(";,.:")
        if not found[-1]:
            found.pop()
    return found


def similarity(a: Item, b: Item) -> float:
    """How alike the words of two items are, 0-1 (difflib's ratio)."""
    return SequenceMatcher(None, words(a.text), words(b.text), autojunk=False).ratio()


def align(
    olds: list[Item], news: list[Item], min_similarity: float
) -> list[tuple[Item | None, Item | None]]:
    """Pairs (old, new) in the new edition's order, removed items after their old neighbour."""
    matched: dict[int, int] = {}  # new index -> old index
    blocks = list(dict.fromkeys([i.block for i in news] + [i.block for i in olds]))
    for block in blocks:
        o_ids = [k for k, i in enumerate(olds) if i.block == block]
        n_ids = [k for k, i in enumerate(news) if i.block == block]
        matched |= _best_pairs(olds, news, o_ids, n_ids, min_similarity, matched)
    o_left = [k for k in range(len(olds)) if k not in matched.values()]
    n_left = [k for k in range(len(news)) if k not in matched]
    matched |= _best_pairs(olds, news, o_left, n_left, _MOVED_ACROSS_BLOCKS, matched)
    pairs: list[tuple[Item | None, Item | None]] = []
    placed: set[int] = set()
    for n in range(len(news)):
        o = matched.get(n)
        if o is not None:
            # Removed items that stood before this one's old place come first.
            for r in range(o):
                if r not in placed and r not in matched.values():
                    pairs.append((olds[r], None))
                    placed.add(r)
            placed.add(o)
        pairs.append((olds[o] if o is not None else None, news[n]))
    pairs += [(olds[r], None) for r in range(len(olds)) if r not in placed]
    return pairs


def _best_pairs(
    olds: list[Item],
    news: list[Item],
    o_ids: list[int],
    n_ids: list[int],
    floor: float,
    taken: dict[int, int],
) -> dict[int, int]:
    scored = sorted(
        (
            (similarity(olds[o], news[n]), -abs(o_pos - n_pos), o, n)
            for o_pos, o in enumerate(o_ids)
            for n_pos, n in enumerate(n_ids)
            if olds[o].part == news[n].part
        ),
        reverse=True,
    )
    found: dict[int, int] = {}
    used = set(taken.values())
    for score, _, o, n in scored:
        if score < floor or n in found or n in taken or o in used:
            continue
        found[n] = o
        used.add(o)
    return found


def judge(old: Item | None, new: Item | None) -> tuple[ChangeKind, tuple[tuple[DiffOp, str], ...]]:
    """The kind of change between two aligned items, and the word-level diff."""
    if old is None:
        return "added", ()
    if new is None:
        return "removed", ()
    diff = word_diff(old.text, new.text)
    if old.item != new.item or old.block != new.block:
        return "moved", diff
    return ("modified" if diff else "unchanged"), diff


def word_diff(old: str, new: str) -> tuple[tuple[DiffOp, str], ...]:
    """("=", words), ("-", words), ("+", words) runs turning `old` into `new`; () when their
    words are the same."""
    a, b = words(old), words(new)
    if a == b:
        return ()
    ops: list[tuple[DiffOp, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            ops.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", " ".join(b[j1:j2])))
    return tuple(ops)

"""Answers about change between editions, and which edition an answer quotes.

A question read as a `ChangeQuestion` ("What changed in Resolution 130 in Busan?") is answered
from the comparison of two indexed editions, not from retrieval: one line per change, each
cited to the item in both editions (added and removed items exist in one only), or "no change
in ..." citing the items that read the same in both. Other questions about an act held in
several editions are answered from the latest one; `edition_scope` says which, and
`differs_note` names the quoted items that read differently in the other edition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.answering.compare import compare_editions
from assistant.answering.editions import Edition, distinct, find_editions
from assistant.answering.question import Analysis, ChangeQuestion, analyse
from assistant.answering.turn import Turn
from assistant.errors import EditionError
from assistant.index.catalog import Catalog
from assistant.schema import Answer, Change, Citation, Comparison, Passage

MAX_UNCHANGED_CITED = 4  # items cited to show that a part reads the same in both editions


def named_pair(editions: list[Edition], places: tuple[str, ...]) -> tuple[Edition, Edition]:
    """(older, newer) editions: the two the question names ("between 2010 and 2014"), or the
    one it names and its neighbour ("in Busan" is the newer side, "since Guadalajara" the
    older), or the latest two."""
    hits = [e for e in editions if _names(places, e)]
    if len(hits) >= 2:
        return hits[0], hits[-1]
    if len(hits) == 1 and hits[0] != editions[0]:
        newer = hits[0]
        return editions[editions.index(newer) - 1], newer
    if len(hits) == 1:
        return hits[0], editions[-1]
    return editions[-2], editions[-1]


def _place(change: Change) -> str:
    if change.kind == "moved" and change.old_item != change.new_item:
        return f"{change.block} {change.old_item or '(unnumbered)'}"
    return f"{change.block} {change.new_item or change.old_item}".strip()


def _in_scope(change: Change, question: ChangeQuestion) -> bool:
    if question.block and not change.block.startswith(question.block):
        return False
    if question.part:
        return change.part == question.part
    return change.part != "footnote"


def _scope(question: ChangeQuestion) -> str:
    if question.block:
        return f"the {question.block} part"
    return f"the {question.part} part" if question.part else "its text"


class _Cites:
    """Citations numbered in the order the answer's text uses them."""

    def __init__(self) -> None:
        self.used: list[Citation] = []

    def __call__(self, citation: Citation | None) -> str:
        if citation is None:
            return ""
        self.used.append(replace(citation, marker=len(self.used) + 1))
        return f" [{len(self.used)}]"


def _line(change: Change, comparison: Comparison, cite: _Cites) -> str:
    old, new = change.old, change.new
    if change.kind == "added":
        assert new is not None
        return f"Added in {comparison.new_edition}: {_place(change)}, “{new.quote}”{cite(new)}"
    if change.kind == "removed":
        assert old is not None
        return f"Removed: {_place(change)} of {comparison.old_edition}, “{old.quote}”{cite(old)}"
    assert old is not None and new is not None
    if change.kind == "moved":
        where = f"{change.block} {change.new_item}".strip()
        text = f"Renumbered: {_place(change)} became {where}{cite(old)}{cite(new)}"
        return text + (f", now reading “{new.quote}”" if change.diff else ", same words")
    added = [w for op, w in change.diff if op == "+"]
    dropped = [w for op, w in change.diff if op == "-"]
    how = "; ".join(
        part
        for part in (
            "adds " + ", ".join(f"“{w}”" for w in added) if added else "",
            "drops " + ", ".join(f"“{w}”" for w in dropped) if dropped else "",
        )
        if part
    )
    return (
        f"Reworded: {_place(change)} read “{old.quote}”{cite(old)} and now reads "
        f"“{new.quote}”{cite(new)} ({how})"
    )


def _same(changes: list[Change], cite: _Cites) -> str:
    """ "resolves 1 [3] [4], resolves 2 [5] [6] read the same in both editions"."""
    shown = [f"{_place(c)}{cite(c.old)}{cite(c.new)}" for c in changes[:MAX_UNCHANGED_CITED]]
    more = len(changes) - len(shown)
    tail = f" and {more} more item{'s' if more > 1 else ''}" if more > 0 else ""
    verb = "reads" if len(changes) == 1 else "read"
    return f"{', '.join(shown)}{tail} {verb} the same in both editions."


def change_answer(
    question: ChangeQuestion, catalog: Catalog, *, min_similarity: float = 0.5
) -> Answer | None:
    """The answer to a question about how an act changed; None when the act is not indexed
    (the usual answer then says so)."""
    try:
        editions = distinct(find_editions(catalog, question.act))
    except EditionError:
        return None
    if len(editions) < 2:
        only = editions[0]
        return Answer(
            f"Only one edition of {only.act} is indexed ({only.edition}, in {only.source}), so "
            "there is nothing to compare it with; add the final acts of another conference to "
            "see what changed.",
            [],
            abstained=True,
            passages=[],
        )
    older, newer = named_pair(editions, question.places)
    comparison = compare_editions(catalog, older, newer, min_similarity=min_similarity)
    scoped = [c for c in comparison.changes if _in_scope(c, question)]
    wanted = {"any": ("modified", "added", "removed", "moved")}.get(
        question.wanted, (question.wanted,)
    )
    changed = [c for c in scoped if c.kind in wanted]
    cite = _Cites()
    head = f"{comparison.act}, {comparison.old_edition} → {comparison.new_edition}"
    scope = _scope(question)
    what = {"added": "was added to", "removed": "was removed from"}.get(question.wanted, "")
    if not changed:
        same = [c for c in scoped if c.kind == "unchanged"]
        nothing = f"nothing {what} {scope}" if what else f"no change in {scope}"
        lines = [f"{head}: {nothing}" + (f": {_same(same, cite)}" if same else ".")]
    else:
        count = f"{len(changed)} change{'s' if len(changed) > 1 else ''}"
        lines = [f"{head}: {count} in {scope}:"]
        lines += [f"- {_line(c, comparison, cite)}." for c in changed]
        operative = [c for c in comparison.changes if c.part == "operative"]
        whole = not question.block and question.part != "preamble"
        if whole and operative and all(c.kind == "unchanged" for c in operative):
            lines.append(f"There is no change in the operative part: {_same(operative, cite)}")
    passages = [
        Passage(c.quote, c.source, c.title, c.locator, "resolution", 1.0, c.start, c.end)
        for c in cite.used
    ]
    return Answer("\n".join(lines), cite.used, abstained=False, passages=passages)


def edition_scope(analysis: Analysis, catalog: Catalog) -> tuple[list[str], str] | None:
    """(act ids of the edition to quote, the notice saying which) for a question about one act
    held in several editions: the latest, or the one the question names; None otherwise."""
    acts = [c.text for c in analysis.constraints if c.kind == "act"]
    if len(acts) != 1:
        return None
    try:
        found = find_editions(catalog, acts[0])
    except EditionError:
        return None
    editions = distinct(found)
    if len(editions) < 2:
        return None
    places = tuple(c.text for c in analysis.constraints if c.kind in ("name", "year"))
    hits = [e for e in editions if _names(places, e)]
    named = hits[-1] if hits else editions[-1]
    others = ", ".join(e.edition for e in editions if e.edition != named.edition)
    which = "the latest indexed edition" if named == editions[-1] else "the edition asked for"
    notice = f"Quoted from {named.label}, {which} (also indexed: {others})."
    return [e.act_id for e in found if e.edition == named.edition], notice


def _names(places: tuple[str, ...], edition: Edition) -> bool:
    """Whether a conference or year the question names ("Busan", "2010") is in `edition`."""
    words = {w.lower() for p in places for w in p.replace(",", " ").split()}
    return bool(words & set(edition.edition.lower().replace(",", " ").split()))


def differs_note(answer: Answer, catalog: Catalog, act: str, min_similarity: float = 0.5) -> str:
    """ "In the other edition: considering b) (Rev. Guadalajara, 2010 read differently); ..."
    naming each quoted item that reads differently (or is missing, or numbered otherwise) in
    another indexed edition; "" when none does."""
    editions = distinct(find_editions(catalog, act))
    notes = []
    for other in editions:
        cited = [e for e in editions if e != other and _cites(answer, e)]
        if not cited:
            continue
        comparison = compare_editions(catalog, other, cited[0], min_similarity=min_similarity)
        quoted = {(c.source, c.start) for c in answer.citations}
        for change in comparison.changes:
            new = change.new
            if new is not None and (new.source, new.start) in quoted:
                how = {
                    "modified": "read differently",
                    "added": "did not have it",
                    "moved": f"numbered it {change.block} {change.old_item}".strip(),
                }.get(change.kind)
                if how:
                    notes.append(f"{change.block} {change.new_item} ({other.edition} {how})")
    if not notes:
        return ""
    return f"In the other edition: {'; '.join(notes)}; see `assistant compare {act}`."


def _cites(answer: Answer, edition: Edition) -> bool:
    return any(c.locator.startswith(edition.label) for c in answer.citations)


@dataclass(frozen=True)
class Route:
    """How a question about an act held in several editions is answered: `answer`, from the
    comparison, for a change question; else from the act ids `sources` (one edition)."""

    act: str
    answer: Answer | None = None
    sources: list[str] | None = None
    notice: str = ""
    min_similarity: float = 0.5

    def noted(self, answer: Answer, catalog: Catalog) -> Answer:
        """An answer from `sources`, noting the edition quoted and where the other differs."""
        if not answer.answers:
            return answer
        return answer.noted(
            self.notice, differs_note(answer, catalog, self.act, self.min_similarity)
        )


def route(
    turn: Turn,
    catalog: Catalog,
    min_similarity: float = 0.5,
    kinds: Sequence[str] | None = None,
) -> Route | None:
    """The route of a question naming one act indexed in several editions; None otherwise
    (one edition, or none: the usual answer, which says when the act is not indexed; or a
    `kinds` filter that leaves the act out). A follow-up ("What changed in it?") is read with
    the act the conversation named."""
    analysis = turn.analysis
    if turn.resolved and turn.resolved != turn.text:
        analysis = analyse(turn.resolved)
    acts = [c.text.partition(" ")[0].lower() for c in analysis.constraints if c.kind == "act"]
    if kinds and not set(acts) <= set(kinds):
        return None
    if analysis.change is not None:
        found = change_answer(analysis.change, catalog, min_similarity=min_similarity)
        if found is not None:
            return Route(analysis.change.act, answer=found)
    scope = edition_scope(analysis, catalog)
    if scope is None:
        return None
    act = next(c.text for c in analysis.constraints if c.kind == "act")
    return Route(act, sources=scope[0], notice=scope[1], min_similarity=min_similarity)

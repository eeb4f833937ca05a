"""The typed results that travel from the index to the user: passages, citations, answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Literal, TypeVar, get_args

Part = Literal["", "title", "preamble", "operative", "footnote"]
"""Where a clause of the final acts sits in its act; "" for commentary.

(Kinds stay open strings: a sidecar may label a source "speech" or "report", and `--kind`
filters by it.)
"""


def part_of_act(value: str) -> Part:
    """`value` as a Part; anything else raises ValueError naming the accepted parts."""
    for part in get_args(Part):
        if value == part:
            return part  # type: ignore[no-any-return]
    raise ValueError(f"{value!r} is not a part of an act; use one of {get_args(Part)}")


CitationRole = Literal["answer", "context"]


def page_suffix(page: int | None, label: str | None) -> str:
    """', p. 123' for a page (its printed label when it has one); '' without a page."""
    if page is None:
        return ""
    return f", p. {label or page}"


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of a source, with its place in the source's extracted text."""

    text: str
    source: str
    title: str
    locator: str
    kind: str
    score: float
    start: int
    end: int
    chunk_id: str = ""
    # A PDF: the 1-based page where the passage starts, and that page's printed label if any.
    page: int | None = None
    page_label: str | None = None


@dataclass(frozen=True)
class Citation:
    """One numbered reference: `quote` is verbatim `source_text[start:end]`."""

    marker: int
    source: str
    title: str
    locator: str
    quote: str
    start: int
    end: int
    # "context": the nearest passage, cited when the sources lack what was asked; no answer.
    role: CitationRole = "answer"
    # A PDF: the 1-based page where the quote starts, and the label printed on it ("123", "iv")
    # when the PDF declares page labels; None for formats without pages. `locator` then ends
    # in ", p. <label or page>".
    page: int | None = None
    page_label: str | None = None
    # From the source's sidecar (`<file>.meta.json`), for exports: None when it does not say.
    author: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer with inline markers [n] that refer to `citations`.

    One marker is one reference: one passage (a paragraph or clause). Citations quoting
    different sentences of the same passage share its marker, each with its own verbatim
    `quote`, `start` and `end`; `references` groups them by marker.
    """

    text: str
    citations: list[Citation]
    abstained: bool
    passages: list[Passage]
    notice: str | None = None
    # Source id -> content digest of each cited source when the answer was made, so that
    # `Assistant.verify` can tell a re-checked answer which sources changed since.
    fingerprint: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> Answer:
        """The Answer that `assistant ask --json` (or `to_json`) printed; unknown fields are
        skipped, so an answer written by a newer version still reads. Raises ValueError."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: Any) -> Answer:
        """The Answer of `dataclasses.asdict(answer)`, as `from_json` reads it."""
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError("not an Answer: a JSON object with a 'text' field is expected")
        citations = [_known(Citation, c) for c in data.get("citations") or []]
        for c in citations:
            if c.role not in get_args(CitationRole):
                raise ValueError(f"citation [{c.marker}] has an unknown role {c.role!r}")
        return cls(
            text=data["text"],
            citations=citations,
            abstained=bool(data.get("abstained", False)),
            passages=[_known(Passage, p) for p in data.get("passages") or []],
            notice=data.get("notice"),
            fingerprint={str(k): str(v) for k, v in (data.get("fingerprint") or {}).items()},
        )

    @property
    def answers(self) -> bool:
        """True when some citation answers the question (not only context for a refusal)."""
        return any(c.role == "answer" for c in self.citations)

    @property
    def references(self) -> dict[int, list[Citation]]:
        """The citations by marker, in marker order: one entry per reference."""
        grouped: dict[int, list[Citation]] = {}
        for c in sorted(self.citations, key=lambda c: c.marker):
            grouped.setdefault(c.marker, []).append(c)
        return grouped

    def noted(self, *notes: str | None) -> Answer:
        """This answer with `notes` (the empty ones left out) added to its notice."""
        joined = " ".join(n for n in (self.notice, *notes) if n) or None
        return self if joined == self.notice else replace(self, notice=joined)

    def to_markdown(self) -> str:
        """The answer followed by its numbered references, as Markdown."""
        from assistant import exports  # exports imports this module

        return exports.markdown(self)

    def to_json(self) -> str:
        """The whole answer as JSON (`dataclasses.asdict`): it can be read back."""
        from assistant import exports

        return exports.answer_json(self)

    def to_csl(self, accessed: date | None = None) -> list[dict[str, Any]]:
        """The references as CSL-JSON items, one per marker (accessed: today by default)."""
        from assistant import exports

        return exports.csl(self, accessed=accessed)

    def to_bibtex(self, accessed: date | None = None) -> str:
        """The references as BibTeX @misc entries, one per marker."""
        from assistant import exports

        return exports.bibtex(self, accessed=accessed)


T = TypeVar("T")


def _known(cls: type[T], data: Any) -> T:
    """`cls(**data)` with the fields `cls` does not know left out."""
    if not isinstance(data, dict):
        raise ValueError(f"a {cls.__name__} must be a JSON object, not {type(data).__name__}")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**{k: v for k, v in data.items() if k in names})
    except TypeError as exc:
        raise ValueError(f"a {cls.__name__} lacks a field: {exc}") from None


ChangeKind = Literal["unchanged", "modified", "added", "removed", "moved"]
DiffOp = Literal["=", "-", "+"]


@dataclass(frozen=True)
class Change:
    """One item of an act compared across two editions; `old`/`new` cite it in each (or None).

    "moved": the item was renumbered or reordered (its words may also differ: see `diff`).
    """

    kind: ChangeKind
    block: str  # "recalling", "considering", "resolves", "instructs the Secretary-General" ...
    old: Citation | None
    new: Citation | None
    # Word-level: ("=", "that the"), ("-", "some"), ("+", "many"); empty when the words agree.
    diff: tuple[tuple[DiffOp, str], ...] = ()
    old_item: str = ""  # the item's label in each edition: "2", "b)", "" (unnumbered)
    new_item: str = ""
    part: str = ""  # "title", "preamble", "operative" or "footnote"


@dataclass(frozen=True)
class Comparison:
    """Two editions of one act, aligned item by item."""

    act: str  # "Resolution 130"
    old_edition: str  # "Rev. Guadalajara, 2010"
    new_edition: str  # "Rev. Busan, 2014"
    changes: list[Change]
    old_act: str = ""  # act ids "file#Resolution 130 (Rev. Guadalajara, 2010)"
    new_act: str = ""

    @property
    def changed(self) -> list[Change]:
        """The changes that are not "unchanged"."""
        return [c for c in self.changes if c.kind != "unchanged"]


@dataclass(frozen=True)
class Verification:
    """An answer re-checked against the current sources."""

    ok: bool  # every quote still stands at its offsets
    stale: list[int]  # markers whose quote no longer does (or whose source is gone)
    changed: list[str] = field(default_factory=list)  # cited sources whose digest changed


@dataclass(frozen=True)
class IndexReport:
    """What one sync of the index with `sources/` did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    # What the reader found in each added or updated final-acts file: (id, "final acts: ...").
    found: list[tuple[str, str]] = field(default_factory=list)
    # (new file, the indexed source with the same extracted text): stored and indexed nothing.
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    # (indexed source, an indexed source with nearly the same text: another format, say).
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: IndexReport) -> IndexReport:
        """One report for this sync and `other` (say, one sync per uploaded file).

        Each id is listed once, in the order first seen; a source unchanged in one sync but
        added or updated in the other counts as changed. Times and chunk counts add up.
        """
        added = list(dict.fromkeys(self.added + other.added))
        updated = list(dict.fromkeys(self.updated + other.updated))
        unchanged = dict.fromkeys(self.unchanged + other.unchanged)
        return IndexReport(
            added=added,
            updated=updated,
            removed=list(dict.fromkeys(self.removed + other.removed)),
            unchanged=[i for i in unchanged if i not in added and i not in updated],
            failed=list(dict.fromkeys(self.failed + other.failed)),
            chunks_embedded=self.chunks_embedded + other.chunks_embedded,
            seconds=self.seconds + other.seconds,
            found=list(dict(self.found + other.found).items()),
            duplicates=list(dict.fromkeys(self.duplicates + other.duplicates)),
            near_duplicates=list(dict.fromkeys(self.near_duplicates + other.near_duplicates)),
        )


@dataclass(frozen=True)
class SourceInfo:
    """An indexed source; final-acts files also list each resolution as a child entry."""

    id: str
    title: str
    kind: str
    chunks: int
    parent: str | None = None
    edition: str = ""  # an act's edition: "Rev. Busan, 2014"; "" for a file
    editions: list[str] = field(default_factory=list)  # ids of the act's other indexed editions


@dataclass(frozen=True)
class Segment:
    """A run of a source's extracted text that chunking never crosses.

    A commentary paragraph, or one clause of a resolution. `start`/`end` are offsets in the
    extracted text, so `text == extracted[start:end]`.
    """

    text: str
    start: int
    end: int
    locator: str  # "Cybersecurity and surveillance ¶2" or "Resolution 102 (...) › resolves 2"
    kind: str
    group: str  # the section heading, or the act's label "Resolution 102 (Rev. Busan, 2014)"
    part: Part = ""  # final acts: "title", "preamble", "operative", "footnote"; commentary: ""


@dataclass(frozen=True)
class Sentence:
    """One sentence of a chunk; offsets are in the source's extracted text."""

    id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """An indexed passage: a commentary paragraph (or part of one) or a resolution clause."""

    id: str
    source: str
    text: str
    start: int
    end: int
    locator: str
    kind: str
    group: str
    part: Part
    sentences: tuple[Sentence, ...]

    @property
    def context(self) -> str:
        """Words prefixed to each sentence when embedding, so a sentence keeps its topic."""
        return self.locator if self.part else self.group

    @property
    def names_act(self) -> bool:
        """True for the line under a commentary heading that names the act its section
        discusses ("Resolution Com5/4 (Busan, 2014)"): the structure makes it a passage of its
        own, and the section's group ends with it."""
        return not self.part and self.group.endswith(f"({self.text})")

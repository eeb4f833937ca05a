"""Exports of an answer or a conversation: Markdown, JSON, CSL-JSON and BibTeX.

One reference is one marker (`Answer.references`): its source's title, author, publisher and
date (from the sidecar), URL when the sidecar gives one, the locator and page, every quote, and
the date the source was accessed (today, unless given). A conversation is a list of
(question, answer) pairs; its references are numbered per question ("q2-ref1").

Only `assistant.schema` is imported, so every layer may export.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from assistant.schema import Answer, Citation, page_suffix

Conversation = Sequence[tuple[str, Answer]]
"""A conversation as (question, answer) pairs, in the order asked."""

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_OFFICIAL = {"resolution", "decision", "final-acts", "recommendation", "opinion"}
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _today(accessed: date | None) -> date:
    return accessed or datetime.now(UTC).date()


# -- Markdown ----------------------------------------------------------------------------------


def markdown(answer: Answer) -> str:
    """The answer followed by its numbered references, as Markdown (one line per reference)."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
        lines.append(
            "**References**"
            if answer.answers
            else "**Context** (the nearest passage; it does not answer the question)"
        )
        for marker, cited in answer.references.items():
            quotes = " … ".join(f"“{c.quote}”" for c in cited)
            lines.append(f"[{marker}] {cited[0].title} — {cited[0].locator}: {quotes}")
    if answer.notice:
        lines.append("")
        lines.append(f"_{answer.notice}_")
    return "\n".join(lines)


def conversation_markdown(turns: Conversation, *, accessed: date | None = None) -> str:
    """A conversation as Markdown: each question and answer, then a full list of the sources."""
    day = _today(accessed).isoformat()
    parts = ["# Conversation", ""]
    for n, (question, answer) in enumerate(turns, 1):
        parts += [f"## {n}. {question}", "", markdown(answer), ""]
    described = {c.source: c for _, a in turns for c in a.citations}
    if described:
        parts += ["## Sources", ""]
        for c in described.values():
            parts.append(f"- {describe(c)} Accessed {day}.")
    return "\n".join(parts).rstrip() + "\n"


def describe(citation: Citation) -> str:
    """A one-line description of a cited source: 'Title. Author. Publisher, date. URL.'"""
    parts = [citation.title]
    parts += [citation.author] if citation.author else []
    issued = ", ".join(x for x in (citation.publisher, citation.date) if x)
    parts += [issued] if issued else []
    parts += [f"<{citation.url}>"] if citation.url else []
    parts.append(f"Source file: {citation.source}")
    return ". ".join(p.rstrip(".") for p in parts) + "."


# -- JSON --------------------------------------------------------------------------------------


def answer_json(answer: Answer) -> str:
    """The whole Answer (`dataclasses.asdict`) as JSON, so that it can be read back."""
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False, indent=2)


def conversation_json(turns: Conversation, *, accessed: date | None = None) -> str:
    """A conversation as JSON: {"accessed": day, "turns": [{"question", "answer"}, ...]}."""
    data = {
        "accessed": _today(accessed).isoformat(),
        "turns": [{"question": q, "answer": dataclasses.asdict(a)} for q, a in turns],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- CSL-JSON ----------------------------------------------------------------------------------


def csl(answer: Answer, *, accessed: date | None = None, prefix: str = "") -> list[dict[str, Any]]:
    """The answer's references as CSL-JSON items (one per marker), ids `{prefix}ref{n}`."""
    day = _today(accessed)
    items: list[dict[str, Any]] = []
    for marker, cited in answer.references.items():
        c = cited[0]
        kinds = {p.kind for p in answer.passages if p.source == c.source}
        item: dict[str, Any] = {
            "id": f"{prefix}ref{marker}",
            "type": "legislation" if kinds & _OFFICIAL else "document",
            "title": c.title,
            "section": c.locator.removesuffix(page_suffix(c.page, c.page_label)),
            "note": " … ".join(f"“{q.quote}”" for q in cited),
            "accessed": {"date-parts": [[day.year, day.month, day.day]]},
            "citation-label": f"[{marker}]",
            "archive_location": c.source,
        }
        if c.author:
            item["author"] = [{"literal": c.author}]
        if c.publisher:
            item["publisher"] = c.publisher
        if c.date:
            item["issued"] = _csl_date(c.date)
        if c.url:
            item["URL"] = c.url
        if c.page is not None:
            item["page"] = c.page_label or str(c.page)
        items.append(item)
    return items


def conversation_csl(turns: Conversation, *, accessed: date | None = None) -> list[dict[str, Any]]:
    """The references of every answer of a conversation as CSL-JSON items ("q1-ref1" ...)."""
    return [
        item
        for n, (_, answer) in enumerate(turns, 1)
        for item in csl(answer, accessed=accessed, prefix=f"q{n}-")
    ]


def _csl_date(value: str) -> dict[str, Any]:
    m = _ISO_DATE.match(value.strip())
    if m is None:
        return {"literal": value}
    return {"date-parts": [[int(x) for x in m.groups() if x is not None]]}


# -- BibTeX ------------------------------------------------------------------------------------


def bibtex(answer: Answer, *, accessed: date | None = None, prefix: str = "") -> str:
    """The answer's references as BibTeX @misc entries (keys `{prefix}ref{n}`)."""
    day = _today(accessed).isoformat()
    entries: list[str] = []
    for item in csl(answer, accessed=accessed, prefix=prefix):
        author = item["author"][0]["literal"] if "author" in item else None
        where = f", p. {item['page']}" if "page" in item else ""
        fields = [
            ("title", item["title"]),
            ("publisher", item.get("publisher")),
            ("year", _year(item)),
            ("date", _iso(item)),
            ("url", item.get("URL")),
            ("urldate", day),
            ("pages", item.get("page")),
            ("note", f"{item['section']}{where}: {item['note']}"),
            ("howpublished", f"source file {item['archive_location']}"),
        ]
        # An author in double braces: BibTeX takes an organisation's name whole.
        escaped = [("author", f"{{{_bibtex_text(author)}}}")] if author else []
        escaped += [(name, _bibtex_text(value)) for name, value in fields if value]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in escaped)
        key = re.sub(r"[^A-Za-z0-9_:-]", "", item["id"])
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def conversation_bibtex(turns: Conversation, *, accessed: date | None = None) -> str:
    """The references of every answer of a conversation as BibTeX ("q1-ref1" ...)."""
    return "\n".join(
        bibtex(answer, accessed=accessed, prefix=f"q{n}-")
        for n, (_, answer) in enumerate(turns, 1)
        if answer.citations
    )


def _year(item: dict[str, Any]) -> str | None:
    parts = item.get("issued", {}).get("date-parts")
    return str(parts[0][0]) if parts else None


def _iso(item: dict[str, Any]) -> str | None:
    parts = item.get("issued", {}).get("date-parts")
    return "-".join(f"{x:02d}" if i else str(x) for i, x in enumerate(parts[0])) if parts else None


def _bibtex_text(value: str) -> str:
    """`value` safe inside a braced BibTeX field: specials escaped, whitespace on one line."""
    escaped = "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in value)
    return " ".join(escaped.split())

"""Rendering for the web chat: pure functions from answers, sources and reports to HTML.

Source text and user text reach the page only through `html.escape`, inside one-line HTML
blocks: the chat's Markdown renderer passes such a block through untouched, so neither HTML nor
Markdown in a source or a question is ever interpreted. Gradio's own sanitizer stays on too.
Nothing here imports gradio; `app` puts what these functions return on the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from assistant.answering.citations import unit_of
from assistant.schema import Answer, Citation, IndexReport, Passage, SourceInfo

if TYPE_CHECKING:
    from assistant.interfaces.watch import IndexStatus

CONTEXT_CHARS = 500  # a paragraph longer than this on either side of the quote is cut
DOCUMENT_PATH = "sources"  # the document view: GET /sources/{id}?q=start-end,... (`document`)

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MARKER = re.compile(r"\[(\d+)\]")


def text_html(text: str) -> str:
    """`text` as HTML showing exactly those characters, on one line, line breaks kept."""
    return html.escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def block_html(css_class: str, text: str) -> str:
    """A chat bubble's body (a question, a pending answer, an error) shown as text."""
    return f'<div class="{css_class}">{text_html(text)}</div>'


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The blank-line-separated block of `text` that encloses `text[start:end]`."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    low = max((m.end() for m in _BLANK_LINE.finditer(text, 0, start)), default=0)
    after = _BLANK_LINE.search(text, end)
    high = after.start() if after else len(text)
    low += len(text[low:start]) - len(text[low:start].lstrip())
    high -= len(text[end:high]) - len(text[end:high].rstrip())
    return low, high


def passage_html(
    text: str,
    start: int,
    end: int,
    *,
    limit: int = CONTEXT_CHARS,
    also: Sequence[tuple[int, int]] = (),
    within: tuple[int, int] | None = None,
) -> str:
    """The paragraph around `text[start:end]`, escaped, with that quote in <mark>.

    `also`: more quotes of the same paragraph, each marked too. `within`: the unit the quotes
    belong to (their clause or paragraph, as indexed): the context never runs past it, so a
    clause's context stops where the clause does, never inside the next act.
    """
    spans = sorted({(start, end), *also})
    low, high = paragraph_bounds(text, spans[0][0], spans[-1][1])
    if within is not None:
        low, high = max(low, min(within[0], spans[0][0])), min(high, max(within[1], spans[-1][1]))
    spans = [(max(low, min(s, high)), max(low, min(e, high))) for s, e in spans]
    first, last = spans[0][0], spans[-1][1]
    head = tail = ""
    if first - low > limit:
        space = text.find(" ", first - limit, first)
        low, head = (space + 1 if space >= 0 else first - limit), "… "
    if high - last > limit:
        space = text.rfind(" ", last, last + limit)
        high, tail = (space if space >= 0 else last + limit), " …"
    parts, at = [head], low
    for s, e in spans:
        s = max(s, at)
        parts.append(f"{text_html(text[at:s])}<mark>{text_html(text[s:e])}</mark>")
        at = max(at, e)
    parts.append(f"{text_html(text[at:high])}{tail}")
    return "".join(parts)


def document_link(citations: Sequence[Citation | Passage]) -> str:
    """The relative URL of the document view of these quotes (or passages) of one source."""
    spans = ",".join(f"{c.start}-{c.end}" for c in citations)
    return f"{DOCUMENT_PATH}/{quote(citations[0].source, safe='/')}?q={spans}#quote"


def document_anchor(link: str, body: str, tip: str = "") -> str:
    """An <a class="doc-link"> opening `link` (a `document_link`) in a new tab, as the
    references' links do; `body` is HTML, already escaped; `tip` (plain text) its title."""
    title = f' title="{html.escape(tip, quote=True)}"' if tip else ""
    return (
        f'<a class="doc-link" href="{html.escape(link, quote=True)}"{title} target="_blank" '
        f'rel="noopener">{body}</a>'
    )


def _reference(attrs: str, marker: str, title: str, locator: str, body: str, link: str = "") -> str:
    opened = document_anchor(link, "Open in the document ↗") if link else ""
    return (
        f'<details {attrs}><summary>{marker}<span class="ref-title">{text_html(title)}'
        f"</span> — {text_html(locator)}</summary>"
        f'<blockquote class="passage">{body}</blockquote>{opened}</details>'
    )


def answer_html(answer: Answer, source_text: Callable[[str], str | None], uid: str) -> str:
    """An answer with linked [n] markers, then its references (or, if it abstained, the
    closest sources), each opening onto its quote highlighted inside its paragraph."""
    cited = {c.marker: c for c in answer.citations}

    def link(match: re.Match[str]) -> str:
        c = cited.get(int(match[1]))
        if c is None:
            return match[0]
        tip = html.escape(f"{c.title} — {c.locator}", quote=True)
        return f'<a class="cite" href="#{uid}-{c.marker}" title="{tip}">[{c.marker}]</a>'

    kind = "answer abstained" if answer.abstained else "answer"
    parts = [f'<div class="{kind}">{_MARKER.sub(link, text_html(answer.text))}</div>']
    if answer.notice:
        parts.append(block_html("notice", answer.notice))
    if answer.citations:
        head = (
            "References"
            if answer.answers
            else "Context: the nearest passage, which does not answer the question"
        )
        parts.append(f'<div class="refs"><div class="refs-head">{head}</div>')
        for marker, quoted in answer.references.items():
            first = quoted[0]
            full = source_text(first.source)
            if full and all(full[q.start : q.end] == q.quote for q in quoted):
                unit = unit_of(first, answer.passages)
                body = passage_html(
                    full,
                    first.start,
                    first.end,
                    also=[(q.start, q.end) for q in quoted[1:]],
                    within=(unit.start, unit.end) if unit else None,
                )
            else:
                body = " … ".join(f"<mark>{text_html(q.quote)}</mark>" for q in quoted)
            parts.append(
                _reference(
                    f'class="ref" id="{uid}-{marker}"',
                    f"[{marker}] ",
                    first.title,
                    first.locator,
                    body,
                    document_link(quoted),
                )
            )
        parts.append("</div>")
    elif answer.abstained and answer.passages:
        parts.append(
            '<div class="refs"><div class="refs-head">Closest sources '
            "(they do not answer the question)</div>"
        )
        near: dict[tuple[str, str], Passage] = {}
        for p in answer.passages:
            near.setdefault((p.source, p.locator), p)
        for p in list(near.values())[:3]:
            text = p.text if len(p.text) < 1000 else p.text[:1000].rsplit(" ", 1)[0] + " …"
            parts.append(
                _reference(
                    'class="ref near"', "", p.title, p.locator, text_html(text), document_link([p])
                )
            )
        parts.append("</div>")
    return "".join(parts)


def sources_html(rows: Sequence[SourceInfo]) -> str:
    """The indexed sources as a table; resolutions are indented under their final-acts file."""
    if not rows:
        return '<p class="empty">No sources are indexed yet. Upload a document below.</p>'
    lines = [
        '<table class="sources"><thead><tr><th>Title</th><th>Kind</th><th>Chunks</th>'
        "<th>File</th></tr></thead><tbody>"
    ]
    for row in rows:
        child = row.parent is not None
        lines.append(
            f'<tr class="{"child" if child else "file"}"><td>{"↳ " if child else ""}'
            f"{text_html(row.title)}</td><td>{text_html(row.kind)}</td>"
            f"<td>{row.chunks}</td><td>{'' if child else text_html(row.id)}</td></tr>"
        )
    return "".join(lines) + "</tbody></table>"


def report_html(report: IndexReport) -> str:
    """What one re-index or upload did, failures with their reasons."""
    lines = [
        f'<div class="report">Last re-index: {len(report.added)} added, '
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed; "
        f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s."
    ]
    lines += [
        f"<div>{label}: {', '.join(text_html(i) for i in ids)}</div>"
        for label, ids in (
            ("Added", report.added),
            ("Updated", report.updated),
            ("Removed", report.removed),
        )
        if ids
    ]
    lines += [f"<div>{text_html(i)}: {text_html(found)}</div>" for i, found in report.found]
    lines += [
        f"<div>Not stored: {text_html(name)} is already indexed as {text_html(original)}.</div>"
        for name, original in report.duplicates
    ]
    lines += [
        f"<div>Note: {text_html(source)} has nearly the same text as {text_html(similar)}.</div>"
        for source, similar in report.near_duplicates
    ]
    lines += [
        '<ul class="failed">',
        *(f"<li><b>{text_html(name)}</b>: {text_html(why)}</li>" for name, why in report.failed),
        "</ul>",
    ]
    return "".join(lines) + "</div>"


def status_html(status: IndexStatus, rows: Sequence[SourceInfo]) -> str:
    """The status line of the sources panel: counts, activity, the last report."""
    files = [r for r in rows if r.parent is None]
    acts = len(rows) - len(files)  # resolutions and decisions inside final-acts files
    lines = [
        f'<div class="status"><b>{len(files)} files</b>',
        f", {acts} resolutions and decisions" if acts else "",
        f", {sum(r.chunks for r in files)} chunks indexed.",
        " Re-indexing…" if status.busy else "",
        " Files added to, changed in or removed from sources/ are re-indexed automatically."
        if status.watching
        else "",
        block_html("failed", f"Re-index failed: {status.error}") if status.error else "",
        report_html(status.report) if status.report else "",
    ]
    return "".join(lines) + "</div>"


def indexed_summary(rows: Sequence[SourceInfo]) -> str:
    """The first screen's line on what is indexed, with a hint when no final acts are."""
    files = [r for r in rows if r.parent is None]
    acts = [r for r in rows if r.parent is not None]
    commentaries = sum(1 for r in files if r.kind == "commentary")
    others = len(files) - commentaries - len({r.parent for r in acts})
    parts = [f"{commentaries} {'commentary' if commentaries == 1 else 'commentaries'}"]
    parts += [f"{len(acts)} resolutions and decisions"] if acts else []
    parts += [f"{others} other {'source' if others == 1 else 'sources'}"] if others > 0 else []
    line = f"Indexed: {', '.join(parts)}."
    if not acts:
        line += (
            " No final acts yet: to quote resolutions, add the Final Acts of the Plenipotentiary"
            " Conference (Busan, 2014) from itu.int in the Sources tab (the README's section"
            " “The conference's final acts” says how)."
        )
    return line


def upload_label(formats: Sequence[str], max_upload_mb: float) -> str:
    """The upload field's label: the formats it takes and the size limit."""
    return (
        f"Add documents ({', '.join(formats)}; at most {max_upload_mb:g} MB each), "
        "stored in sources/"
    )

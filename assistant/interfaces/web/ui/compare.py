"""The compare view: two editions of an act in two columns, each change highlighted.

Reached from the Sources tab ("Compare editions"): pick an act held in several editions, name
the editions or leave them empty for the latest two. After an answer that cites such an act,
the view already shows its comparison. Every source word reaches the page through
`html.escape`; removed words are struck through in the older column, added ones marked in the
newer. Each side's item label links, in a new tab, to the document view of its edition with
that item lit (`render.document_link`, the function the chat's references use).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.answering.compare import words as item_words
from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.interfaces.web.inputs import clean
from assistant.interfaces.web.render import document_anchor, document_link
from assistant.schema import Change, Citation, Comparison, SourceInfo

# An act in an answer's references: "[1] Title — Resolution 130 (Rev. Busan, 2014) › ...".
_CITED_ACT_RE = re.compile(r" — ((?:Resolution|Decision) [\w/\-]+) \(")
KIND_LABELS = {
    "unchanged": "unchanged",
    "modified": "reworded",
    "added": "added",
    "removed": "removed",
    "moved": "renumbered",
}


def comparable_acts(rows: Sequence[SourceInfo]) -> list[str]:
    """ "Resolution 130" for each act indexed in more than one edition, in number order."""
    found = {r.title.partition(" (")[0] for r in rows if r.parent and r.editions}
    return sorted(found, key=lambda a: (a.split(" ")[0], a.split(" ")[-1].zfill(6)))


def _side(change: Change, citation: Citation | None, side: str) -> str:
    if citation is None:
        return f'<td class="{side} empty">—</td>'
    keep = "-" if side == "old" else "+"
    if change.diff:
        words = [
            f"<{'del' if op == '-' else 'ins'}>{html.escape(w)}</{'del' if op == '-' else 'ins'}>"
            if op == keep
            else html.escape(w)
            for op, w in change.diff
            if op in ("=", keep)
        ]
        # The diff leaves out the punctuation that ends an item; the page shows it.
        full, bare = " ".join(citation.quote.split()), " ".join(item_words(citation.quote))
        body = " ".join(words) + html.escape(full[len(bare) :] if full.startswith(bare) else "")
    else:
        body = html.escape(citation.quote)
    where = html.escape(citation.locator.rpartition(" › ")[2] or citation.locator)
    tip = html.escape(f"{citation.title} — {citation.locator}", quote=True)
    item = document_anchor(
        document_link([citation]),
        f'<span class="item">{where}</span> ↗',
        "Open this item in its document",
    )
    return f'<td class="{side}" title="{tip}">{item} {body}</td>'


def comparison_html(comparison: Comparison) -> str:
    """The comparison as a two-column table, one row per item, changed rows highlighted."""
    old_file = html.escape(comparison.old_act.partition("#")[0])
    new_file = html.escape(comparison.new_act.partition("#")[0])
    changed = len(comparison.changed)
    rows = []
    for change in comparison.changes:
        label = KIND_LABELS[change.kind]
        rows.append(
            f'<tr class="change {change.kind}"><td class="kind">{html.escape(label)}</td>'
            f"{_side(change, change.old, 'old')}{_side(change, change.new, 'new')}</tr>"
        )
    head = (
        f'<p class="compare-head"><b>{html.escape(comparison.act)}</b>: {changed} changed, '
        f"{len(comparison.changes) - changed} unchanged</p>"
    )
    columns = (
        f'<tr><th></th><th>{html.escape(comparison.old_edition)} <span class="file">'
        f'{old_file}</span></th><th>{html.escape(comparison.new_edition)} <span class="file">'
        f"{new_file}</span></th></tr>"
    )
    return (
        f'<div class="compare">{head}<table class="compare-table"><thead>{columns}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def error_html(message: str) -> str:
    """An error as the view shows it: the message, as text."""
    return f'<p class="compare-error">{html.escape(message)}</p>'


def show(assistant: Assistant, act: str | None, old: str | None, new: str | None) -> str:
    """The view's HTML for the values the page sent (each cleaned first)."""
    act = clean(act or "").strip()
    if not act:
        return error_html("Pick an act held in two editions, or type its number.")
    try:
        comparison = assistant.compare(
            act, old=clean(old or "").strip() or None, new=clean(new or "").strip() or None
        )
    except AssistantError as exc:
        return error_html(str(exc))
    return comparison_html(comparison)


def answered_act(markdown: str, comparable: Sequence[str]) -> str | None:
    """The first act of several editions that an answer (as Markdown) cites, if any."""
    for m in _CITED_ACT_RE.finditer(markdown or ""):
        if m.group(1) in comparable:
            return m.group(1)
    return None


def compare_view(assistant: Assistant, events: dict[str, Any]) -> tuple[Any, Any]:
    """Build the "Compare editions" accordion in the current Gradio layout; returns the act
    picker and the view, for `follow_answers`."""
    with gr.Accordion("Compare editions", open=False, elem_id="compare") as box:
        with gr.Row():
            act = gr.Dropdown(
                choices=comparable_acts(assistant.sources()),
                value=None,
                allow_custom_value=True,
                label="Act",
                info="Acts indexed in more than one edition.",
                elem_id="compare-act",
            )
            old = gr.Textbox(label="Older edition", placeholder="e.g. Guadalajara, 2010")
            new = gr.Textbox(label="Newer edition", placeholder="empty: the latest")
        run = gr.Button("Compare", size="sm", elem_id="compare-run")
        view = gr.HTML(elem_id="compare-view")

    def refresh() -> Any:
        return gr.Dropdown(choices=comparable_acts(assistant.sources()))

    box.expand(refresh, None, act, **events)
    run.click(lambda a, o, n: show(assistant, a, o, n), [act, old, new], view, **events)
    return act, view


def follow_answers(
    assistant: Assistant, markdown: Any, parts: tuple[Any, Any], events: dict[str, Any]
) -> None:
    """After an answer that cites an act held in several editions, the compare view shows
    that act's comparison (the Sources tab, "Compare editions")."""
    act, view = parts

    def follow(text: str | None) -> tuple[Any, Any]:
        found = answered_act(clean(text or ""), comparable_acts(assistant.sources()))
        if found is None:
            return gr.skip(), gr.skip()
        return gr.Dropdown(value=found), show(assistant, found, None, None)

    markdown.change(follow, markdown, [act, view], **events)

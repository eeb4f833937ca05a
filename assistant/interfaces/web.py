"""The web chat: a Gradio app over `Assistant` (the only module that imports gradio).

Source text and user text reach the page only through `html.escape`, inside one-line HTML
blocks: the chat's Markdown renderer passes such a block through untouched, so neither HTML nor
Markdown in a source or a question is ever interpreted. Gradio's own sanitizer stays on too.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gr_api

from assistant.api import Assistant
from assistant.errors import AssistantError, ConfigError
from assistant.interfaces.watch import IndexStatus, SourceWatcher
from assistant.schema import Answer, IndexReport, Passage, SourceInfo

SCOPES: dict[str, list[str] | None] = {
    "All sources": None,
    "Resolutions": ["resolution", "decision"],
    "Commentary": ["commentary"],
}
EXAMPLES = [
    "Who can take part in CWG-Internet?",
    "What did the conference decide about counterfeit devices?",
    "What happened to India's proposal?",
    "Was the Plenipot a success for the Internet?",
]
UPLOAD_TYPES = [".pdf", ".txt", ".md", ".html", ".htm", ".docx"]
CONTEXT_CHARS = 500  # a paragraph longer than this on either side of the quote is cut

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MARKER = re.compile(r"\[(\d+)\]")

# -- rendering (pure) ---------------------------------------------------------------------


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


def passage_html(text: str, start: int, end: int, *, limit: int = CONTEXT_CHARS) -> str:
    """The paragraph around `text[start:end]`, escaped, with that quote in <mark>."""
    low, high = paragraph_bounds(text, start, end)
    start, end = max(low, min(start, high)), max(low, min(end, high))
    head = tail = ""
    if start - low > limit:
        space = text.find(" ", start - limit, start)
        low, head = (space + 1 if space >= 0 else start - limit), "… "
    if high - end > limit:
        space = text.rfind(" ", end, end + limit)
        high, tail = (space if space >= 0 else end + limit), " …"
    return (
        f"{head}{text_html(text[low:start])}<mark>{text_html(text[start:end])}</mark>"
        f"{text_html(text[end:high])}{tail}"
    )


def _reference(attrs: str, marker: str, title: str, locator: str, body: str) -> str:
    return (
        f'<details {attrs}><summary>{marker}<span class="ref-title">{text_html(title)}'
        f"</span> — {text_html(locator)}</summary>"
        f'<blockquote class="passage">{body}</blockquote></details>'
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
        for c in answer.citations:
            full = source_text(c.source)
            body = (
                passage_html(full, c.start, c.end)
                if full and full[c.start : c.end] == c.quote
                else f"<mark>{text_html(c.quote)}</mark>"
            )
            parts.append(
                _reference(
                    f'class="ref" id="{uid}-{c.marker}"', f"[{c.marker}] ", c.title, c.locator, body
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
            parts.append(_reference('class="ref near"', "", p.title, p.locator, text_html(text)))
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
    lines += [
        '<ul class="failed">',
        *(f"<li><b>{text_html(name)}</b>: {text_html(why)}</li>" for name, why in report.failed),
        "</ul>",
    ]
    return "".join(lines) + "</div>"


def merge_reports(
    reports: Sequence[IndexReport], refused: Sequence[tuple[str, str]] = ()
) -> IndexReport:
    """One report for several syncs (one per uploaded file), plus files refused up front."""
    ids = {
        name: list(dict.fromkeys(i for r in reports for i in getattr(r, name)))
        for name in ("added", "updated", "removed", "unchanged")
    }
    ids["unchanged"] = [i for i in ids["unchanged"] if i not in ids["added"] + ids["updated"]]
    failed = list(dict.fromkeys([*refused, *(f for r in reports for f in r.failed)]))
    return IndexReport(
        **ids,
        failed=failed,
        seconds=sum(r.seconds for r in reports),
        chunks_embedded=sum(r.chunks_embedded for r in reports),
    )


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`user:password` as Gradio's auth pair; None or empty means no login."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not (sep and user and password):
        raise ConfigError("ASSISTANT_AUTH must look like `user:password`; unset it for no login")
    return user, password


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


@dataclass(frozen=True)
class Conversation:
    """One browser session's chat: what is shown, and the plain history the assistant reads."""

    shown: list[dict[str, str]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    markdown: str = ""


# -- the app ------------------------------------------------------------------------------


def build_app(assistant: Assistant, *, status: IndexStatus | None = None) -> gr.Blocks:
    """The Gradio app: chat, filters, sources panel, uploads, and the `/chat` API endpoint."""
    status = status or IndexStatus()
    private: dict[str, Any] = {"api_visibility": "private"}

    def panels() -> tuple[str, str, Any, int]:
        rows = assistant.sources()
        choices = [(s.title, s.id) for s in rows if s.parent is None]
        return (
            status_html(status, rows),
            sources_html(rows),
            gr.Dropdown(choices=choices),
            status.version,
        )

    def respond(
        message: str, convo: Conversation, scope: str, chosen: list[str] | None
    ) -> Iterator[tuple[Any, ...]]:
        if not (question := (message or "").strip()):
            gr.Warning("Type a question about the sources first.")
            yield (gr.skip(),) * 4
            return
        shown = [
            *convo.shown,
            {"role": "user", "content": block_html("question", question)},
            {"role": "assistant", "content": block_html("answer pending", "Searching…")},
        ]
        yield shown, convo, "", gr.skip()
        text, final = "", None
        try:
            for part in assistant.stream(
                question, history=convo.history, kinds=SCOPES.get(scope), sources=chosen or None
            ):
                if isinstance(part, Answer):
                    final = part
                    continue
                text += part
                shown[-1] = {"role": "assistant", "content": block_html("answer pending", text)}
                yield shown, convo, gr.skip(), gr.skip()
        except AssistantError as exc:
            shown[-1] = {"role": "assistant", "content": block_html("answer error", f"⚠ {exc}")}
            yield shown, replace(convo, shown=shown), gr.skip(), gr.skip()
            return
        assert final is not None
        uid = f"a{uuid.uuid4().hex[:10]}"  # unique in the page, so markers find their refs
        shown[-1] = {"role": "assistant", "content": answer_html(final, assistant.source_text, uid)}
        history = [
            *convo.history,
            {"role": "user", "content": question},
            {"role": "assistant", "content": final.text},
        ]
        markdown = final.to_markdown()
        yield shown, Conversation(shown, history, markdown), gr.skip(), markdown

    def pick_example(event: gr.SelectData) -> str:
        return str(event.value.get("text", "") if isinstance(event.value, dict) else event.value)

    # Gradio hands a progress tracker to a parameter whose default is gr.Progress().
    def reindex(progress: gr.Progress = gr.Progress()) -> tuple[str, str, Any, int]:  # noqa: B008
        with status.running():
            try:
                status.record(assistant.reindex(progress=_steps(progress)))
            except AssistantError as exc:
                status.record(error=str(exc))
                gr.Warning(str(exc))
        return panels()

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            return (gr.skip(),) * 5
        reports: list[IndexReport] = []
        refused: list[tuple[str, str]] = []
        with status.running():
            for path in map(Path, files):  # launch() has Gradio refuse files over the limit
                try:  # Gradio keeps the uploaded file's own name; add_source makes it safe
                    reports.append(
                        assistant.add_source(
                            path, name=path.name, progress=_steps(progress, path.name)
                        )
                    )
                except AssistantError as exc:
                    refused.append((path.name, str(exc)))
            status.record(report := merge_reports(reports, refused))
        if report.failed:
            gr.Warning(f"{len(report.failed)} file(s) could not be indexed; see the list below.")
        return (*panels(), None)

    def poll(version: int) -> tuple[Any, ...]:
        return (gr.skip(),) * 4 if version == status.version else panels()

    def chat(message: str) -> str:
        """Answer from the sources: the text with [n] markers, then numbered references."""
        try:
            return assistant.ask(message).to_markdown()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    app = gr.Blocks(title="Plenipot 2014 sources assistant", analytics_enabled=False)
    with app:
        convo, seen = gr.State(Conversation()), gr.State(0)
        gr.Markdown(
            "## Ask the sources: ITU Plenipotentiary Conference, Busan 2014\n"
            "Every answer cites its sources; click a marker such as **[1]** to see "
            "the quoted passage in its paragraph."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="chat",
                        label="Answers",
                        height=560,
                        layout="panel",
                        sanitize_html=True,
                        latex_delimiters=[],
                        feedback_options=None,
                        buttons=[],
                        examples=[{"text": q} for q in EXAMPLES],
                        placeholder="Answers appear here with numbered references. Try one:",
                    )
                    with gr.Row():
                        message = gr.Textbox(
                            elem_id="question",
                            show_label=False,
                            scale=5,
                            max_lines=6,
                            placeholder="Ask about the conference or its resolutions…",
                        )
                        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    with gr.Accordion("Copy the last answer as Markdown", open=False):
                        markdown = gr.Textbox(
                            elem_id="answer-markdown",
                            show_label=False,
                            lines=6,
                            interactive=False,
                            buttons=["copy"],
                        )
                with gr.Column(scale=1, min_width=240):
                    scope = gr.Radio(
                        list(SCOPES), value="All sources", label="Search in", elem_id="scope"
                    )
                    chosen = gr.Dropdown(
                        choices=[],
                        value=[],
                        multiselect=True,
                        label="Only these sources",
                        elem_id="only-sources",
                        info="Empty: every source in scope.",
                    )
            with gr.Tab("Sources", id="sources"):
                status_box = gr.HTML(elem_id="index-status")
                rebuild = gr.Button("Re-index", elem_id="reindex", size="sm")
                table = gr.HTML(elem_id="sources-table")
                files = gr.File(
                    elem_id="upload",
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    label=f"Add documents (pdf, txt, md, html, docx; at most "
                    f"{assistant.settings.max_upload_mb:g} MB each), stored in sources/",
                )
        panel_outputs = [status_box, table, chosen, seen]
        chat_in, chat_out = [message, convo, scope, chosen], [chatbot, convo, message, markdown]
        message.submit(respond, chat_in, chat_out, **private)
        ask.click(respond, chat_in, chat_out, **private)
        chatbot.example_select(pick_example, None, message, **private).then(
            respond, chat_in, chat_out, **private
        )
        # The chat's own clear button starts a new conversation.
        chatbot.clear(lambda: (Conversation(), ""), None, [convo, markdown], **private)
        rebuild.click(
            reindex, None, panel_outputs, concurrency_id="index", concurrency_limit=1, **private
        )
        # Callable by API clients too (as the page can), but left out of the API page.
        files.upload(
            upload,
            files,
            [*panel_outputs, files],
            concurrency_id="index",
            concurrency_limit=1,
            api_name="upload",
            api_visibility="undocumented",
        )
        app.load(panels, None, panel_outputs, **private)
        # Re-indexing by other sessions or the watcher shows up within seconds.
        gr.Timer(3.0).tick(
            poll, seen, panel_outputs, queue=False, show_progress="hidden", **private
        )
        gr_api(chat, api_name="chat")
    return app


def _steps(progress: gr.Progress, prefix: str = "") -> Callable[[int, int, str], None]:
    return lambda done, total, message: progress(
        (done, total) if total > 0 else None, desc=f"{prefix}: {message}" if prefix else message
    )


CSS = """
#chat .answer.error, .failed { color: #b91c1c; }
#chat .notice { font-style: italic; margin-top: .4em; }  #chat .refs-head { margin: .4em 0; }
#chat .refs { margin-top: .6em; border-top: 1px solid var(--border-color-primary); }
#chat a.cite, #chat .refs-head, #chat .ref-title { font-weight: 600; text-decoration: none; }
#chat details.ref { margin: .25em 0; padding: .1em .5em; border-left: 3px solid #cbd5e1; }
#chat details.ref[open] { border-left-color: #d97706; }  #chat summary { cursor: pointer; }
#chat blockquote.passage { margin: .3em 0 .3em .2em; font-size: .95em; }
#chat mark { background: #fde68a; color: #111827; padding: 0 2px; }
#chat details.ref.flash { animation: cite-flash 1.6s ease-out; }
@keyframes cite-flash { from { box-shadow: 0 0 0 3px #60a5fa; } to { box-shadow: none; } }
table.sources { width: 100%; } table.sources th, table.sources td { text-align: left; }
table.sources tr.child td:first-child { padding-left: 2em; }  #chat .pending { opacity: .7; }
"""

# One click on a marker opens its reference, scrolls to it and flashes it. Markers are plain
# `#id` links: Gradio's sanitizer keeps ids and fragment links, drops data-* and on* attributes.
HEAD = """<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.cite") : null;
  var target = link && document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault(); event.stopPropagation();
  target.open = true; target.scrollIntoView({block: "nearest", behavior: "smooth"});
  target.classList.remove("flash"); void target.offsetWidth; target.classList.add("flash");
}, true);
</script>"""


def launch(
    app: gr.Blocks,
    *,
    host: str,
    port: int,
    auth: str | None = None,
    max_upload_mb: float = 20.0,
    block: bool = True,
) -> str:
    """Queue and start `app`; returns its local URL (after it stops, if `block`)."""
    app.queue(default_concurrency_limit=2, max_size=32)  # two cores: two answers at a time
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        auth=parse_auth(auth),
        auth_message="Log in to ask the sources.",
        max_file_size=int(max_upload_mb * 2**20),
        prevent_thread_lock=not block,
        show_error=True,
        quiet=not block,
        ssr_mode=False,
        footer_links=["api"],
        css=CSS,
        head=HEAD,
    )
    return str(url)


def serve(
    assistant: Assistant, *, host: str, port: int, auth: str | None, watch: bool = False
) -> None:
    """Serve the web chat until interrupted; with `watch`, re-index on changes in sources/."""
    status = IndexStatus(watching=watch)
    app = build_app(assistant, status=status)
    watcher = SourceWatcher(assistant, status=status)
    if watch:
        watcher.start()
    try:
        launch(app, host=host, port=port, auth=auth, max_upload_mb=assistant.settings.max_upload_mb)
    finally:
        watcher.stop()

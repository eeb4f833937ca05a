"""The web chat: a Gradio app over `Assistant` (the only module that imports gradio).

Source text and user text reach the page only through `html.escape`, inside one-line HTML
blocks: the chat's Markdown renderer passes such a block through untouched, so neither HTML nor
Markdown in a source or a question is ever interpreted. Gradio's own sanitizer stays on too.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gr_api

from assistant.api import Assistant
from assistant.config import Settings
from assistant.errors import AssistantError, ConfigError
from assistant.schema import Answer, IndexReport, SourceInfo

logger = logging.getLogger(__name__)

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
SourceText = Callable[[str], str | None]
Messages = list[dict[str, str]]

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MARKER = re.compile(r"\[(\d+)\]")

# -- rendering (pure) ---------------------------------------------------------------------


def text_html(text: str) -> str:
    """`text` as HTML showing exactly those characters, on one line, line breaks kept."""
    return html.escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The blank-line-separated block of `text` that encloses `text[start:end]`."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    low = 0
    for match in _BLANK_LINE.finditer(text, 0, start):
        low = match.end()
    after = _BLANK_LINE.search(text, end)
    high = after.start() if after else len(text)
    while low < start and text[low].isspace():
        low += 1
    while high > end and text[high - 1].isspace():
        high -= 1
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
    return (f"{head}{text_html(text[low:start])}<mark>{text_html(text[start:end])}</mark>"
            f"{text_html(text[end:high])}{tail}")


def question_html(question: str) -> str:
    """A user's message, shown as text."""
    return f'<div class="question">{text_html(question)}</div>'


def pending_html(text: str = "") -> str:
    """An answer still being written."""
    shown = text_html(text) if text else "Searching the sources…"
    return f'<div class="answer pending">{shown}</div>'


def error_html(message: str) -> str:
    """A failure explained in the chat."""
    return f'<div class="answer error">⚠ {text_html(message)}</div>'


def answer_html(answer: Answer, source_text: SourceText, uid: str) -> str:
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
        parts.append(f'<div class="notice">{text_html(answer.notice)}</div>')
    if answer.citations:
        parts.append('<div class="refs"><div class="refs-head">References</div>')
        for c in answer.citations:
            full = source_text(c.source)
            body = (passage_html(full, c.start, c.end) if full and full[c.start:c.end] == c.quote
                    else f"<mark>{text_html(c.quote)}</mark>")
            parts.append(
                f'<details class="ref" id="{uid}-{c.marker}"><summary>'
                f'<span class="ref-n">[{c.marker}]</span> <b>{text_html(c.title)}</b> — '
                f'<span class="loc">{text_html(c.locator)}</span></summary>'
                f'<blockquote class="passage">{body}</blockquote></details>')
        parts.append("</div>")
    elif answer.abstained and answer.passages:
        parts.append('<div class="refs"><div class="refs-head">Closest sources '
                     "(they do not answer the question)</div>")
        seen: set[tuple[str, str]] = set()
        for p in answer.passages:
            if (p.source, p.locator) in seen or len(seen) == 3:
                continue
            seen.add((p.source, p.locator))
            parts.append(
                f'<details class="ref near"><summary><b>{text_html(p.title)}</b> — '
                f'<span class="loc">{text_html(p.locator)}</span></summary>'
                f'<blockquote class="passage">{text_html(_shorten(p.text))}</blockquote>'
                "</details>")
        parts.append("</div>")
    return "".join(parts)


def _shorten(text: str, limit: int = 2 * CONTEXT_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def sources_html(rows: Sequence[SourceInfo]) -> str:
    """The indexed sources as a table; resolutions are indented under their final-acts file."""
    if not rows:
        return '<p class="empty">No sources are indexed yet. Upload a document below.</p>'
    lines = ['<table class="sources"><thead><tr><th>Title</th><th>Kind</th><th>Chunks</th>'
             "<th>File</th></tr></thead><tbody>"]
    for row in rows:
        child = row.parent is not None
        title = ("↳ " if child else "") + text_html(row.title)
        lines.append(f'<tr class="{"child" if child else "file"}"><td>{title}</td>'
                     f"<td>{text_html(row.kind)}</td><td>{row.chunks}</td>"
                     f"<td>{'' if child else text_html(row.id)}</td></tr>")
    lines.append("</tbody></table>")
    return "".join(lines)


def report_html(report: IndexReport) -> str:
    """What one re-index or upload did, failures with their reasons."""
    counts = (f"{len(report.added)} added, {len(report.updated)} updated, "
              f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, "
              f"{len(report.failed)} failed; {report.chunks_embedded} chunks embedded "
              f"in {report.seconds:.1f} s.")
    lines = [f'<div class="report">Last re-index: {counts}']
    for label, ids in (("Added", report.added), ("Updated", report.updated),
                       ("Removed", report.removed)):
        if ids:
            lines.append(f"<div>{label}: {', '.join(text_html(i) for i in ids)}</div>")
    if report.failed:
        lines.append('<ul class="failed">')
        lines.extend(f"<li><b>{text_html(name)}</b>: {text_html(reason)}</li>"
                     for name, reason in report.failed)
        lines.append("</ul>")
    lines.append("</div>")
    return "".join(lines)


def merge_reports(reports: Sequence[IndexReport],
                  failed: Sequence[tuple[str, str]] = ()) -> IndexReport:
    """One report for several syncs (one per uploaded file), plus files refused up front."""
    def union(name: str) -> list[str]:
        return list(dict.fromkeys(i for r in reports for i in getattr(r, name)))

    added, updated, removed = union("added"), union("updated"), union("removed")
    return IndexReport(
        added=added, updated=updated, removed=removed,
        unchanged=[i for i in union("unchanged") if i not in {*added, *updated, *removed}],
        failed=list(dict.fromkeys([*failed, *(f for r in reports for f in r.failed)])),
        chunks_embedded=sum(r.chunks_embedded for r in reports),
        seconds=sum(r.seconds for r in reports))


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`user:password` as Gradio's auth pair; None or empty means no login."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not (sep and user and password):
        raise ConfigError("ASSISTANT_AUTH must look like `user:password`; unset it for no login")
    return user, password


# -- state shared by sessions -------------------------------------------------------------


class IndexStatus:
    """The last index report, shared by every session and the background watcher."""

    def __init__(self, *, watching: bool = False) -> None:
        self.watching = watching
        self._lock = threading.Lock()
        self.version = 0
        self.busy = False
        self.report: IndexReport | None = None
        self.error: str | None = None

    def start(self) -> None:
        """A re-index has begun."""
        with self._lock:
            self.busy, self.version = True, self.version + 1

    def record(self, report: IndexReport | None = None, error: str | None = None) -> None:
        """A re-index has ended with `report`, or failed with `error`."""
        with self._lock:
            self.busy, self.version = False, self.version + 1
            self.report, self.error = (report or self.report), error

    def html(self, rows: Sequence[SourceInfo]) -> str:
        """The status line of the sources panel."""
        files = [r for r in rows if r.parent is None]
        acts = len(rows) - len(files)
        lines = [f'<div class="status"><b>{len(files)} files</b>'
                 + (f", {acts} resolutions and decisions" if acts else "")
                 + f", {sum(r.chunks for r in files)} chunks indexed."]
        if self.busy:
            lines.append(" Re-indexing…")
        if self.watching:
            lines.append(" Files added to, changed in or removed from sources/ are re-indexed "
                         "automatically.")
        if self.error:
            lines.append(f'<div class="failed">Re-index failed: {text_html(self.error)}</div>')
        if self.report:
            lines.append(report_html(self.report))
        lines.append("</div>")
        return "".join(lines)


@dataclass(frozen=True)
class Conversation:
    """One browser session's chat: what is shown, and the plain history the assistant reads."""

    shown: Messages = field(default_factory=list)
    history: Messages = field(default_factory=list)
    markdown: str = ""


# -- the app ------------------------------------------------------------------------------


def build_app(assistant: Assistant, *, status: IndexStatus | None = None) -> gr.Blocks:
    """The Gradio app: chat, filters, sources panel, uploads, and the `/chat` API endpoint."""
    status = status or IndexStatus()
    limit_mb = assistant.settings.max_upload_mb
    private: dict[str, Any] = {"api_visibility": "private"}

    def source_choices() -> list[tuple[str, str]]:
        return [(s.title, s.id) for s in assistant.sources() if s.parent is None]

    def panels() -> tuple[str, str, Any, int]:
        rows = assistant.sources()
        choices = [(s.title, s.id) for s in rows if s.parent is None]
        return status.html(rows), sources_html(rows), gr.Dropdown(choices=choices), status.version

    def respond(message: str, convo: Conversation, scope: str,
                chosen: list[str] | None) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            gr.Warning("Type a question about the sources first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        shown = [*convo.shown, {"role": "user", "content": question_html(question)},
                 {"role": "assistant", "content": pending_html()}]
        yield shown, convo, "", gr.skip()
        text, final = "", None
        try:
            for part in assistant.stream(question, history=convo.history,
                                         kinds=SCOPES.get(scope), sources=chosen or None):
                if isinstance(part, Answer):
                    final = part
                else:
                    text += part
                    shown[-1] = {"role": "assistant", "content": pending_html(text)}
                    yield shown, convo, gr.skip(), gr.skip()
        except AssistantError as exc:
            shown[-1] = {"role": "assistant", "content": error_html(str(exc))}
            yield shown, replace(convo, shown=shown), gr.skip(), gr.skip()
            return
        assert final is not None
        uid = f"a{uuid.uuid4().hex[:10]}"
        shown[-1] = {"role": "assistant", "content": answer_html(final, assistant.source_text, uid)}
        history = [*convo.history, {"role": "user", "content": question},
                   {"role": "assistant", "content": final.text}]
        markdown = final.to_markdown()
        yield shown, Conversation(shown, history, markdown), gr.skip(), markdown

    def pick_example(event: gr.SelectData) -> str:
        value = event.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value)

    def reindex(progress: gr.Progress = gr.Progress()) -> tuple[str, str, Any, int]:  # noqa: B008 - Gradio finds progress by its default
        status.start()
        try:
            report = assistant.reindex(progress=_progress_to(progress))
        except AssistantError as exc:
            status.record(error=str(exc))
            gr.Warning(str(exc))
        else:
            status.record(report)
        return panels()

    def upload(files: list[str] | None,
               progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 - as above
        if not files:
            return (gr.skip(),) * 5
        reports: list[IndexReport] = []
        refused: list[tuple[str, str]] = []
        status.start()
        for number, file in enumerate(files, 1):
            path = Path(file)
            megabytes = path.stat().st_size / 2**20
            if megabytes > limit_mb:
                refused.append((path.name, f"{megabytes:.1f} MB is over the upload limit of "
                                           f"{limit_mb:g} MB"))
                continue
            try:
                reports.append(assistant.add_source(
                    path, name=path.name,
                    progress=_progress_to(progress, f"{path.name} ({number}/{len(files)})")))
            except AssistantError as exc:
                refused.append((path.name, str(exc)))
        report = merge_reports(reports, refused)
        status.record(report)
        if report.failed:
            gr.Warning(f"{len(report.failed)} file(s) could not be indexed; see the list below.")
        return (*panels(), None)

    app = gr.Blocks(title="Plenipot 2014 sources assistant", analytics_enabled=False)
    with app:
        convo = gr.State(Conversation())
        seen = gr.State(0)
        gr.Markdown("## Ask the sources: ITU Plenipotentiary Conference, Busan 2014\n"
                    "Every answer cites its sources; click a marker such as **[1]** to see "
                    "the quoted passage in its paragraph.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="chat", label="Answers", height=560, layout="panel",
                        sanitize_html=True, latex_delimiters=[], render_markdown=True,
                        feedback_options=None, buttons=[],
                        placeholder="Answers appear here, each with its numbered "
                                    "references. Try an example:",
                        examples=[{"text": q} for q in EXAMPLES])
                    with gr.Row():
                        message = gr.Textbox(
                            elem_id="question", show_label=False, scale=5, max_lines=6,
                            placeholder="Ask about the conference or its resolutions…")
                        ask = gr.Button("Ask", variant="primary", scale=1,
                                        elem_id="ask")
                    with gr.Row():
                        clear = gr.Button("New conversation", size="sm")
                    with gr.Accordion("Copy the last answer as Markdown", open=False):
                        markdown = gr.Textbox(elem_id="answer-markdown", show_label=False,
                                              lines=6, interactive=False,
                                              buttons=["copy"])
                with gr.Column(scale=1, min_width=240):
                    scope = gr.Radio(list(SCOPES), value="All sources", label="Search in")
                    chosen = gr.Dropdown(choices=source_choices(), multiselect=True,
                                         value=[], label="Only these sources",
                                         info="Empty: every source in scope.")
            with gr.Tab("Sources", id="sources"):
                status_box = gr.HTML(elem_id="index-status")
                with gr.Row():
                    refresh = gr.Button("Refresh", size="sm")
                    rebuild = gr.Button("Re-index", elem_id="reindex", size="sm")
                table = gr.HTML(elem_id="sources-table")
                files = gr.File(
                    elem_id="upload", file_count="multiple", file_types=UPLOAD_TYPES,
                    label=f"Add documents (pdf, txt, md, html, docx; at most {limit_mb:g} MB "
                          "each): they are stored in sources/ and indexed")
        panel_outputs = [status_box, table, chosen, seen]
        chat_in = [message, convo, scope, chosen]
        chat_out = [chatbot, convo, message, markdown]
        message.submit(respond, chat_in, chat_out, **private)
        ask.click(respond, chat_in, chat_out, **private)
        chatbot.example_select(pick_example, None, message, **private).then(
            respond, chat_in, chat_out, **private)
        clear.click(lambda: ([], Conversation(), ""), None, [chatbot, convo, markdown],
                    **private)
        chatbot.clear(lambda: (Conversation(), ""), None, [convo, markdown], **private)
        rebuild.click(reindex, None, panel_outputs, concurrency_id="index",
                      concurrency_limit=1, **private)
        # Callable by API clients too (as the page can), but left out of the API page.
        files.upload(upload, files, [*panel_outputs, files], concurrency_id="index",
                     concurrency_limit=1, api_name="upload", api_visibility="undocumented")
        refresh.click(panels, None, panel_outputs, **private)
        app.load(panels, None, panel_outputs, **private)

        def poll(version: int) -> tuple[Any, ...]:
            return (gr.skip(),) * 4 if version == status.version else panels()

        gr.Timer(3.0).tick(poll, seen, panel_outputs, queue=False, show_progress="hidden",
                           **private)

        def chat(message: str) -> str:
            """Answer from the sources: the text with [n] markers, then numbered references."""
            try:
                return assistant.ask(message).to_markdown()
            except AssistantError as exc:
                raise gr.Error(str(exc)) from None

        gr_api(chat, api_name="chat")
    return app


def _progress_to(progress: gr.Progress, prefix: str = "") -> Callable[[int, int, str], None]:
    def report(done: int, total: int, message: str) -> None:
        text = f"{prefix}: {message}" if prefix else message
        progress((done, total) if total > 0 else None, desc=text)

    return report


CSS = """
#chat .question, #chat .answer { white-space: normal; }
#chat .answer.pending { opacity: .7; }
#chat .answer.error { color: #b91c1c; }
#chat .notice { font-style: italic; margin-top: .4em; }
#chat a.cite { text-decoration: none; font-weight: 600; padding: 0 1px; }
#chat .refs { margin-top: .6em; border-top: 1px solid var(--border-color-primary); }
#chat .refs-head { font-weight: 600; margin: .4em 0 .2em; }
#chat details.ref { margin: .25em 0; padding: .1em .5em; border-left: 3px solid #cbd5e1; }
#chat details.ref summary { cursor: pointer; font-size: .95em; }
#chat details.ref summary b { font-weight: 600; font-size: inherit; }
#chat details.ref[open] { border-left-color: #d97706; }
#chat blockquote.passage { margin: .3em 0 .3em .2em; font-size: .95em; }
#chat mark, #sources-table mark { background: #fde68a; color: #111827; padding: 0 2px; }
#chat details.ref.flash { animation: cite-flash 1.6s ease-out; }
@keyframes cite-flash { from { background: #fde68a; } to { background: transparent; } }
table.sources { width: 100%; border-collapse: collapse; }
table.sources th, table.sources td { text-align: left; padding: .25em .5em;
  border-bottom: 1px solid var(--border-color-primary); }
table.sources tr.child td:first-child { padding-left: 2em; }
.failed { color: #b91c1c; }
"""

# One click on a marker opens its reference, scrolls to it and flashes it. Markers are plain
# `#id` links because Gradio's sanitizer keeps ids and fragment links but drops data-* and
# event attributes.
HEAD = """<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.cite") : null;
  if (!link) return;
  var target = document.getElementById((link.getAttribute("href") || "").slice(1));
  if (!target) return;
  event.preventDefault();
  event.stopPropagation();
  target.open = true;
  target.scrollIntoView({block: "nearest", behavior: "smooth"});
  target.classList.remove("flash");
  void target.offsetWidth;
  target.classList.add("flash");
}, true);
</script>"""


def launch(app: gr.Blocks, *, host: str, port: int, auth: str | None = None,
           max_upload_mb: float = 20.0, block: bool = True) -> str:
    """Queue and start `app`; returns its local URL (after it stops, if `block`)."""
    app.queue(default_concurrency_limit=2, max_size=32)  # two cores: two answers at a time
    _, url, _ = app.launch(
        server_name=host, server_port=port, auth=parse_auth(auth),
        auth_message="Log in to ask the sources.", max_file_size=int(max_upload_mb * 2**20),
        prevent_thread_lock=not block, show_error=True, quiet=not block, ssr_mode=False,
        footer_links=["api"], css=CSS, head=HEAD)
    return str(url)


def serve(assistant: Assistant, *, host: str, port: int, auth: str | None,
          watch: bool = False) -> None:
    """Serve the web chat until interrupted; with `watch`, re-index on changes in sources/."""
    from assistant.watch import SourceWatcher

    status = IndexStatus(watching=watch)
    app = build_app(assistant, status=status)
    watcher = (SourceWatcher(assistant, on_start=status.start, on_report=status.record,
                             on_error=lambda error: status.record(error=error))
               if watch else None)
    if watcher:
        watcher.start()
    try:
        launch(app, host=host, port=port, auth=auth,
               max_upload_mb=assistant.settings.max_upload_mb)
    finally:
        if watcher:
            watcher.stop()


def main() -> None:
    """`python -m assistant.web`: serve the sources and index named by the settings."""
    import argparse

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.model_validate({})  # reads the ASSISTANT_* environment
    parser = argparse.ArgumentParser(description="Serve the web chat.")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--watch", action="store_true", help="re-index when sources/ changes")
    args = parser.parse_args()
    assistant = Assistant.open(settings=settings)
    try:
        serve(assistant, host=args.host, port=args.port, auth=settings.auth, watch=args.watch)
    finally:
        assistant.close()


if __name__ == "__main__":
    main()

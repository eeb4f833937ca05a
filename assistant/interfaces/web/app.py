"""The web chat: the Gradio app over `Assistant`, and serving it (the only module importing gradio).

The page's HTML comes from `render`, its stylesheet and script from `assets`; the file types
offered for upload come from the loader registry, so a registered format can be uploaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gr_api

from assistant.api import Assistant
from assistant.config import parse_auth
from assistant.errors import AssistantError
from assistant.ingest.loaders import accepted_suffixes, format_labels
from assistant.interfaces.watch import IndexStatus, SourceWatcher
from assistant.interfaces.web.assets import CSS, HEAD
from assistant.interfaces.web.render import (
    answer_html,
    block_html,
    sources_html,
    status_html,
    upload_label,
)
from assistant.schema import Answer, IndexReport

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


@dataclass(frozen=True)
class Conversation:
    """One browser session's chat: what is shown, and the plain history the assistant reads."""

    shown: list[dict[str, str]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    markdown: str = ""


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
        report = IndexReport()
        with status.running():
            for path in map(Path, files):  # launch() has Gradio refuse files over the limit
                try:  # Gradio keeps the uploaded file's own name; add_source makes it safe
                    done = assistant.add_source(
                        path, name=path.name, progress=_steps(progress, path.name)
                    )
                except AssistantError as exc:  # refused before indexing: a bad name, say
                    done = IndexReport(failed=[(path.name, str(exc))])
                report = report.merge(done)
            status.record(report)
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
                    file_types=accepted_suffixes(),  # Gradio refuses any other type
                    label=upload_label(format_labels(), assistant.settings.max_upload_mb),
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


def launch(
    app: gr.Blocks,
    *,
    host: str,
    port: int,
    auth: tuple[str, str] | None = None,
    max_upload_mb: float = 20.0,
    block: bool = True,
) -> str:
    """Queue and start `app`, behind a login if `auth` is a (user, password) pair.

    Returns the local URL (once the server stops, if `block`).
    """
    app.queue(default_concurrency_limit=2, max_size=32)  # two cores: two answers at a time
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
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
    """Serve the web chat until interrupted; with `watch`, re-index on changes in sources/.

    `auth` is the `ASSISTANT_AUTH` setting, `user:password` (Settings has checked its form).
    """
    status = IndexStatus(watching=watch)
    app = build_app(assistant, status=status)
    watcher = SourceWatcher(assistant, status=status)
    if watch:
        watcher.start()
    try:
        launch(
            app,
            host=host,
            port=port,
            auth=parse_auth(auth),
            max_upload_mb=assistant.settings.max_upload_mb,
        )
    finally:
        watcher.stop()

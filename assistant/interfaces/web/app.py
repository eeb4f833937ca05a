"""The web chat: the Gradio app over `Assistant`, and serving it (the only module importing gradio).

The page's HTML comes from `render`, its stylesheet and script from `assets`; the file types
offered for upload come from the loader registry, so a registered format can be uploaded.
Every value an event brings is cleaned (`inputs`) before use; answers wait for a slot in
`admission` (a full waiting room answers "busy"); `guards` checks each request before Gradio;
`uploads` removes Gradio's temporary upload files.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gr_api
from gradio.utils import get_upload_folder

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.ingest.corpus import DESCRIBED
from assistant.ingest.loaders import accepted_suffixes, format_labels
from assistant.interfaces.conversations import ConversationStore
from assistant.interfaces.watch import IndexStatus
from assistant.interfaces.web.admission import Admission, Busy, in_threads
from assistant.interfaces.web.inputs import clean
from assistant.interfaces.web.render import (
    answer_html,
    block_html,
    indexed_summary,
    sources_html,
    status_html,
    upload_label,
)
from assistant.interfaces.web.ui import conversations as conversations_ui
from assistant.interfaces.web.ui.compare import compare_view, follow_answers
from assistant.interfaces.web.uploads import discard, discard_leaks, sweep
from assistant.schema import Answer, IndexReport

# Gradio jobs beyond the questions admitted (running or waiting): the page's small events and
# questions Gradio's dispatcher has not yet handed over (it does so within milliseconds).
QUEUE_HEADROOM = 16

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
    turns: list[tuple[str, Answer]] = field(default_factory=list)  # what is saved and exported
    id: str = ""  # its id in the saved conversations ("" until its first answer is saved)


def build_app(
    assistant: Assistant,
    *,
    status: IndexStatus | None = None,
    uploads: Path | None = None,
    admission: Admission | None = None,
    store: ConversationStore | None = None,
) -> gr.Blocks:
    """The Gradio app: chat, filters, sources panel, uploads, and the `/chat` API endpoint.

    Its queue and answer slots are sized by `assistant.settings` (`web_concurrency`,
    `web_queue_size`). `uploads` is a folder the app owns for Gradio's upload files (set before
    the components are made, as GRADIO_TEMP_DIR); abandoned files in it are swept.
    `admission` limits answers (one sized by the settings if None). `store` keeps the
    conversations (default: `conversations.sqlite` in the index folder).
    """
    status = status or IndexStatus()
    settings = assistant.settings
    if uploads is not None:
        uploads.mkdir(parents=True, exist_ok=True)
        os.environ["GRADIO_TEMP_DIR"] = str(uploads)  # read by Gradio when it makes parts
    # `admission` may be shared with the HTTP API served beside the page.
    admission = admission or Admission(
        slots=settings.web_concurrency, max_waiting=settings.web_queue_size
    )
    private: dict[str, Any] = {"api_visibility": "private"}
    answers: dict[str, Any] = {"concurrency_limit": None}  # `admission` limits them instead

    def panels() -> tuple[str, str, Any, int, Any]:
        rows = assistant.sources()
        choices = [(s.title, s.id) for s in rows if s.parent is None]
        # The filter offers each resolution and decision under its final-acts file.
        scoped = [(f"↳ {s.title}" if s.parent else s.title, s.id) for s in rows]
        return (
            status_html(status, rows),
            sources_html(rows),
            gr.Dropdown(choices=scoped),
            status.version,
            gr.Dropdown(choices=choices, value=None),
        )

    def pick(source: str | None) -> tuple[Any, ...]:
        rows = {r.id: r for r in assistant.sources() if r.parent is None}
        row = rows.get(clean(source or ""))
        hidden = gr.Row(visible=False)
        return (row.title, row.kind, hidden) if row else ("", "", hidden)

    def describe(source: str | None, *values: str) -> tuple[Any, ...]:
        # An empty box keeps the field as it is.
        fields = dict(zip(DESCRIBED, (clean(v or "").strip() or None for v in values), strict=True))
        with status.running():
            try:
                status.record(assistant.describe_source(clean(source or ""), **fields))
            except AssistantError as exc:
                status.record(error=str(exc))
                gr.Warning(str(exc))
        return panels()

    def confirm(source: str | None) -> tuple[Any, str]:
        if not source:
            gr.Warning("Choose a source to remove first.")
            return gr.Row(visible=False), ""
        return gr.Row(visible=True), f"Delete **{clean(source)}** from sources/ and the index?"

    def remove(source: str | None) -> tuple[Any, ...]:
        with status.running():
            try:
                status.record(assistant.remove_source(clean(source or "")))
            except AssistantError as exc:
                status.record(error=str(exc))
                gr.Warning(str(exc))
        return (*panels(), gr.Row(visible=False))

    async def respond(
        message: str, convo: Conversation, scope: str, chosen: list[str] | None
    ) -> AsyncIterator[tuple[Any, ...]]:
        question, scope, sources = clean(((message or "").strip(), scope, chosen or []))
        if not question:
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
            async with admission.slot():
                parts = in_threads(
                    lambda: assistant.stream(
                        question,
                        history=clean(convo.history),
                        kinds=SCOPES.get(scope),
                        sources=[s for s in sources if s] or None,
                    ),
                    pool=admission.pool,
                )
                async for part in parts:
                    if isinstance(part, Answer):
                        final = part
                        continue
                    text += part
                    shown[-1] = {"role": "assistant", "content": block_html("answer pending", text)}
                    yield shown, convo, gr.skip(), gr.skip()
        except AssistantError as exc:  # Busy too: the waiting room is full
            kind = "answer busy" if isinstance(exc, Busy) else "answer error"
            shown[-1] = {"role": "assistant", "content": block_html(kind, f"⚠ {exc}")}
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
        turns = [*convo.turns, (question, final)]
        yield shown, Conversation(shown, history, markdown, turns, convo.id), gr.skip(), markdown

    def pick_example(event: gr.SelectData) -> str:
        value = clean(event.value)
        return str(value.get("text", "") if isinstance(value, dict) else value)

    # Gradio hands a progress tracker to a parameter whose default is gr.Progress().
    def reindex(progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        with status.running():
            try:
                status.record(assistant.reindex(progress=_steps(progress)))
            except AssistantError as exc:
                status.record(error=str(exc))
                gr.Warning(str(exc))
        return panels()

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            return (gr.skip(),) * 6
        report, paths, began = IndexReport(), [Path(f) for f in files], time.time()
        try:
            with status.running():
                for path in paths:  # launch() has Gradio refuse files over the limit
                    # Gradio keeps the uploaded file's own name; add_source makes it safe.
                    name = clean(path.name)
                    try:
                        done = assistant.add_source(
                            path, name=name, progress=_steps(progress, name)
                        )
                    except AssistantError as exc:  # refused before indexing: a bad name, say
                        done = IndexReport(failed=[(name, str(exc))])
                    report = report.merge(done)
                status.record(report)
        finally:  # indexed or refused, the temporary copies are no longer needed
            discard(paths, root=Path(get_upload_folder()))
            if uploads is not None:
                discard_leaks(uploads, made_before=began)
                sweep(uploads)
        if report.failed:
            gr.Warning(f"{len(report.failed)} file(s) could not be indexed; see the list below.")
        for name, original in report.duplicates:
            gr.Info(f"{name} is already indexed as {original}; nothing was stored.")
        return (*panels(), None)

    def poll(version: int) -> tuple[Any, ...]:
        return (gr.skip(),) * 5 if version == status.version else panels()

    async def chat(message: str) -> str:
        """Answer from the sources: the text with [n] markers, then numbered references."""
        question = clean(message or "")
        try:
            async with admission.slot():
                answer = await admission.run(assistant.ask, question)
        except Busy as busy:  # an answer, not an error: the client may simply retry
            return str(busy)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None
        return answer.to_markdown()

    app = gr.Blocks(title="Plenipot 2014 sources assistant", analytics_enabled=False)
    with app:
        convo, seen = gr.State(Conversation()), gr.State(0)
        gr.Markdown(
            "## Ask the sources: ITU Plenipotentiary Conference, Busan 2014\n"
            "Every answer cites its sources; click a marker such as **[1]** to see "
            "the quoted passage in its paragraph."
        )
        indexed = gr.Markdown(elem_id="indexed")
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
                    panel = conversations_ui.build(
                        store or ConversationStore(settings.index),
                        convo=convo,
                        chatbot=chatbot,
                        render=lambda a, uid: answer_html(a, assistant.source_text, uid),
                        empty=Conversation,
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
                with gr.Accordion("Describe or remove a source", open=False):
                    managed = gr.Dropdown(choices=[], label="Source", elem_id="manage-source")
                    with gr.Row():
                        boxes = [
                            gr.Textbox(label=f.capitalize(), elem_id=f"describe-{f}")
                            for f in DESCRIBED
                        ]
                    with gr.Row():
                        save = gr.Button("Save description", elem_id="describe-save", size="sm")
                        ask_remove = gr.Button("Remove…", elem_id="remove", size="sm")
                    with gr.Row(visible=False) as confirm_row:
                        question = gr.Markdown(elem_id="remove-question")
                        really = gr.Button("Delete", variant="stop", elem_id="remove-confirm")
                        cancel = gr.Button("Cancel", elem_id="remove-cancel")
                compared = compare_view(assistant, private)
        panel_outputs = [status_box, table, chosen, seen, managed]
        index_job: dict[str, Any] = {"concurrency_id": "index", "concurrency_limit": 1}
        managed.change(pick, managed, [boxes[0], boxes[3], confirm_row], **private)
        save.click(describe, [managed, *boxes], panel_outputs, **index_job, **private)
        ask_remove.click(confirm, managed, [confirm_row, question], **private)
        cancel.click(lambda: gr.Row(visible=False), None, confirm_row, **private)
        really.click(remove, managed, [*panel_outputs, confirm_row], **index_job, **private)
        chat_in, chat_out = [message, convo, scope, chosen], [chatbot, convo, message, markdown]
        saving = (panel.after_answer, convo, [convo, *panel.outputs])
        message.submit(respond, chat_in, chat_out, **answers, **private).then(*saving, **private)
        ask.click(respond, chat_in, chat_out, **answers, **private).then(*saving, **private)
        chatbot.example_select(pick_example, None, message, **private).then(
            respond, chat_in, chat_out, **answers, **private
        ).then(*saving, **private)
        app.load(panel.listed, None, panel.saved, **private)
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
        follow_answers(assistant, markdown, compared, private)  # the act an answer cites
        app.load(panels, None, panel_outputs, **private)
        app.load(lambda: indexed_summary(assistant.sources()), None, indexed, **private)
        # Re-indexing by other sessions or the watcher shows up within seconds.
        gr.Timer(3.0).tick(
            poll, seen, panel_outputs, queue=False, show_progress="hidden", **private
        )
        gr_api(chat, api_name="chat", **answers)
    # Every admitted question is an active Gradio job while it runs or waits in `admission`,
    # and passes through Gradio's queue on its way there: both are sized to hold them all.
    jobs = settings.web_concurrency + settings.web_queue_size + QUEUE_HEADROOM
    app.queue(default_concurrency_limit=settings.web_concurrency, max_size=jobs)
    app.max_threads = jobs  # Gradio's limit on active jobs; launch() passes it on
    return app


def _steps(progress: gr.Progress, prefix: str = "") -> Callable[[int, int, str], None]:
    return lambda done, total, message: progress(
        (done, total) if total > 0 else None, desc=f"{prefix}: {message}" if prefix else message
    )

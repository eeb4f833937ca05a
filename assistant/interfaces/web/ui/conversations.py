"""The chat's saved conversations and downloads: a panel beside the chat (imports gradio).

Each answered question saves the conversation (`ConversationStore`, per login user) and writes
the exports of the last answer and of the whole conversation (Markdown, JSON, CSL-JSON, BibTeX)
as files to download. A saved conversation can be reopened (after a reload, or a restart of
the server), renamed, deleted and started anew.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import exports
from assistant.errors import AssistantError
from assistant.interfaces.conversations import ConversationStore
from assistant.interfaces.web.inputs import clean
from assistant.interfaces.web.render import block_html
from assistant.schema import Answer

EXPORTS_DIR = Path(tempfile.gettempdir()) / "assistant-exports"
EXPORTS_MAX_AGE = 3600.0  # seconds an export's files are kept for download

Render = Callable[[Answer, str], str]  # (answer, unique id) -> the answer's HTML


def user_of(request: gr.Request | None) -> str:
    """The login user of a request ("" without a login)."""
    return str(getattr(request, "username", None) or "")


def write_exports(turns: exports.Conversation, folder: Path = EXPORTS_DIR) -> list[str]:
    """Files of the last answer and of the conversation in each export format; older export
    folders are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_dir() and old.stat().st_mtime < time.time() - EXPORTS_MAX_AGE:
            shutil.rmtree(old, ignore_errors=True)
    if not turns:
        return []
    here = folder / uuid.uuid4().hex
    here.mkdir()
    answer = turns[-1][1]
    files = {
        "answer.md": exports.markdown(answer),
        "answer.json": exports.answer_json(answer),
        "answer.csl.json": json.dumps(exports.csl(answer), ensure_ascii=False, indent=2),
        "answer.bib": exports.bibtex(answer),
        "conversation.md": exports.conversation_markdown(turns),
        "conversation.json": exports.conversation_json(turns),
        "conversation.csl.json": json.dumps(
            exports.conversation_csl(turns), ensure_ascii=False, indent=2
        ),
        "conversation.bib": exports.conversation_bibtex(turns),
    }
    for name, text in files.items():
        (here / name).write_text(text, "utf-8")
    return [str(here / name) for name in files]


@dataclass
class ConversationsPanel:
    """The panel's components, and the handler to run after each answer."""

    saved: Any
    downloads: Any
    after_answer: Callable[..., tuple[Any, ...]]  # (state, request) -> state, saved, downloads
    listed: Callable[..., Any]  # (request) -> the saved conversations' dropdown

    @property
    def outputs(self) -> list[Any]:
        """What `after_answer` updates, after the conversation state."""
        return [self.saved, self.downloads]


def build(
    store: ConversationStore,
    *,
    convo: Any,
    chatbot: Any,
    render: Render,
    empty: Callable[[], Any],
) -> ConversationsPanel:
    """Make the panel (inside the page's Blocks) and wire its events.

    `convo` is the page's conversation state (with `turns`, `id`, `shown`, `history`),
    `render` draws a saved answer, `empty` makes a new conversation.
    """
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Accordion("Saved conversations", open=False, elem_id="conversations"):
        saved = gr.Dropdown(choices=[], label="Conversation", elem_id="saved-conversations")
        with gr.Row():
            reopen = gr.Button("Open", size="sm", elem_id="conversation-open")
            new = gr.Button("New", size="sm", elem_id="conversation-new")
            delete = gr.Button("Delete", size="sm", variant="stop", elem_id="conversation-delete")
        title = gr.Textbox(label="Title", elem_id="conversation-title", max_lines=1)
        rename = gr.Button("Rename", size="sm", elem_id="conversation-rename")
    with gr.Accordion("Download the answer or the conversation", open=False):
        downloads = gr.File(
            label="Markdown, JSON, CSL-JSON and BibTeX",
            file_count="multiple",
            interactive=False,
            elem_id="downloads",
        )

    def choices(user: str, value: str | None = None) -> Any:
        listed = [(c.title, c.id) for c in store.list(user)]
        return gr.Dropdown(choices=listed, value=value)

    def after_answer(state: Any, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        if not state.turns:
            return gr.skip(), gr.skip(), gr.skip()
        try:
            cid = store.save(user, state.turns, state.id)
        except AssistantError:  # deleted in another window: saved anew
            cid = store.save(user, state.turns)
        return replace(state, id=cid), choices(user, cid), write_exports(state.turns)

    def listed(request: gr.Request) -> Any:
        return choices(user_of(request))

    def opened(cid: str | None, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        try:
            turns = store.load(user, clean(cid or ""))
        except AssistantError as exc:
            gr.Warning(str(exc))
            return (gr.skip(),) * 5
        shown: list[dict[str, str]] = []
        history: list[dict[str, str]] = []
        for question, answer in turns:
            shown += [
                {"role": "user", "content": block_html("question", question)},
                {"role": "assistant", "content": render(answer, f"a{uuid.uuid4().hex[:10]}")},
            ]
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer.text},
            ]
        state = replace(empty(), shown=shown, history=history, turns=turns, id=clean(cid or ""))
        return state, shown, store.title(user, state.id), write_exports(turns), choices(user, cid)

    def renamed(cid: str | None, text: str, request: gr.Request) -> Any:
        user = user_of(request)
        try:
            store.rename(user, clean(cid or ""), clean(text or ""))
        except AssistantError as exc:
            gr.Warning(str(exc))
            return gr.skip()
        return choices(user, cid)

    def deleted(cid: str | None, state: Any, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        try:
            store.delete(user, clean(cid or ""))
        except AssistantError as exc:
            gr.Warning(str(exc))
            return (gr.skip(),) * 3
        fresh = empty() if state.id == cid else state
        return choices(user), fresh, fresh.shown

    def started() -> tuple[Any, ...]:
        return empty(), [], None, ""

    reopen.click(opened, saved, [convo, chatbot, title, downloads, saved], **private)
    rename.click(renamed, [saved, title], saved, **private)
    delete.click(deleted, [saved, convo], [saved, convo, chatbot], **private)
    new.click(started, None, [convo, chatbot, downloads, title], **private)
    gr.on([chatbot.clear], lambda: None, None, downloads, **private)
    return ConversationsPanel(saved, downloads, after_answer, listed)

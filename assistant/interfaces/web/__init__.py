"""The web chat: a Gradio page and `/chat` API endpoint over `Assistant`.

    render     pure functions from answers, sources and reports to escaped HTML (no gradio)
    assets     the page's stylesheet and script
    inputs     cleaning of every value an event brings (surrogates, control characters)
    admission  answers computed at once, questions waiting, and the "busy" answer beyond
    guards     ASGI middleware: Host allow-list, same-origin changes, login gate, login throttle
    uploads    removal of Gradio's temporary upload files
    app        the Gradio Blocks wiring
    document   the document view, GET /sources/{id}: a source's whole text with quotes lit
    ui         parts of the page that build their own components: conversations, compare view
    serving    launching it behind the guard, with the watcher and the upload clean-up

Callers use `build_app`, `launch` and `serve`; the rendering functions are re-exported for tests.

The names below are imported on first use (PEP 562): the HTTP API and the MCP server use
`inputs` and `admission` without loading gradio, which `app` imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.interfaces.web.app import EXAMPLES, SCOPES, Conversation, build_app
    from assistant.interfaces.web.render import (
        CONTEXT_CHARS,
        answer_html,
        block_html,
        paragraph_bounds,
        passage_html,
        report_html,
        sources_html,
        status_html,
        text_html,
        upload_label,
    )
    from assistant.interfaces.web.serving import launch, serve

_HOMES = {
    **dict.fromkeys(("EXAMPLES", "SCOPES", "Conversation", "build_app"), "app"),
    **dict.fromkeys(
        (
            "CONTEXT_CHARS",
            "answer_html",
            "block_html",
            "paragraph_bounds",
            "passage_html",
            "report_html",
            "sources_html",
            "status_html",
            "text_html",
            "upload_label",
        ),
        "render",
    ),
    **dict.fromkeys(("launch", "serve"), "serving"),
}

__all__ = [
    "CONTEXT_CHARS",
    "EXAMPLES",
    "SCOPES",
    "Conversation",
    "answer_html",
    "block_html",
    "build_app",
    "launch",
    "paragraph_bounds",
    "passage_html",
    "report_html",
    "serve",
    "sources_html",
    "status_html",
    "text_html",
    "upload_label",
]


def __getattr__(name: str) -> Any:
    """The public name `name`, imported from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)

"""The web chat: a Gradio page and `/chat` API endpoint over `Assistant`.

    render     pure functions from answers, sources and reports to escaped HTML (no gradio)
    assets     the page's stylesheet and script
    inputs     cleaning of every value an event brings (surrogates, control characters)
    admission  answers computed at once, questions waiting, and the "busy" answer beyond
    guards     ASGI middleware: Host allow-list, same-origin changes, login gate, login throttle
    uploads    removal of Gradio's temporary upload files
    app        the Gradio Blocks wiring
    ui         parts of the page that build their own components: the compare view
    serving    launching it behind the guard, with the watcher and the upload clean-up

Callers use `build_app`, `launch` and `serve`; the rendering functions are re-exported for tests.
"""

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

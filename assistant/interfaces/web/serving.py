"""Serving the web chat: the server behind its guard and login, the watcher, the clean-up.

Kept apart from `app` (the Gradio wiring, the only module importing gradio): the Blocks is
passed in, and only its methods are called here.
"""

from __future__ import annotations

import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from starlette.routing import BaseRoute

from assistant.api import Assistant
from assistant.config import parse_auth
from assistant.interfaces.watch import IndexStatus, SourceWatcher
from assistant.interfaces.web import document
from assistant.interfaces.web.app import build_app
from assistant.interfaces.web.assets import CSS, HEAD
from assistant.interfaces.web.guards import LoginThrottle, allowed_hosts, guard_middleware
from assistant.interfaces.web.uploads import private_folder


def _session_check(app: Any) -> Callable[[Mapping[str, str]], bool]:
    """Whether cookies hold a session that Gradio's login made (for `guards.Guard`)."""

    def logged_in(cookies: Mapping[str, str]) -> bool:
        server = app.server_app
        if server is None:
            return False
        names = (f"access-token-{server.cookie_id}", f"access-token-unsecure-{server.cookie_id}")
        return any(cookies.get(name) in server.tokens for name in names)

    return logged_in


def launch(
    app: Any,
    *,
    host: str,
    port: int,
    auth: tuple[str, str] | None = None,
    allowed: Iterable[str] = (),
    max_upload_mb: float = 20.0,
    block: bool = True,
    throttle: LoginThrottle | None = None,
    routes: Sequence[BaseRoute] = (),
) -> str:
    """Start `app` behind the guard, and behind a login if `auth` is a (user, password) pair.

    The guard accepts the Host names `guards.allowed_hosts(host, allowed)`; `throttle` slows
    failed logins (one with the default limits if None). `routes` are served beside Gradio's
    (the document view, `document.routes`), behind the same guard. Returns the local URL (once
    the server stops, if `block`).
    """
    guard = guard_middleware(
        hosts=allowed_hosts(host, allowed),
        logged_in=_session_check(app) if auth else None,
        throttle=throttle,
    )
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="Log in to ask the sources.",
        max_file_size=int(max_upload_mb * 2**20),
        max_threads=app.max_threads,
        prevent_thread_lock=not block,
        show_error=True,
        quiet=not block,
        ssr_mode=False,
        footer_links=["api"],
        css=CSS,
        head=HEAD,
        app_kwargs={"middleware": [guard], "routes": list(routes)},
    )
    return str(url)


def serve(
    assistant: Assistant, *, host: str, port: int, auth: str | None, watch: bool = False
) -> None:
    """Serve the web chat until interrupted; with `watch`, re-index on changes in sources/.

    `auth` is the `ASSISTANT_AUTH` setting, `user:password` (Settings has checked its form).
    """
    if threading.current_thread() is threading.main_thread():
        # SIGTERM stops the server as Ctrl-C does, so that the clean-up below runs.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    status = IndexStatus(watching=watch)
    uploads = private_folder(port)  # Gradio's upload files: emptied now, removed at the end
    app = build_app(assistant, status=status, uploads=uploads)
    watcher = SourceWatcher(assistant, status=status)
    if watch:
        watcher.start()
    try:
        launch(
            app,
            host=host,
            port=port,
            auth=parse_auth(auth),
            allowed=assistant.settings.allowed_hosts,
            max_upload_mb=assistant.settings.max_upload_mb,
            routes=document.routes(assistant),
        )
    finally:
        watcher.stop()
        shutil.rmtree(uploads, ignore_errors=True)

"""Serving the web chat: the server behind its guard and login, the watcher, the clean-up.

Kept apart from `app` (the Gradio wiring, the only module importing gradio): the Blocks is
passed in, and only its methods are called here.
"""

from __future__ import annotations

import logging
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute

from assistant.api import Assistant
from assistant.config import parse_auth
from assistant.interfaces.http import API_PREFIXES, api_middleware, build_api
from assistant.interfaces.service import Service
from assistant.interfaces.watch import IndexStatus, SourceWatcher
from assistant.interfaces.web import document
from assistant.interfaces.web.admission import Admission
from assistant.interfaces.web.app import build_app
from assistant.interfaces.web.assets import CSS, HEAD
from assistant.interfaces.web.guards import (
    LOOPBACK_HOSTS,
    LoginThrottle,
    allowed_hosts,
    guard_middleware,
    host_name,
)
from assistant.interfaces.web.uploads import private_folder

if TYPE_CHECKING:
    from starlette.types import ASGIApp

logger = logging.getLogger(__name__)


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
    api: ASGIApp | None = None,
    routes: Sequence[BaseRoute] = (),
) -> str:
    """Start `app` behind the guard, and behind a login if `auth` is a (user, password) pair.

    The guard accepts the Host names `guards.allowed_hosts(host, allowed)`; `throttle` slows
    failed logins (one with the default limits if None). `api` (`http.build_api`) is served
    on the same port for /v1 and /api, behind the Host and Origin checks but not the login.
    `routes` are served beside Gradio's (the document view, `document.routes`), behind the
    whole guard. Returns the local URL (once the server stops, if `block`).
    """
    guard = guard_middleware(
        hosts=allowed_hosts(host, allowed),
        logged_in=_session_check(app) if auth else None,
        throttle=throttle,
        own_auth=API_PREFIXES if api is not None else (),
    )
    middleware = [guard] if api is None else [guard, api_middleware(api)]
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
        app_kwargs={"middleware": middleware, "routes": list(routes)},
    )
    return str(url)


def serve(
    assistant: Assistant, *, host: str, port: int, auth: str | None, watch: bool = False
) -> None:
    """Serve the web chat and the HTTP API until interrupted; with `watch`, re-index on
    changes in sources/.

    `auth` is the `ASSISTANT_AUTH` setting, `user:password` (Settings has checked its form).
    """
    if threading.current_thread() is threading.main_thread():
        # SIGTERM stops the server as Ctrl-C does, so that the clean-up below runs.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    status = IndexStatus(watching=watch)
    uploads = private_folder(port)  # Gradio's upload files: emptied now, removed at the end
    settings = assistant.settings
    admission = Admission(slots=settings.web_concurrency, max_waiting=settings.web_queue_size)
    app = build_app(assistant, status=status, uploads=uploads, admission=admission)
    service = Service(assistant, admission=admission)  # the API shares the answer slots
    api = build_api(service, api_key=settings.api_key, login=auth is not None)
    if settings.api_key is None and auth is None and host_name(host) not in LOOPBACK_HOSTS:
        logger.warning(
            "listening on %s with no ASSISTANT_API_KEY: anyone who can reach this port can "
            "use /v1 and /api",
            host,
        )
    watcher = SourceWatcher(assistant, status=status)
    if watch:
        watcher.start()
    try:
        launch(
            app,
            host=host,
            port=port,
            auth=parse_auth(auth),
            allowed=settings.allowed_hosts,
            max_upload_mb=settings.max_upload_mb,
            api=api,
            routes=document.routes(assistant),
        )
    finally:
        watcher.stop()
        shutil.rmtree(uploads, ignore_errors=True)

"""The guard in front of the web chat: an ASGI middleware that checks requests before Gradio.

    Host     the Host header must name this server (no DNS rebinding)           400
    Origin   a state-changing request must come from this server's own pages    403
    login    with a login set, every route but the login page needs a session   401
             (but for `own_auth` prefixes, the HTTP API, which checks its API key)
    throttle an address that keeps failing to log in waits before trying again  429

It imports no gradio: the app hands it `logged_in`, which says whether a request's cookies
hold a live session. The public routes are what the login page needs to render and submit,
found by loading it unauthenticated in Chromium (tests/test_hardening_web.py checks every
route of the running app against them).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ANY_HOST = "*"
# Addresses a server listens on that are no name a browser would send in Host.
_WILDCARD_ADDRESSES = {"", "0.0.0.0", "::"}

# The login page: the page itself, its script bundles, fonts and stylesheet, and the form's POST.
PUBLIC_PATHS = frozenset({"/", "/theme.css", "/favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/static/")
LOGIN_PATHS = frozenset({"/login", "/login/"})
# Gradio's launch() asks this once, without cookies, from this machine, before it returns;
# it is let through for that one call only.
STARTUP_PATH = "/gradio_api/startup-events"
# Methods that change nothing; any other must come from this server's own pages.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Failed logins one client address may make within the window before it has to wait.
LOGIN_FAILURES_ALLOWED = 5
# The window, in seconds: an address waits until its oldest counted failure is this old.
LOGIN_WINDOW_S = 300.0
# Addresses remembered at most (the least recently failing are forgotten first), so that a
# flood of addresses cannot grow memory without bound.
LOGIN_ADDRESSES_KEPT = 10_000

LoggedIn = Callable[[Mapping[str, str]], bool]
logger = logging.getLogger(__name__)


def host_name(header: str) -> str:
    """The name in a Host header, lower-case, without port or brackets ("[::1]:80" -> "::1")."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The loopback names, the address the server listens on, and `extra` (may hold "*")."""
    names = {*LOOPBACK_HOSTS, *(host_name(e) if e != ANY_HOST else ANY_HOST for e in extra)}
    if host_name(host) not in _WILDCARD_ADDRESSES:
        names.add(host_name(host))
    elif len(names) == len(LOOPBACK_HOSTS):
        logger.warning(
            "listening on %r, but only loopback Host names are served; list the names clients "
            "use in ASSISTANT_ALLOWED_HOSTS",
            host,
        )
    return frozenset(names)


def is_public(method: str, path: str) -> bool:
    """True for what the login page needs: it is served without a login."""
    if method == "POST":
        return path in LOGIN_PATHS
    if method not in {"GET", "HEAD"}:
        return False
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def same_origin(headers: Headers) -> bool:
    """True unless Origin (or, without it, Referer) names a site other than the Host header.

    A request with neither comes from no web page (browsers send Origin with every POST from a
    page), so no other site can have made a visitor's browser send it.
    """
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    return urlsplit(source).netloc.lower() == headers.get("host", "").lower() != ""


class LoginThrottle:
    """Counts failed logins per client address; says how long an address must wait."""

    def __init__(
        self,
        *,
        allowed: int = LOGIN_FAILURES_ALLOWED,
        window: float = LOGIN_WINDOW_S,
        kept: int = LOGIN_ADDRESSES_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed, self.window, self.kept = allowed, window, kept
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, address: str) -> float:
        """Seconds `address` must wait before its next attempt (0.0: it may try now)."""
        failures = self._failures.get(address)
        if failures is None:
            return 0.0
        now = self._clock()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return 0.0
        return max(0.0, failures[0] + self.window - now) if len(failures) >= self.allowed else 0.0

    def failed(self, address: str) -> None:
        """Count a failed attempt from `address`."""
        failures = self._failures.pop(address, None) or deque(maxlen=self.allowed)
        failures.append(self._clock())
        self._failures[address] = failures  # now the most recent
        while len(self._failures) > self.kept:
            self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        """Forget the failures of `address` after it logged in."""
        self._failures.pop(address, None)


class Guard:
    """ASGI middleware: refuse wrong hosts, cross-origin changes, and (with a login) strangers.

    `hosts` are the accepted Host names (see `allowed_hosts`); `logged_in` is None when the
    server has no login, else the check of a request's cookies.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hosts: Iterable[str],
        logged_in: LoggedIn | None,
        throttle: LoginThrottle | None = None,
        own_auth: Iterable[str] = (),
    ) -> None:
        self.app = app
        # Path prefixes (the HTTP API) that check their own credentials, not the login cookie.
        self.own_auth = tuple(own_auth)
        self.hosts = frozenset(host_name(h) if h != ANY_HOST else h for h in hosts)
        self.logged_in = logged_in
        self.throttle = throttle or LoginThrottle()
        self._started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one request, then hand it to the app or refuse it."""
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method, path = scope.get("method", "GET"), scope["path"]
        host = headers.get("host", "")
        if ANY_HOST not in self.hosts and host_name(host) not in self.hosts:
            shown = host if host.isprintable() and len(host) <= 100 else "(unprintable)"
            text = (
                f"Host {shown!r} is not served here; the server answers to "
                f"{', '.join(sorted(self.hosts))}. Add it to ASSISTANT_ALLOWED_HOSTS to allow it."
            )
            await _refuse(scope, receive, send, 400, text)
        elif method not in SAFE_METHODS and not same_origin(headers):
            text = "A cross-origin request was refused: changes come only from this server's pages."
            await _refuse(scope, receive, send, 403, text)
        elif self.logged_in is None or _under(path, self.own_auth):
            await self.app(scope, receive, send)
        elif method == "POST" and path in LOGIN_PATHS:
            await self._login(scope, receive, send)
        elif path == STARTUP_PATH and not self._started and _from_this_machine(scope):
            self._started = True
            await self.app(scope, receive, send)
        elif is_public(method, path) or self.logged_in(cookie_parser(headers.get("cookie", ""))):
            await self.app(scope, receive, send)
        else:
            await _refuse(scope, receive, send, 401, "Not logged in: log in on the page first.")

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.retry_after(address)
        if wait > 0:
            seconds = math.ceil(wait)
            text = f"Too many failed logins from this address; retry in {seconds} s."
            await _refuse(scope, receive, send, 429, text, {"retry-after": str(seconds)})
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status in {400, 401, 403}:  # Gradio answers 400 to a wrong name or password
            self.throttle.failed(address)
        elif 200 <= status < 300:
            self.throttle.succeeded(address)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def _from_this_machine(scope: Scope) -> bool:
    address = (scope.get("client") or ("", 0))[0]
    return address in {"127.0.0.1", "::1"} or address.startswith("::ffff:127.")


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    text: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer `status` with `{"detail": text}` (or close a websocket) without calling the app."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": text[:120]})
        return
    body = json.dumps({"detail": text}).encode()
    raw: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
    ]
    raw.extend((name.encode(), value.encode()) for name, value in (headers or {}).items())
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def guard_middleware(
    *,
    hosts: Iterable[str],
    logged_in: LoggedIn | None,
    throttle: LoginThrottle | None = None,
    own_auth: Iterable[str] = (),
) -> Middleware:
    """The Guard as Starlette middleware, for FastAPI's `middleware=` (Gradio's `app_kwargs`)."""
    return Middleware(
        Guard, hosts=hosts, logged_in=logged_in, throttle=throttle, own_auth=tuple(own_auth)
    )

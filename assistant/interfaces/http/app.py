"""The HTTP API app (FastAPI): its routes, the API key, the error objects, the docs page, and
the middleware that serves it beside Gradio on the web chat's port.

    /v1/...          OpenAI-compatible (`chat_completions`)
    /api/...         REST (`rest`)
    /api/openapi.json, /api/docs   the OpenAPI document and a page made from it (no CDN)

With `api_key` set, every route but the two docs needs `Authorization: Bearer <key>` (401
otherwise). A server with a web login and no key refuses the API (401): a login would
otherwise guard the page while anyone could ask the API. Every error is an OpenAI-style
`{"error": {"message", "type", "code"}}` object, never a traceback.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.errors import AssistantError
from assistant.interfaces.http import chat_completions, rest
from assistant.interfaces.service import Failure, Service, failure

API_PREFIXES = ("/v1", "/api")
# A request body past this (by its Content-Length) is refused with 413 before it is read.
MAX_BODY_BYTES = 2**20
OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/api/docs"


class Refused(Exception):
    """A request refused before it reached the service (no key, a wrong one, bad input)."""

    def __init__(self, refusal: Failure) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def is_api_path(path: str) -> bool:
    """True for the paths this app serves (`/v1`, `/api` and below)."""
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def key_check(api_key: str | None, *, login: bool) -> Any:
    """A dependency that refuses a request without `Authorization: Bearer <api_key>`."""

    async def check(request: Request) -> None:
        if api_key is None:
            if login:
                raise Refused(
                    Failure(
                        401,
                        "authentication_error",
                        "This server has a web login (ASSISTANT_AUTH) but no API key: set "
                        "ASSISTANT_API_KEY to use the API, and send it as a Bearer token.",
                    )
                )
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            given.strip().encode(), api_key.encode()
        ):
            raise Refused(
                Failure(
                    401,
                    "authentication_error",
                    "A valid API key is required: send `Authorization: Bearer <key>` with the "
                    "key set in ASSISTANT_API_KEY.",
                )
            )

    return check


def _reply(refusal: Failure) -> JSONResponse:
    headers = {}
    if refusal.retry_after is not None:
        headers["retry-after"] = str(refusal.retry_after)
    if refusal.status == 401:
        headers["www-authenticate"] = "Bearer"
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=headers)


def _invalid(exc: RequestValidationError) -> Failure:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return Failure(400, "invalid_request_error", "invalid request: " + "; ".join(problems))


def build_api(service: Service, *, api_key: str | None = None, login: bool = False) -> FastAPI:
    """The API app over `service`; `login`: the web page has a login (ASSISTANT_AUTH)."""
    api = FastAPI(
        title="Plenipot 2014 sources assistant API",
        description="Cited answers from the ITU Plenipotentiary 2014 sources: an "
        "OpenAI-compatible chat API with top-level `citations`, and a REST API.",
        version="1",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    guarded = [Depends(key_check(api_key, login=login))]
    api.include_router(chat_completions.router(service), dependencies=guarded)
    api.include_router(rest.router(service), dependencies=guarded)

    @api.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return _reply(exc.refusal)

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _reply(_invalid(exc))

    @api.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        return _reply(Failure(exc.status_code, kind, str(exc.detail)))

    @api.exception_handler(AssistantError)
    async def refused_input(_: Request, exc: AssistantError) -> JSONResponse:
        return _reply(failure(exc))

    @api.exception_handler(Exception)
    async def error(_: Request, exc: Exception) -> JSONResponse:
        return _reply(failure(exc))  # logged there; the client gets no traceback

    @api.get(DOCS_URL, include_in_schema=False, response_class=HTMLResponse)
    async def docs() -> str:
        return docs_page(api.openapi())

    return api


def docs_page(openapi: dict[str, Any]) -> str:
    """A self-contained HTML page listing the routes of an OpenAPI document."""
    rows = []
    for path, methods in openapi.get("paths", {}).items():
        for method, op in methods.items():
            rows.append(
                f"<h2><code>{method.upper()} {html.escape(path)}</code></h2>"
                f"<p><b>{html.escape(op.get('summary', ''))}</b></p>"
                f"<p>{html.escape(op.get('description', ''))}</p>"
            )
    info = openapi.get("info", {})
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(info.get('title', 'API'))}</title></head><body>"
        f"<h1>{html.escape(info.get('title', 'API'))}</h1>"
        f"<p>{html.escape(info.get('description', ''))}</p>"
        f"<p>The OpenAPI document: <a href='{OPENAPI_URL}'>{OPENAPI_URL}</a>.</p>"
        + "".join(rows)
        + "</body></html>"
    )


class Dispatch:
    """ASGI middleware: requests for `/v1` and `/api` go to the API app, others on (Gradio)."""

    def __init__(self, app: ASGIApp, *, api: ASGIApp) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route one request."""
        if scope["type"] == "http" and is_api_path(scope["path"]):
            length = dict(scope.get("headers") or ()).get(b"content-length", b"0")
            if length.isdigit() and int(length) > MAX_BODY_BYTES:
                too_big = Failure(
                    413,
                    "invalid_request_error",
                    f"the request body is {int(length)} bytes; send at most {MAX_BODY_BYTES}",
                )
                await _reply(too_big)(scope, receive, send)
                return
            await self.api(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def api_middleware(api: ASGIApp) -> Middleware:
    """`Dispatch` as Starlette middleware, for Gradio's `app_kwargs={"middleware": [...]}`."""
    return Middleware(Dispatch, api=api)

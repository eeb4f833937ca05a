"""The REST routes: `POST /api/ask`, `POST /api/search`, `GET /api/sources`,
`GET /api/sources/{id}/text`. Bodies and replies are the service's JSON forms (every field of
Answer, Citation, Passage and SourceInfo)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from assistant.interfaces.service import (
    AskRequest,
    SearchRequest,
    Service,
    SourceText,
    answer_json,
    passages_json,
    sources_json,
)
from assistant.schema import Answer, Passage, SourceInfo


def router(service: Service) -> APIRouter:
    """The `/api` routes over `service`."""
    routes = APIRouter(prefix="/api", tags=["REST"])

    @routes.post(
        "/ask",
        summary="Answer a question, with verified citations",
        description="The Answer as JSON: `text` with [n] markers, `abstained`, `notice`, "
        "`citations` (marker, source, title, locator, quote, start, end, role ...) and the "
        "retrieved `passages`. Identical to `Assistant.ask` for the same input.",
        response_model=Answer,
    )
    async def ask(request: AskRequest) -> dict[str, Any]:
        return answer_json(await service.ask_async(request))

    @routes.post(
        "/search",
        summary="The passages that best match a query",
        response_model=list[Passage],
    )
    async def search(request: SearchRequest) -> list[dict[str, Any]]:
        return passages_json(await service.search_async(request))

    @routes.get(
        "/sources",
        summary="The indexed sources (final-acts files followed by their acts)",
        response_model=list[SourceInfo],
    )
    async def sources() -> list[dict[str, Any]]:
        return sources_json(service.sources())

    @routes.get(
        "/sources/{source_id:path}/text",
        summary="A source's extracted text, which citation offsets refer to",
        response_model=SourceText,
    )
    async def source_text(
        source_id: str,
        start: int | None = Query(None, description="First offset (default 0)."),
        end: int | None = Query(None, description="Offset just past the span (default: end)."),
    ) -> SourceText:
        return service.source_span(source_id, start, end)

    return routes

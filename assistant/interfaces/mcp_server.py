"""The MCP server (`assistant mcp`): tools `ask`, `search`, `list_sources`, `read_source` over
stdio, or streamable HTTP on a port; built on the official `mcp` SDK (the only module that
imports it). Each tool is a thin call of `service.Service`, so its answers, limits and error
messages are those of the HTTP API; an AssistantError comes back as a tool error with its
message (what was wrong and what to do next), never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.interfaces.service import AskRequest, SearchRequest, Service, SourceText
from assistant.schema import Citation, Passage, SourceInfo

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Cited answers from the ITU Plenipotentiary Conference 2014 (Busan) sources: commentary "
    "and the final acts (resolutions and decisions). Use `ask` for a question; quote the "
    "returned citations (their `quote` is verbatim source text at `start`..`end`). When "
    "`abstained` is true the sources do not answer: say so rather than guess. `list_sources` "
    "gives the ids that `ask`, `search` and `read_source` take."
)

Kinds = Annotated[
    list[str] | None,
    Field(
        description="Only sources of these kinds, e.g. ['resolution', 'decision'] or "
        "['commentary']; omit for all."
    ),
]
Sources = Annotated[
    list[str] | None,
    Field(
        description="Only these sources: file ids or act ids as `list_sources` gives them "
        "(e.g. 'final-acts.txt#Resolution 102 (Rev. Busan, 2014)'); omit for all."
    ),
]


class AskResult(BaseModel):
    """An answer: `text` with [n] markers that refer to `citations`."""

    text: str = Field(description="The answer, with inline markers [1], [2] ...")
    abstained: bool = Field(description="True when the sources do not answer the question.")
    notice: str | None = Field(None, description="A note on how the question was handled.")
    citations: list[Citation] = Field(
        description="The references: marker, source, title, locator, verbatim quote, offsets."
    )


class SearchResult(BaseModel):
    """The passages that best match a query, best first."""

    passages: list[Passage]


class SourcesResult(BaseModel):
    """The indexed sources; a final-acts file is followed by one entry per act."""

    sources: list[SourceInfo]


def build_server(service: Service) -> MCPServer[Any]:
    """The MCP server with the four tools over `service`."""
    server: MCPServer[Any] = MCPServer(
        name="plenipot-assistant", instructions=INSTRUCTIONS, log_level="WARNING"
    )

    async def run(call: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(call, *args)  # CPU-bound: off the event loop
        except AssistantError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(
        description="Answer a question about the ITU Plenipotentiary 2014 (Busan) from the "
        "indexed sources, with verified citations. Returns the answer text with [n] markers, "
        "`abstained` (true: the sources do not say), and the citations."
    )
    async def ask(
        question: Annotated[str, Field(description="The question, in plain words.")],
        kinds: Kinds = None,
        sources: Sources = None,
    ) -> AskResult:
        request = AskRequest(question=question, kinds=kinds, sources=sources)
        answer = await run(service.ask, request)
        return AskResult(
            text=answer.text,
            abstained=answer.abstained,
            notice=answer.notice,
            citations=answer.citations,
        )

    @server.tool(
        description="Search the sources: the k passages that best match a query, with "
        "their source, locator (resolution clause or commentary section) and offsets."
    )
    async def search(
        query: Annotated[str, Field(description="What to look for.")],
        k: Annotated[int, Field(description="How many passages (1 to 50).")] = 5,
        kinds: Kinds = None,
        sources: Sources = None,
    ) -> SearchResult:
        request = SearchRequest(query=query, k=k, kinds=kinds, sources=sources)
        return SearchResult(passages=await run(service.search, request))

    @server.tool(
        description="List the indexed sources: id, title, kind and chunk count; each "
        "final-acts file is followed by its resolutions and decisions (parent = the file)."
    )
    async def list_sources() -> SourcesResult:
        return SourcesResult(sources=await run(service.sources))

    @server.tool(
        description="Read a source's extracted text, or the span start..end of it (the "
        "offsets citations and passages give). Use a file id from list_sources."
    )
    async def read_source(
        id: Annotated[str, Field(description="A source file id, as list_sources gives it.")],
        start: Annotated[int | None, Field(description="First offset (default 0).")] = None,
        end: Annotated[int | None, Field(description="Offset past the span (default end).")] = None,
    ) -> SourceText:
        result: SourceText = await run(service.source_span, id, start, end)
        return result

    return server


def serve_mcp(
    assistant: Assistant, *, http_port: int | None = None, host: str = "127.0.0.1"
) -> None:
    """Serve the tools over stdio, or over streamable HTTP at `/mcp` on `http_port`.

    Over HTTP, `ASSISTANT_API_KEY` (when set) is required as `Authorization: Bearer <key>`.
    """
    server = build_server(Service(assistant))
    # The model loads in the background while the client connects and lists the tools, so
    # the first `ask` does not wait the seconds a load takes.
    threading.Thread(target=_warm_up, args=(assistant,), daemon=True).start()
    if http_port is None:
        server.run("stdio")
        return
    import uvicorn

    app: Any = server.streamable_http_app(host=host)
    key = assistant.settings.api_key
    if key is not None:
        app = _bearer_gate(app, key)
    uvicorn.run(app, host=host, port=http_port, log_level="warning")


def _warm_up(assistant: Assistant) -> None:
    try:
        assistant.retrieve("ITU Plenipotentiary Conference", k=1)
    except AssistantError as exc:  # an empty index, say: the tools will say so when asked
        logger.info("warm-up skipped: %s", exc)


def _bearer_gate(app: Any, key: str) -> Any:
    async def gate(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not secrets.compare_digest(given, b"Bearer " + key.encode()):
                body = b'{"error": "send Authorization: Bearer <ASSISTANT_API_KEY>"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return gate

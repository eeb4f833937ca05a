"""The OpenAI-compatible routes: `GET /v1/models` and `POST /v1/chat/completions`.

The messages' last `user` turn is the question and the earlier `user`/`assistant` turns its
history (system and tool messages are not read: the assistant takes no instructions). The
reply's content is the answer with its `[n]` markers; the structured references travel as a
top-level `citations` list, with `abstained` and `notice` beside it (in the last chunk when
streaming: `data: {chunk}` lines, then `data: [DONE]`). Filters are extra body fields (`kinds`,
`sources`), which the official clients send with `extra_body=`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import QuestionError
from assistant.interfaces.service import AskRequest, Service, Turn, citations_json, failure
from assistant.schema import Answer

MODEL_ID = "plenipot-assistant"
OWNER = "plenipot-assistant"


class ContentPart(BaseModel):
    """A part of a message's content; only `text` parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="`text` (other types are refused).")
    text: str | None = Field(None, description="The text of a `text` part.")


class ChatMessage(BaseModel):
    """One message of an OpenAI chat."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """The body of `POST /v1/chat/completions`; sampling fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(description=f"`{MODEL_ID}` (see GET /v1/models).")
    messages: list[ChatMessage] = Field(
        description="The conversation; the last message is the user's question."
    )
    stream: bool = Field(False, description="Stream the answer as server-sent events.")
    kinds: list[str] | None = Field(None, description="Only sources of these kinds.")
    sources: list[str] | None = Field(None, description="Only these file or act ids.")


class UnknownModel(QuestionError):
    """A model id this server does not serve."""


def _text(message: ChatMessage) -> str:
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    texts = []
    for part in message.content:
        if part.type != "text" or part.text is None:
            raise QuestionError(
                f"a message part of type {part.type!r} cannot be read; send text parts only"
            )
        texts.append(part.text)
    return "\n".join(texts)


def ask_request(chat: ChatRequest) -> AskRequest:
    """The question, history and filters in an OpenAI chat request."""
    if chat.model != MODEL_ID:
        raise UnknownModel(f"the model {chat.model!r} is not served here; use {MODEL_ID!r}")
    turns = [m for m in chat.messages if m.role in {"user", "assistant"}]
    if not turns or turns[-1].role != "user" or chat.messages[-1].role != "user":
        raise QuestionError("the last message must be the user's question (role `user`)")
    history = [Turn(role=m.role, content=_text(m)) for m in turns[:-1]]
    return AskRequest(
        question=_text(turns[-1]), history=history, kinds=chat.kinds, sources=chat.sources
    )


def _extras(answer: Answer) -> dict[str, Any]:
    return {
        "citations": citations_json(answer),
        "abstained": answer.abstained,
        "notice": answer.notice,
    }


def completion(answer: Answer) -> dict[str, Any]:
    """The `chat.completion` object for an answer, with the references at the top level."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        **_extras(answer),
    }


def _chunk(cid: str, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def sse(first: str | Answer, parts: AsyncIterator[str | Answer]) -> AsyncIterator[str]:
    """The answer as `chat.completion.chunk` events: a role chunk, the text pieces, a last
    chunk with `finish_reason` and the references, then `[DONE]`. A failure after the first
    piece is sent as an OpenAI-style error event."""
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(cid, {"role": "assistant", "content": ""})
    part: str | Answer | None = first
    try:
        while part is not None:
            if isinstance(part, Answer):
                yield _chunk(cid, {}, "stop", **_extras(part))
            else:
                yield _chunk(cid, {"content": part})
            part = await anext(parts, None)
    except Exception as exc:  # noqa: BLE001 - the response has started: an error event
        yield f"data: {json.dumps(failure(exc).body(), ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def router(service: Service) -> APIRouter:
    """The `/v1` routes over `service`."""
    routes = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

    @routes.get("/models", summary="The models served (one: plenipot-assistant)")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [_model()]}

    @routes.get("/models/{model}", summary="One model")
    async def model(model: str) -> dict[str, Any]:
        if model != MODEL_ID:
            raise UnknownModel(f"the model {model!r} is not served here; use {MODEL_ID!r}")
        return _model()

    @routes.post(
        "/chat/completions",
        summary="Answer the last user message from the sources, with top-level citations",
        response_model=None,
    )
    async def chat_completions(chat: ChatRequest) -> JSONResponse | StreamingResponse:
        request = ask_request(chat)
        if not chat.stream:
            return JSONResponse(completion(await service.ask_async(request)))
        parts = aiter(service.stream(request))
        first = await anext(parts)  # a bad question or a busy server: a 4xx, not a stream
        return StreamingResponse(
            sse(first, parts),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )

    return routes


def _model() -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": OWNER}

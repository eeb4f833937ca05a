"""One service over `Assistant` for every endpoint (OpenAI-compatible, REST, MCP).

Each endpoint is thin: it turns its protocol's request into an `AskRequest` (or a search, a
source listing, a source's text), calls the service, and writes the JSON forms made here. So
every interface gives the same answers, citations, errors and limits:

    limits      the question at most `Settings.max_question_chars` (longer: QuestionError),
                history at most MAX_HISTORY_MESSAGES messages (and as many questions' worth
                of characters), search k in 1..MAX_SEARCH_K
    JSON        `dataclasses.asdict` of Answer, Citation, Passage, SourceInfo: every field
                (role, page ...) flows through as the dataclasses grow
    errors      `failure(exc)`: one HTTP status, error type and message per AssistantError

Answers are computed in worker threads under the web chat's `Admission` (shared when the API
is mounted beside Gradio), so the event loop stays free and the slots are shared fairly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.api import Assistant
from assistant.errors import (
    AssistantError,
    ConfigError,
    IndexBusyError,
    IndexError_,
    QuestionError,
    SourceError,
    StoreUnavailableError,
)
from assistant.interfaces.web.admission import Admission, Busy, in_threads
from assistant.interfaces.web.inputs import clean
from assistant.schema import Answer, Passage, SourceInfo

logger = logging.getLogger(__name__)

MAX_HISTORY_MESSAGES = 100
MAX_SEARCH_K = 50
Role = Literal["user", "assistant"]


class Turn(BaseModel):
    """One earlier message of the conversation, as OpenAI and Gradio send them."""

    role: Role = Field(description="`user` for a question, `assistant` for an answer.")
    content: str = Field(description="The message text.")


class AskRequest(BaseModel):
    """A question with its conversation and filters (the body of `POST /api/ask`)."""

    question: str = Field(description="The question about the sources.")
    history: list[Turn] = Field(
        default_factory=list,
        description="Earlier turns, oldest first; follow-ups ('Who can join it?') are read "
        "against them.",
    )
    kinds: list[str] | None = Field(
        None, description="Only sources of these kinds, e.g. ['resolution'] or ['commentary']."
    )
    sources: list[str] | None = Field(
        None,
        description="Only these sources: file ids or act ids, as GET /api/sources lists them.",
    )


class SearchRequest(BaseModel):
    """A retrieval query (the body of `POST /api/search`)."""

    query: str = Field(description="What to look for in the sources.")
    k: int = Field(5, description=f"How many passages (1 to {MAX_SEARCH_K}).")
    kinds: list[str] | None = Field(None, description="Only sources of these kinds.")
    sources: list[str] | None = Field(None, description="Only these file or act ids.")


class SourceText(BaseModel):
    """A source's extracted text (what citation offsets refer to), or a span of it."""

    id: str = Field(description="The source id.")
    start: int = Field(description="Offset of `text` in the source's extracted text.")
    end: int = Field(description="Offset just past `text`.")
    text: str = Field(description="The extracted text from `start` to `end`.")


@dataclass(frozen=True)
class Failure:
    """What an endpoint answers for an error: HTTP status, OpenAI-style type, message."""

    status: int
    type: str
    message: str
    retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        """The OpenAI-style error object: `{"error": {"message", "type", "code"}}`."""
        return {"error": {"message": self.message, "type": self.type, "code": self.status}}


def failure(exc: BaseException) -> Failure:
    """The one mapping of errors to what every endpoint answers (never a traceback)."""
    if isinstance(exc, Busy):
        return Failure(429, "rate_limit_error", str(exc), exc.retry_after)
    if isinstance(exc, QuestionError):  # FilterError too: unknown kinds or sources
        return Failure(400, "invalid_request_error", str(exc))
    if isinstance(exc, SourceError):
        return Failure(404, "not_found_error", str(exc))
    if isinstance(exc, IndexBusyError | StoreUnavailableError):
        return Failure(503, "server_error", str(exc), 5)
    if isinstance(exc, IndexError_ | ConfigError | AssistantError):
        return Failure(500, "server_error", str(exc))
    logger.exception("unexpected error in an endpoint", exc_info=exc)
    return Failure(500, "server_error", "Internal error; the server log has the details.")


def answer_json(answer: Answer) -> dict[str, Any]:
    """The Answer as JSON: text, abstained, notice, citations and passages, every field."""
    return dataclasses.asdict(answer)


def citations_json(answer: Answer) -> list[dict[str, Any]]:
    """The answer's citations as JSON objects, every field (marker, quote, start, end, role...)."""
    return [dataclasses.asdict(c) for c in answer.citations]


def passages_json(passages: Sequence[Passage]) -> list[dict[str, Any]]:
    """Passages as JSON objects, every field."""
    return [dataclasses.asdict(p) for p in passages]


def sources_json(sources: Sequence[SourceInfo]) -> list[dict[str, Any]]:
    """Source listings as JSON objects, every field."""
    return [dataclasses.asdict(s) for s in sources]


class Service:
    """The assistant behind every endpoint: checked requests in, Answers and passages out."""

    def __init__(self, assistant: Assistant, *, admission: Admission | None = None) -> None:
        self.assistant = assistant
        settings = assistant.settings
        self.admission = admission or Admission(
            slots=settings.web_concurrency, max_waiting=settings.web_queue_size
        )

    # -- checks ---------------------------------------------------------------------------

    def checked(self, request: AskRequest) -> AskRequest:
        """`request` cleaned (surrogates, control characters) and within the limits.

        Raises QuestionError (an over-long question, too much history, an unknown filter)
        before anything is embedded.
        """
        request = AskRequest.model_validate(clean(request.model_dump()))
        self._check_length(request.question, "question")
        if len(request.history) > MAX_HISTORY_MESSAGES:
            raise QuestionError(
                f"the history has {len(request.history)} messages; send at most "
                f"{MAX_HISTORY_MESSAGES} (the latest turns)"
            )
        limit = MAX_HISTORY_MESSAGES * self.assistant.settings.max_question_chars
        if (size := sum(len(t.content) for t in request.history)) > limit:
            raise QuestionError(
                f"the history holds {size} characters; send at most {limit} (the latest turns)"
            )
        self.assistant.check_question(request.question, request.kinds, request.sources)
        return request

    def _check_length(self, text: str, what: str) -> None:
        limit = self.assistant.settings.max_question_chars
        if len(text) > limit:
            raise QuestionError(
                f"the {what} is {len(text)} characters long; at most {limit} are accepted "
                "(ASSISTANT_MAX_QUESTION_CHARS): shorten it"
            )

    # -- blocking calls (for MCP tools and tests) ----------------------------------------------

    def ask(self, request: AskRequest) -> Answer:
        """The Answer `Assistant.ask` gives for the checked request."""
        request = self.checked(request)
        return self.assistant.ask(
            request.question,
            history=[t.model_dump() for t in request.history],
            kinds=request.kinds,
            sources=request.sources,
        )

    def search(self, request: SearchRequest) -> list[Passage]:
        """The passages `Assistant.retrieve` gives for the checked query."""
        query = clean(request.query)
        self._check_length(query, "query")
        if not 1 <= request.k <= MAX_SEARCH_K:
            raise QuestionError(f"k is {request.k}; ask for 1 to {MAX_SEARCH_K} passages")
        return self.assistant.retrieve(
            query, k=request.k, kinds=clean(request.kinds), sources=clean(request.sources)
        )

    def sources(self) -> list[SourceInfo]:
        """The indexed sources (final-acts files followed by their acts)."""
        return self.assistant.sources()

    def source_text(self, source: str, start: int | None = None, end: int | None = None) -> str:
        """The extracted text of a source (that citation offsets refer to), or a span of it."""
        text = self.assistant.source_text(source)
        if text is None:
            raise SourceError(
                f"{source!r} is not an indexed source; GET /api/sources (or the list_sources "
                "tool) lists the ids"
            )
        lo, hi = start or 0, len(text) if end is None else end
        if not 0 <= lo <= hi:
            raise QuestionError(f"the span {lo}..{hi} is not valid; give 0 <= start <= end")
        return text[lo:hi]

    def source_span(
        self, source: str, start: int | None = None, end: int | None = None
    ) -> SourceText:
        """`source_text` with the id and the offsets of the span it returns."""
        text = self.source_text(source, start, end)
        lo = start or 0
        return SourceText(id=source, start=lo, end=lo + len(text), text=text)

    # -- off the event loop -----------------------------------------------------------------

    async def ask_async(self, request: AskRequest) -> Answer:
        """`ask` in a worker thread, under an admission slot (Busy when the room is full)."""
        request = self.checked(request)
        async with self.admission.slot():
            return await asyncio.to_thread(self.ask, request)

    async def stream(self, request: AskRequest) -> AsyncIterator[str | Answer]:
        """The text pieces of the answer, then the Answer; computed in worker threads.

        The pieces join to exactly `Answer.text` (the answerers' pieces may end in a space).

        The request is checked (and a slot taken) at the first `anext`, so an endpoint can
        turn an error into a 4xx before it starts a streamed response.
        """
        request = self.checked(request)
        history = [t.model_dump() for t in request.history]
        async with self.admission.slot():
            parts = in_threads(
                lambda: self.assistant.stream(
                    request.question,
                    history=history,
                    kinds=request.kinds,
                    sources=request.sources,
                )
            )
            sent = seen = ""
            async for part in parts:
                if isinstance(part, Answer):
                    if part.text.startswith(sent) and part.text != sent:
                        yield part.text[len(sent) :]
                    elif not part.text.startswith(sent):
                        logger.warning("the streamed pieces differ from the final answer text")
                    yield part
                    continue
                # Trailing spaces wait for the next piece: the pieces join to `Answer.text`.
                seen += part
                ready = seen.rstrip()
                if len(ready) > len(sent):
                    yield ready[len(sent) :]
                    sent = ready

    async def search_async(self, request: SearchRequest) -> list[Passage]:
        """`search` in a worker thread (it embeds the query)."""
        return await asyncio.to_thread(self.search, request)

"""The service behind every endpoint: the same answers as `Assistant.ask`, one set of limits,
the JSON forms with every field, and one mapping of errors to HTTP status and message."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import docs_assistant

from assistant import Answer, Assistant, Citation, Passage, SourceInfo
from assistant.errors import FilterError, IndexBusyError, QuestionError, SourceError
from assistant.interfaces.service import (
    MAX_HISTORY_MESSAGES,
    AskRequest,
    SearchRequest,
    Service,
    Turn,
    answer_json,
    failure,
    passages_json,
    sources_json,
)
from assistant.interfaces.web.admission import Busy

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
NOTES = "lighthouse-notes.md"
QUESTION = "Was the fund for the lighthouse keepers approved?"
HISTORY = [
    {"role": "user", "content": "Tell me about the lighthouse keepers' fund."},
    {"role": "assistant", "content": "They asked for one."},
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = docs_assistant(tmp_path_factory.mktemp("service"))
    yield assistant
    assistant.close()


@pytest.fixture
def service(shared: Assistant) -> Service:
    return Service(shared)


@pytest.mark.parametrize(
    ("question", "history", "kinds"),
    [
        (QUESTION, [], None),
        ("Was it approved?", HISTORY, None),
        (QUESTION, [], ["commentary"]),
        ("What is the weather in Busan today?", [], None),
    ],
)
def test_answers_are_those_of_assistant_ask(
    service: Service,
    shared: Assistant,
    question: str,
    history: list[dict[str, str]],
    kinds: list[str] | None,
) -> None:
    request = AskRequest(question=question, history=[Turn(**t) for t in history], kinds=kinds)
    expected = shared.ask(question, history=history, kinds=kinds)
    assert service.ask(request) == expected
    assert asyncio.run(service.ask_async(request)) == expected

    async def streamed() -> list[str | Answer]:
        return [part async for part in service.stream(request)]

    parts = asyncio.run(streamed())
    assert parts[-1] == expected
    assert "".join(p for p in parts if isinstance(p, str)) == expected.text


def test_the_follow_up_reads_the_history(service: Service) -> None:
    answer = service.ask(AskRequest(question="Was it approved?", history=HISTORY))  # type: ignore[arg-type]
    assert answer.citations and answer.citations[0].source == NOTES


def test_json_forms_hold_every_field(service: Service, shared: Assistant) -> None:
    answer = service.ask(AskRequest(question=QUESTION))
    data = answer_json(answer)
    assert data["text"] == answer.text and data["abstained"] is False
    fields = {f.name for f in dataclasses.fields(Citation)}
    assert fields >= {"marker", "source", "title", "locator", "quote", "start", "end", "role"}
    for cited in data["citations"]:
        assert set(cited) == fields
        text = shared.source_text(cited["source"])
        assert text is not None and text[cited["start"] : cited["end"]] == cited["quote"]
    passages = passages_json(service.search(SearchRequest(query="lighthouse keepers", k=3)))
    assert len(passages) == 3 and set(passages[0]) == {f.name for f in dataclasses.fields(Passage)}
    listed = sources_json(service.sources())
    assert {f.name for f in dataclasses.fields(SourceInfo)} == set(listed[0])
    assert NOTES in {s["id"] for s in listed}


def test_an_over_long_question_is_refused_with_the_limit(
    service: Service, shared: Assistant
) -> None:
    limit = shared.settings.max_question_chars
    service.ask(AskRequest(question="lighthouse " + "x" * (limit - 11)))  # at the limit: fine
    with pytest.raises(QuestionError, match=f"at most {limit}") as caught:
        service.ask(AskRequest(question="x" * (limit + 1)))
    assert failure(caught.value).status == 400
    with pytest.raises(QuestionError, match=f"at most {limit}"):
        service.search(SearchRequest(query="x" * (limit + 1)))


def test_too_much_history_and_a_bad_k_are_refused(service: Service) -> None:
    turns = [Turn(role="user", content="hello")] * (MAX_HISTORY_MESSAGES + 1)
    with pytest.raises(QuestionError, match=f"at most {MAX_HISTORY_MESSAGES}"):
        service.ask(AskRequest(question=QUESTION, history=turns))
    for k in (0, 51):
        with pytest.raises(QuestionError, match="1 to 50"):
            service.search(SearchRequest(query="lighthouse", k=k))


def test_unknown_filters_name_what_is_indexed(service: Service) -> None:
    with pytest.raises(FilterError) as caught:
        service.ask(AskRequest(question=QUESTION, kinds=["poetry"]))
    assert "commentary" in str(caught.value)
    assert failure(caught.value).status == 400
    assert failure(caught.value).type == "invalid_request_error"


def test_control_characters_and_surrogates_are_dropped(service: Service, shared: Assistant) -> None:
    answer = service.ask(
        AskRequest(question="Was the fund\x00 for the lighthouse\ud800 keepers approved?")
    )
    assert answer == shared.ask(QUESTION)


def test_source_text_and_spans(service: Service, shared: Assistant) -> None:
    text = shared.source_text(NOTES)
    assert text is not None
    assert service.source_text(NOTES) == text
    assert service.source_text(NOTES, 5, 40) == text[5:40]
    assert service.source_text(NOTES, start=10) == text[10:]
    with pytest.raises(SourceError, match="GET /api/sources") as caught:
        service.source_text("nope.txt")
    assert failure(caught.value).status == 404
    with pytest.raises(QuestionError, match="not valid"):
        service.source_text(NOTES, 40, 5)


def test_errors_map_to_one_status_each() -> None:
    busy = failure(Busy(3, 7))
    assert (busy.status, busy.retry_after, busy.type) == (429, 7, "rate_limit_error")
    assert failure(IndexBusyError("another process writes the index")).status == 503
    crash = failure(RuntimeError("secret path /etc/x"))
    assert crash.status == 500 and "/etc/x" not in crash.message
    body = failure(QuestionError("the question is empty")).body()
    assert body == {
        "error": {"message": "the question is empty", "type": "invalid_request_error", "code": 400}
    }

"""The HTTP API app in process (Starlette's TestClient, no socket) over a fake-embedding
assistant: routes, JSON forms, the API key, and OpenAI-style errors. The official clients
against a launched server are in tests/integration/test_endpoints.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import docs_assistant
from starlette.testclient import TestClient

from assistant import Assistant
from assistant.interfaces.http import API_PREFIXES, MODEL_ID, build_api
from assistant.interfaces.http.app import Dispatch
from assistant.interfaces.service import Service, answer_json
from assistant.interfaces.web.guards import Guard

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
NOTES = "lighthouse-notes.md"
QUESTION = "Was the fund for the lighthouse keepers approved?"
KEY = "k-3f9a"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = docs_assistant(tmp_path_factory.mktemp("http"))
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def client(shared: Assistant) -> TestClient:
    return TestClient(build_api(Service(shared)))


def chat(question: str, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL_ID, "messages": [{"role": "user", "content": question}], **extra}


def test_models(client: TestClient) -> None:
    listed = client.get("/v1/models").json()
    assert [m["id"] for m in listed["data"]] == [MODEL_ID]
    assert client.get(f"/v1/models/{MODEL_ID}").json()["id"] == MODEL_ID
    assert client.get("/v1/models/gpt-4").status_code == 400


def test_chat_completion_carries_the_answer_and_its_citations(
    client: TestClient, shared: Assistant
) -> None:
    body = client.post("/v1/chat/completions", json=chat(QUESTION)).json()
    answer = shared.ask(QUESTION)
    assert body["choices"][0]["message"] == {"role": "assistant", "content": answer.text}
    assert body["abstained"] is False
    assert body["citations"] == answer_json(answer)["citations"]
    assert body["citations"][0]["source"] == NOTES and "role" in body["citations"][0]


def test_a_streamed_completion_joins_to_the_answer(client: TestClient, shared: Assistant) -> None:
    with client.stream("POST", "/v1/chat/completions", json=chat(QUESTION, stream=True)) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    answer = shared.ask(QUESTION)
    assert text == answer.text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"] == answer_json(answer)["citations"]
    assert all("citations" not in c for c in chunks[:-1])


def test_history_and_filters_reach_the_assistant(client: TestClient, shared: Assistant) -> None:
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Tell me about the lighthouse keepers' fund."},
        {"role": "assistant", "content": "They asked for one."},
        {"role": "user", "content": [{"type": "text", "text": "Was it approved?"}]},
    ]
    body = client.post(
        "/v1/chat/completions", json={"model": MODEL_ID, "messages": messages}
    ).json()
    history = [{"role": m["role"], "content": m["content"]} for m in messages[1:3]]
    assert (
        body["choices"][0]["message"]["content"]
        == shared.ask("Was it approved?", history=history).text
    )
    refused = client.post("/v1/chat/completions", json=chat(QUESTION, kinds=["poetry"]))
    assert refused.status_code == 400 and "poetry" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (chat(QUESTION) | {"model": "gpt-4"}, "not served here"),
        ({"model": MODEL_ID, "messages": []}, "last message"),
        ({"model": MODEL_ID, "messages": [{"role": "assistant", "content": "hi"}]}, "last"),
        ({"model": MODEL_ID, "messages": [{"role": "robot", "content": "hi"}]}, "role"),
        ({"model": MODEL_ID}, "messages"),
        (chat("x" * 2001), "at most 2000"),
        (chat(""), "empty"),
        (chat(QUESTION, stream=True) | {"model": "nope"}, "not served"),
    ],
)
def test_bad_input_gets_an_openai_error_object(
    client: TestClient, body: dict[str, Any], says: str
) -> None:
    reply = client.post("/v1/chat/completions", json=body)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert says in error["message"] and error["type"] == "invalid_request_error"
    assert "Traceback" not in reply.text


def test_rest_routes(client: TestClient, shared: Assistant) -> None:
    asked = client.post("/api/ask", json={"question": QUESTION}).json()
    assert asked == answer_json(shared.ask(QUESTION))
    found = client.post("/api/search", json={"query": "lighthouse keepers", "k": 2}).json()
    assert len(found) == 2 and {"text", "source", "locator", "start", "end"} <= set(found[0])
    listed = client.get("/api/sources").json()
    assert NOTES in {s["id"] for s in listed}
    text = shared.source_text(NOTES)
    assert text is not None
    span = client.get(f"/api/sources/{NOTES}/text", params={"start": 3, "end": 30}).json()
    assert span == {"id": NOTES, "start": 3, "end": 30, "text": text[3:30]}
    assert client.get(f"/api/sources/{NOTES}/text").json()["text"] == text
    missing = client.get("/api/sources/nope.txt/text")
    assert missing.status_code == 404 and "GET /api/sources" in missing.json()["error"]["message"]
    assert client.post("/api/ask", json={"question": 3}).status_code == 400
    assert client.get("/api/nothing").status_code == 404


def test_openapi_and_docs_page(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/v1/models", "/api/ask", "/api/search", "/api/sources"} <= set(
        paths
    )
    page = client.get("/api/docs")
    assert page.status_code == 200 and "POST /v1/chat/completions" in page.text


def test_the_api_key_is_required_when_set(shared: Assistant) -> None:
    guarded = TestClient(build_api(Service(shared), api_key=KEY))
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": KEY}):
        reply = guarded.get("/api/sources", headers=headers)
        assert reply.status_code == 401, headers
        assert reply.json()["error"]["type"] == "authentication_error"
        assert reply.headers["www-authenticate"] == "Bearer"
    assert guarded.post("/v1/chat/completions", json=chat(QUESTION)).status_code == 401
    ok = guarded.get("/api/sources", headers={"authorization": f"Bearer {KEY}"})
    assert ok.status_code == 200
    assert guarded.get("/api/openapi.json").status_code == 200  # the docs hold no data


def test_a_login_without_a_key_closes_the_api(shared: Assistant) -> None:
    closed = TestClient(build_api(Service(shared), login=True))
    reply = closed.get("/api/sources")
    assert reply.status_code == 401 and "ASSISTANT_API_KEY" in reply.json()["error"]["message"]


def test_beside_the_page_the_api_passes_the_host_check_but_not_the_login(
    shared: Assistant,
) -> None:
    # The middleware stack `launch` builds: the guard (with a login), then the dispatch.
    async def page(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the page"})

    api = build_api(Service(shared), api_key=KEY, login=True)
    stack = Guard(
        Dispatch(page, api=api),
        hosts=["testserver"],
        logged_in=lambda cookies: False,
        own_auth=API_PREFIXES,
    )
    client = TestClient(stack)
    key = {"authorization": f"Bearer {KEY}"}
    assert client.get("/api/sources", headers=key).status_code == 200  # no login cookie
    assert client.get("/api/sources").status_code == 401
    assert client.get("/config").status_code == 401  # the page still needs its login
    assert client.get("/apis", headers=key).status_code == 401  # not an API path
    wrong_host = client.get("/api/sources", headers={**key, "host": "evil.example"})
    assert wrong_host.status_code == 400
    cross = client.post(
        "/api/ask", json={"question": QUESTION}, headers={**key, "origin": "http://evil.example"}
    )
    assert cross.status_code == 403


def test_a_huge_body_or_history_is_refused(shared: Assistant) -> None:
    async def page(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not for the page")

    client = TestClient(Dispatch(page, api=build_api(Service(shared))))
    huge = client.post("/api/ask", content=b"x" * (2**20 + 1))
    assert huge.status_code == 413 and "at most 1048576" in huge.json()["error"]["message"]
    turns = [{"role": "user", "content": "y" * 2000}] * 2 + [{"role": "user", "content": "z"}]
    long = [{"role": "user", "content": "w" * 199_999}, {"role": "assistant", "content": "ok"}]
    ok = client.post("/api/ask", json={"question": QUESTION, "history": turns})
    assert ok.status_code == 200
    refused = client.post("/api/ask", json={"question": QUESTION, "history": long})
    assert refused.status_code == 400 and "at most 200000" in refused.json()["error"]["message"]

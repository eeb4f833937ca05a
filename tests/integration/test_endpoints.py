"""The HTTP API through the official clients, over real sockets: the `openai` client and
LangChain's `ChatOpenAI` against the web chat's server (Gradio and the API on one port), with
the real packaged model; and `python -m assistant serve` answering on /v1 with its key."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest
from conftest import copy_sources
from gradio_client import Client
from helpers.processes import wait_for_port
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI

from assistant import Assistant, SourceInfo
from assistant.interfaces.http import MODEL_ID, build_api
from assistant.interfaces.service import Service
from assistant.interfaces.web import build_app, launch
from assistant.interfaces.web.admission import Admission

KEY = "test-key-7d1c"
QUESTION = "Who can take part in CWG-Internet?"
FOLLOW_UP = "Who can join it?"
OFF_TOPIC = "What is the weather in Busan today?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    assistant: Assistant


@pytest.fixture(scope="module")
def served(real_assistant: Assistant) -> Iterator[Served]:
    settings = real_assistant.settings
    admission = Admission(slots=settings.web_concurrency, max_waiting=settings.web_queue_size)
    app = build_app(real_assistant, admission=admission)
    api = build_api(Service(real_assistant, admission=admission), api_key=KEY)
    url = launch(app, host="127.0.0.1", port=free_port(), block=False, api=api)
    yield Served(url.rstrip("/"), real_assistant)
    app.close()


@pytest.fixture
def client(served: Served) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{served.url}/v1", api_key=KEY, max_retries=0)


def test_models_lists_the_assistant(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [MODEL_ID]


def test_a_cited_answer_with_verbatim_citations(client: openai.OpenAI, served: Served) -> None:
    reply = client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}]
    )
    answer = served.assistant.ask(QUESTION)
    assert reply.choices[0].message.content == answer.text
    assert "[1]" in answer.text and "CWG-Internet" in answer.text
    extra = reply.model_extra or {}
    assert extra["abstained"] is False
    assert len(extra["citations"]) == len(answer.citations) >= 1
    for cited in extra["citations"]:
        text = served.assistant.source_text(cited["source"])
        assert text is not None and text[cited["start"] : cited["end"]] == cited["quote"]
        assert f"[{cited['marker']}]" in answer.text


def test_a_streamed_answer_joins_to_the_final_text(client: openai.OpenAI, served: Served) -> None:
    stream = client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    pieces = [c.choices[0].delta.content or "" for c in chunks]
    answer = served.assistant.ask(QUESTION)
    assert "".join(pieces) == answer.text
    assert len([p for p in pieces if p]) >= 1
    last = chunks[-1].model_extra or {}
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c["quote"] for c in last["citations"]] == [c.quote for c in answer.citations]


def test_a_follow_up_reads_the_history(client: openai.OpenAI, served: Served) -> None:
    first = served.assistant.ask(QUESTION)
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": first.text},
    ]
    reply = client.chat.completions.create(
        model=MODEL_ID, messages=[*history, {"role": "user", "content": FOLLOW_UP}]
    )
    expected = served.assistant.ask(FOLLOW_UP, history=history)
    assert reply.choices[0].message.content == expected.text
    assert not expected.abstained and "[1]" in expected.text


def test_an_abstention_is_a_normal_reply(client: openai.OpenAI, served: Served) -> None:
    reply = client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": OFF_TOPIC}]
    )
    extra = reply.model_extra or {}
    assert extra["abstained"] is True
    content = reply.choices[0].message.content or ""
    assert "sources do not answer" in content
    assert content == served.assistant.ask(OFF_TOPIC).text


def test_filters_travel_as_extra_body_fields(client: openai.OpenAI, served: Served) -> None:
    reply = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": QUESTION}],
        extra_body={"kinds": ["commentary"]},
    )
    expected = served.assistant.ask(QUESTION, kinds=["commentary"])
    assert reply.choices[0].message.content == expected.text
    with pytest.raises(openai.BadRequestError, match="poetry"):
        client.chat.completions.create(
            model=MODEL_ID,
            messages=[{"role": "user", "content": QUESTION}],
            extra_body={"kinds": ["poetry"]},
        )


def test_no_key_or_a_wrong_key_gets_401(served: Served) -> None:
    for key in ("wrong", ""):
        other = openai.OpenAI(base_url=f"{served.url}/v1", api_key=key or "-", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            other.models.list()
    bare = httpx.post(f"{served.url}/api/ask", json={"question": QUESTION})
    assert bare.status_code == 401 and "ASSISTANT_API_KEY" in bare.json()["error"]["message"]


@pytest.mark.parametrize(
    ("model", "messages", "says"),
    [
        ("gpt-4o", [{"role": "user", "content": QUESTION}], "not served here"),
        (MODEL_ID, [{"role": "assistant", "content": "Hello"}], "last message"),
        (MODEL_ID, [{"role": "user", "content": "x" * 5000}], "at most 2000"),
        (MODEL_ID, [{"role": "user", "content": "   "}], "empty"),
    ],
)
def test_bad_input_gets_a_4xx(
    client: openai.OpenAI, model: str, messages: list[dict[str, str]], says: str
) -> None:
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError, match=says) as caught:
            client.chat.completions.create(model=model, messages=messages, stream=stream)  # type: ignore[call-overload]
        assert caught.value.status_code == 400


def test_langchain_chat_openai_gets_the_same_answer(served: Served) -> None:
    chat = ChatOpenAI(base_url=f"{served.url}/v1", api_key=KEY, model=MODEL_ID, max_retries=0)  # type: ignore[arg-type]
    answer = served.assistant.ask(QUESTION)
    assert chat.invoke(QUESTION).content == answer.text
    assert "".join(str(c.content) for c in chat.stream(QUESTION)) == answer.text
    first = AIMessage(content=answer.text)
    follow = chat.invoke([HumanMessage(QUESTION), first, HumanMessage(FOLLOW_UP)])
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": answer.text}]
    assert follow.content == served.assistant.ask(FOLLOW_UP, history=history).text


def test_rest_and_the_gradio_chat_on_the_same_port(served: Served) -> None:
    key = {"authorization": f"Bearer {KEY}"}
    asked = httpx.post(f"{served.url}/api/ask", json={"question": QUESTION}, headers=key)
    assert asked.status_code == 200
    assert asked.json()["text"] == served.assistant.ask(QUESTION).text
    sources = httpx.get(f"{served.url}/api/sources", headers=key).json()
    assert sources and {f.name for f in dataclasses.fields(SourceInfo)} == set(sources[0])
    assert httpx.get(f"{served.url}/api/docs").status_code == 200
    text = Client(served.url + "/", verbose=False).predict(QUESTION, api_name="/chat")
    assert "[1]" in text and "**References**" in text  # the Gradio endpoint keeps working


def test_the_serve_command_mounts_the_api_with_its_key(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_SOURCES": str(copy_sources(tmp_path / "sources")),
        "ASSISTANT_INDEX": str(tmp_path / "index"),
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_API_KEY": KEY,
        "ASSISTANT_AUTH": "ann:s3cret",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(server, port, "the server")
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY)
        reply = client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}]
        )
        assert "[1]" in (reply.choices[0].message.content or "")  # no login cookie needed
        page = httpx.get(f"http://127.0.0.1:{port}/config")
        assert page.status_code == 401  # the page keeps its login
    finally:
        server.terminate()
        server.wait(30)

"""benchmarks/load.py's parts that need no server: its questions, CPU accounting, HTTP user."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


load = _load_benchmark()


def test_the_question_file_has_forty_distinct_questions_some_unanswerable() -> None:
    questions = load.read_questions()
    assert len(set(questions)) == len(questions) >= 40
    assert "What is the weather in Busan today?" in questions  # not in the sources
    assert not any(q.startswith("#") for q in questions)


def test_read_questions_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text("# a comment\n\n  Who?  \nWhat?\n", "utf-8")
    assert load.read_questions(path) == ["Who?", "What?"]


def test_cpu_seconds_counts_this_process_and_a_process_by_id() -> None:
    before = load.cpu_seconds()
    sum(i * i for i in range(300_000))
    assert load.cpu_seconds() > before
    assert load.cpu_seconds(os.getpid()) > 0


def test_cpu_share_is_of_all_cores_over_the_run() -> None:
    stats = load.Stats(users=1, seconds=10.0, client_cpu_s=5.0)
    summary = stats.summary()
    assert summary["client_cpu_share"] == pytest.approx(5.0 / (10.0 * (os.cpu_count() or 1)))
    assert summary["server_cpu_share"] is None  # no server was started


def _user(events: str) -> object:
    def reply(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            assert json.loads(request.content) == {"data": ["Who?"]}
            return httpx.Response(200, json={"event_id": "e1"})
        assert request.url.path == "/gradio_api/call/chat/e1"
        return httpx.Response(200, text=events)

    user = load.HttpUser("http://test/")
    user.http = httpx.Client(transport=httpx.MockTransport(reply))
    return user


def test_http_user_returns_the_completed_answer() -> None:
    user = _user('event: heartbeat\ndata: null\n\nevent: complete\ndata: ["The answer [1]"]\n\n')
    assert user.predict("Who?", api_name="/chat") == "The answer [1]"  # type: ignore[attr-defined]


def test_http_user_raises_on_an_error_event_or_no_answer() -> None:
    with pytest.raises(RuntimeError, match="error"):
        _user('event: error\ndata: "boom"\n\n').predict("Who?")  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="without an answer"):
        _user("event: heartbeat\ndata: null\n\n").predict("Who?")  # type: ignore[attr-defined]

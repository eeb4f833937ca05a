"""The web chat: the real app over the real model via gradio_client, in this process and as a
`python -m assistant serve` process. The pure rendering helpers are in tests/unit/test_web.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from assistant import Assistant
from assistant.config import Settings
from assistant.interfaces.watch import IndexStatus, SourceWatcher
from assistant.interfaces.web import build_app, launch

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data" / "web"
UPLOAD_LIMIT_MB = 0.05  # small, so the limit itself can be tested cheaply


# -- the real app -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def copy_sources(folder: Path) -> Path:
    target = folder / "sources"
    target.mkdir(parents=True)
    for file in (ROOT / "sources").iterdir():
        if file.is_file():
            shutil.copy(file, target / file.name)
    return target


@dataclass
class Served:
    url: str
    assistant: Assistant
    folder: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("web")
    settings = Settings.model_validate({"max_upload_mb": UPLOAD_LIMIT_MB})
    assistant = Assistant.open(copy_sources(folder), folder / "index", settings=settings)
    app = build_app(assistant)
    url = launch(
        app, host="127.0.0.1", port=free_port(), max_upload_mb=UPLOAD_LIMIT_MB, block=False
    )
    yield Served(url, assistant, folder)
    app.close()
    assistant.close()


def client(url: str, auth: tuple[str, str] | None = None) -> Client:
    return Client(url, auth=auth, verbose=False)


@pytest.mark.slow
def test_chat_endpoint_gives_a_cited_answer(served: Served) -> None:
    text = client(served.url).predict("Who can take part in CWG-Internet?", api_name="/chat")
    assert "[1]" in text and "**References**" in text
    assert "[1] ITU Plenipotentiary 2014: Impressions and analysis of outcomes — " in text
    assert "CWG-Internet" in text


@pytest.mark.slow
def test_chat_endpoint_abstains_when_the_sources_do_not_say(served: Served) -> None:
    text = client(served.url).predict("What is the weather in Busan today?", api_name="/chat")
    assert "sources do not answer" in text
    assert "ITU Plenipotentiary 2014" in text  # names the closest source
    assert "[1]" not in text


@pytest.mark.slow
def test_an_uploaded_file_becomes_answerable(served: Served) -> None:
    app = client(served.url)
    status, table, *_ = app.predict([handle_file(DATA / "zorblat-accord.txt")], api_name="/upload")
    assert "Added: zorblat-accord.txt" in status and "zorblat-accord.txt" in table
    assert (served.folder / "sources" / "zorblat-accord.txt").is_file()
    text = app.predict("Who signed the Zorblat Accord?", api_name="/chat")
    assert "seven lunar cooperatives" in text and "[1]" in text
    assert "The Zorblat Accord (an invented agreement" in text


@pytest.mark.slow
def test_uploading_the_same_file_twice_keeps_one_source(served: Served, tmp_path: Path) -> None:
    # #13: the second upload was stored as briefing-2.txt and cited twice.
    briefing = tmp_path / "briefing.txt"
    briefing.write_text(
        "Briefing on quarks.\n\nThe quark committee met twice and agreed on nothing at all.\n"
    )
    app = client(served.url)
    first, *_ = app.predict([handle_file(briefing)], api_name="/upload")
    assert "Added: briefing.txt" in first
    vectors = served.assistant._store.count()
    second, table, *_ = app.predict([handle_file(briefing)], api_name="/upload")
    assert "Not stored: briefing.txt is already indexed as briefing.txt." in second
    assert not (served.folder / "sources" / "briefing-2.txt").exists()
    assert table.count("briefing.txt") == 1 and served.assistant._store.count() == vectors


@pytest.mark.slow
def test_files_that_fail_are_listed_with_their_reason(served: Served, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a PDF")
    status, *_ = client(served.url).predict([handle_file(broken)], api_name="/upload")
    assert '<ul class="failed"><li><b>broken.pdf</b>: ' in status
    with pytest.raises(Exception, match="Invalid file type"):
        client(served.url).predict([handle_file(DATA / "notes.rtf")], api_name="/upload")
    assert not (served.folder / "sources" / "broken.pdf").exists()  # a bad upload is not kept


@pytest.mark.slow
def test_an_empty_question_gets_a_clear_error(served: Served) -> None:
    with pytest.raises(Exception, match="the question is empty"):
        client(served.url).predict("   ", api_name="/chat")


@pytest.mark.slow
def test_uploads_over_the_limit_are_refused_with_a_clear_message(
    served: Served, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("lorem ipsum " * 10_000)
    with pytest.raises(ValueError, match="exceeds the maximum file size"):
        client(served.url).predict([handle_file(big)], api_name="/upload")
    assert not (served.folder / "sources" / "big.txt").exists()


@pytest.mark.slow
def test_watcher_reindexes_files_dropped_into_sources(served: Served) -> None:
    status = IndexStatus(watching=True)
    watcher = SourceWatcher(served.assistant, status=status, debounce_ms=300)
    watcher.start()
    dropped = served.folder / "sources" / "dropped-note.txt"
    try:
        time.sleep(0.5)
        dropped.write_text(
            "A note dropped in for the tests\n\n"
            "The Plimsoll Gazebo Compact binds nine invented harbour towns.\n"
        )
        # Done when: a file dropped into sources/ is picked up within 10 s.
        _wait_for(
            lambda: status.report is not None and "dropped-note.txt" in status.report.added,
            timeout=10,
        )
        answer = served.assistant.ask("What does the Plimsoll Gazebo Compact bind?")
        assert "nine invented harbour towns" in answer.text
        dropped.unlink()
        _wait_for(lambda: status.report is not None and "dropped-note.txt" in status.report.removed)
    finally:
        watcher.stop()
        dropped.unlink(missing_ok=True)


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.slow
def test_two_clients_at_once_each_get_their_own_answer(served: Served) -> None:
    questions = {
        "Who can take part in CWG-Internet?": "CWG-Internet",
        "What did the conference decide about counterfeit devices?": "ounterfeit",
    }
    answers: dict[str, str] = {}

    def ask(question: str) -> None:
        answers[question] = client(served.url).predict(question, api_name="/chat")

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for question, word in questions.items():
        assert word in answers[question]


@pytest.mark.slow
def test_server_process_answers_within_a_minute_and_watches_sources(tmp_path: Path) -> None:
    """`python -m assistant serve --watch` on a fresh index, with a login: the time from launch
    to the first /chat answer, then a file dropped into sources/ becomes answerable."""
    port = free_port()
    sources = copy_sources(tmp_path)
    env = {
        **os.environ,
        "ASSISTANT_SOURCES": str(sources),
        "ASSISTANT_INDEX": str(tmp_path / "index"),
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_AUTH": "ann:s3cret",
    }
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--watch"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() - started < 60, "the server did not come up in 60 s"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do: no login, no chat
            client(url).predict("Who can take part in CWG-Internet?", api_name="/chat")
        chat = client(url, auth=("ann", "s3cret"))
        text = chat.predict("Who can take part in CWG-Internet?", api_name="/chat")
        seconds = time.monotonic() - started
        print(f"\nlaunch to first /chat answer: {seconds:.1f} s")
        assert "[1]" in text
        assert seconds < 60

        shutil.copy(DATA / "zorblat-accord.txt", sources / "zorblat-accord.txt")
        _wait_for(
            lambda: (
                "seven lunar cooperatives"
                in chat.predict("Who signed the Zorblat Accord?", api_name="/chat")
            ),
            timeout=10,
        )
    finally:
        server.terminate()
        server.wait(30)

"""The web chat: pure rendering helpers, then the real app over the real model via gradio_client."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from assistant import Assistant
from assistant.config import Settings
from assistant.interfaces.watch import IndexStatus, SourceWatcher
from assistant.interfaces.web import (
    answer_html,
    block_html,
    build_app,
    launch,
    paragraph_bounds,
    passage_html,
    report_html,
    sources_html,
    status_html,
    text_html,
)
from assistant.schema import Answer, Citation, IndexReport, Passage, SourceInfo

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "web"
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
UPLOAD_LIMIT_MB = 0.05  # small, so the limit itself can be tested cheaply


# -- pure rendering -------------------------------------------------------------------------


def test_text_html_escapes_markup_and_keeps_lines() -> None:
    assert text_html(XSS) == (
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x "
        "onerror=&quot;window.__pwned=1&quot;&gt;"
    )
    assert text_html("a & b\r\nc\nd") == "a &amp; b<br>c<br>d"
    # A blank line would end the one-line HTML block and let Markdown parse the rest.
    assert block_html("question", "one\n\ntwo") == '<div class="question">one<br><br>two</div>'


SOURCE = "Title\n\nFirst paragraph here.\n\nAlpha beta <b>gamma</b> delta.\nSecond line.\n  \nLast."


def test_paragraph_bounds_expand_to_the_blank_line_block() -> None:
    start = SOURCE.index("<b>gamma")
    low, high = paragraph_bounds(SOURCE, start, start + len("<b>gamma</b>"))
    assert SOURCE[low:high] == "Alpha beta <b>gamma</b> delta.\nSecond line."
    assert paragraph_bounds(SOURCE, 0, 5) == (0, 5)
    last = SOURCE.index("Last")
    assert SOURCE[slice(*paragraph_bounds(SOURCE, last, last + 4))] == "Last."


def test_passage_html_highlights_the_quote_inside_its_escaped_paragraph() -> None:
    start = SOURCE.index("<b>gamma")
    shown = passage_html(SOURCE, start, start + len("<b>gamma</b>"))
    assert shown == ("Alpha beta <mark>&lt;b&gt;gamma&lt;/b&gt;</mark> delta.<br>Second line.")


def test_passage_html_cuts_long_paragraphs_around_the_quote() -> None:
    text = " ".join(f"w{i}" for i in range(2000)) + " QUOTE " + "xxx " * 900
    start = text.index("QUOTE")
    shown = passage_html(text, start, start + 5, limit=100)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "<mark>QUOTE</mark>" in shown and len(shown) < 300


def _citation(marker: int, source_text: str, quote: str, title: str = "Commentary") -> Citation:
    start = source_text.index(quote)
    return Citation(marker, "doc.txt", title, "Section ¶2", quote, start, start + len(quote))


def test_answer_html_links_markers_to_their_references() -> None:
    text = "Intro.\n\nCWG-Internet is open to member states only. Others wait.\n\nEnd."
    c = _citation(1, text, "CWG-Internet is open to member states only.")
    answer = Answer("Only member states take part. [1] See also [7].", [c], False, [])
    shown = answer_html(answer, {"doc.txt": text}.get, "a1")
    assert '<a class="cite" href="#a1-1"' in shown and ">[1]</a>" in shown
    assert "[7]" in shown and "#a1-7" not in shown  # no reference, no link
    assert '<details class="ref" id="a1-1">' in shown
    assert "<mark>CWG-Internet is open to member states only.</mark> Others wait." in shown
    assert "\n" not in shown


def test_a_context_reference_is_shown_as_context_not_as_an_answer() -> None:
    text = "Intro.\n\nDelegates elected a new leadership team. Others wait.\n\nEnd."
    c = replace(_citation(1, text, "Delegates elected a new leadership team."), role="context")
    answer = Answer("The sources do not give a name for this. [1]", [c], True, [])
    shown = answer_html(answer, {"doc.txt": text}.get, "a1")
    assert "Context: the nearest passage, which does not answer the question" in shown
    assert ">References<" not in shown
    assert "**Context**" in answer.to_markdown() and "References" not in answer.to_markdown()
    answered = Answer("They elected a team. [1]", [replace(c, role="answer")], False, [])
    assert ">References<" in answer_html(answered, {"doc.txt": text}.get, "a2")
    assert "**References**" in answered.to_markdown()


def test_answer_html_escapes_source_and_answer_text() -> None:
    text = f"Para one.\n\nThe note reads {XSS} here.\n"
    c = _citation(1, text, XSS, title=f"Title {XSS}")
    answer = Answer(f"It says {XSS} [1]", [c], False, [], notice=f"Note {XSS}")
    shown = answer_html(answer, {"doc.txt": text}.get, "a2")
    assert "<script" not in shown and "<img" not in shown
    assert shown.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") == 5


def test_answer_html_falls_back_to_the_quote_when_the_source_is_gone() -> None:
    c = Citation(1, "gone.txt", "Gone", "¶1", "a <quote>", 0, 9)
    shown = answer_html(Answer("Text [1]", [c], False, []), {}.get, "a3")
    assert "<mark>a &lt;quote&gt;</mark>" in shown


def test_abstention_names_the_closest_sources() -> None:
    near = [
        Passage(f"passage {i} <b>", "doc.txt", "Impressions", f"Sec ¶{i}", "commentary", 0.1, 0, 10)
        for i in range(5)
    ]
    answer = Answer("The sources do not answer this question.", [], True, near)
    shown = answer_html(answer, {}.get, "a4")
    assert 'class="answer abstained"' in shown and "Closest sources" in shown
    assert shown.count('class="ref near"') == 3 and "passage 0 &lt;b&gt;" in shown


def test_sources_html_indents_resolutions_under_their_file() -> None:
    rows = [
        SourceInfo("acts.pdf", "Final Acts <2014>", "resolution", 9),
        SourceInfo("acts.pdf#Resolution 102", "Resolution 102", "resolution", 4, parent="acts.pdf"),
    ]
    shown = sources_html(rows)
    assert "Final Acts &lt;2014&gt;" in shown
    assert '<tr class="child"><td>↳ Resolution 102</td><td>resolution</td><td>4</td>' in shown
    assert "No sources" in sources_html([])


def test_report_html_lists_failures_with_reasons() -> None:
    report = (
        IndexReport(failed=[("big.pdf", "too big")])  # refused before indexing
        .merge(IndexReport(added=["a.txt"], unchanged=["b.txt"], chunks_embedded=3, seconds=1.0))
        .merge(IndexReport(unchanged=["a.txt", "b.txt"], failed=[("c.pdf", "no text <layer>")]))
    )
    assert report.added == ["a.txt"] and report.unchanged == ["b.txt"]
    shown = report_html(report)
    assert "1 added" in shown and "2 failed" in shown
    assert "<b>c.pdf</b>: no text &lt;layer&gt;" in shown and "<b>big.pdf</b>: too big" in shown


def test_index_status_counts_files_and_resolutions() -> None:
    status = IndexStatus(watching=True)
    status.start()
    rows = [
        SourceInfo("a.txt", "A", "commentary", 5),
        SourceInfo("f.pdf", "F", "resolution", 7),
        SourceInfo("f.pdf#R1", "R1", "resolution", 7, parent="f.pdf"),
    ]
    assert "Re-indexing" in status_html(status, rows)
    status.record(error="locked <x>")
    shown = status_html(status, rows)
    assert "2 files</b>, 1 resolutions and decisions, 12 chunks" in shown
    assert "locked &lt;x&gt;" in shown and "re-indexed automatically" in shown
    with pytest.raises(OSError), status.running():
        raise OSError("disk full")
    assert not status.busy and status.error and "disk full" in status.error


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
    status, table, _choices, _files = app.predict(
        [handle_file(DATA / "zorblat-accord.txt")], api_name="/upload"
    )
    assert "Added: zorblat-accord.txt" in status and "zorblat-accord.txt" in table
    assert (served.folder / "sources" / "zorblat-accord.txt").is_file()
    text = app.predict("Who signed the Zorblat Accord?", api_name="/chat")
    assert "seven lunar cooperatives" in text and "[1]" in text
    assert "The Zorblat Accord (an invented agreement" in text


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

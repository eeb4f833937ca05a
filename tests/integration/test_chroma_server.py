"""Scale out: vectors in a Chroma server (`ASSISTANT_CHROMA_URL`), several app processes on it.

A real `chroma run` server on a free loopback port per module (or per test where a test kills
it or fills it with other vectors), the real packaged model where answers matter, and the web
chat under a few simultaneous users (a small version of benchmarks/load.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from conftest import copy_sources
from fakes import KeywordEmbeddings

from assistant import Assistant, AssistantError
from assistant.config import Settings
from assistant.index.catalog import Catalog
from assistant.index.store import COLLECTION

ROOT = Path(__file__).resolve().parents[2]
CHROMA = Path(sys.executable).parent / "chroma"
HEARTBEAT = "/api/v2/heartbeat"  # chromadb 1.x; /api/v1/* answers 410 Gone
QUESTION = "Who can take part in CWG-Internet?"


def _load_benchmark() -> ModuleType:
    """benchmarks/load.py (not a package), the load test this file runs a small version of."""
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


load = _load_benchmark()


@dataclass
class Server:
    url: str
    host: str
    port: int
    process: subprocess.Popen[bytes]

    def client(self):  # type: ignore[no-untyped-def]
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.HttpClient(
            host=self.host, port=self.port, settings=ChromaSettings(anonymized_telemetry=False)
        )

    def count(self) -> int:
        return int(self.client().get_collection(COLLECTION).count())


def start_chroma(path: Path, timeout: float = 60.0) -> Server:
    """`chroma run` on a free loopback port, returned once its heartbeat answers."""
    port = load.free_port()
    log = open(path.parent / f"chroma-{port}.log", "wb")  # noqa: SIM115 - the child owns it
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"chroma exited with {process.returncode}"
        try:
            if httpx.get(url + HEARTBEAT, timeout=1).status_code == 200:
                return Server(url, "127.0.0.1", port, process)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_chroma(process)
            raise AssertionError(f"chroma did not answer {HEARTBEAT} within {timeout:.0f} s")
        time.sleep(0.2)


def stop_chroma(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(15)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Chroma server shared by this module's real-model tests."""
    found = start_chroma(tmp_path_factory.mktemp("chroma") / "data")
    yield found
    stop_chroma(found.process)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Server]:
    """A Chroma server for one test (killed or filled by it)."""
    found = start_chroma(tmp_path / "chroma-data")
    yield found
    stop_chroma(found.process)


@dataclass
class App:
    assistant: Assistant
    sources: Path
    index: Path
    settings: Settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, server: Server) -> Iterator[App]:
    """The real model over the shipped sources, its vectors in `server`."""
    root = tmp_path_factory.mktemp("app")
    settings = Settings(chroma_url=server.url)
    sources = copy_sources(root / "sources")
    assistant = Assistant.open(sources=sources, index=root / "index", settings=settings)
    yield App(assistant, sources, root / "index", settings)
    assistant.close()


# -- the real model, vectors on the server -------------------------------------------------------


@pytest.mark.slow
def test_answers_with_citations_from_the_server(app: App) -> None:
    answer = app.assistant.ask(QUESTION)
    assert not answer.abstained and answer.citations
    assert "CWG-Internet" in answer.text
    for citation in answer.citations:
        text = app.assistant.source_text(citation.source)
        assert text is not None and text[citation.start : citation.end] == citation.quote


@pytest.mark.slow
def test_the_server_holds_the_vectors(app: App, server: Server) -> None:
    catalog = Catalog(app.index)
    try:
        sentences = catalog.sentence_count()
    finally:
        catalog.close()
    assert sentences > 50
    assert server.count() == sentences
    assert not (app.index / "chroma").exists(), "no embedded store beside the server"


SECOND_PROCESS = textwrap.dedent("""
    import dataclasses, json, sys
    from assistant import Assistant
    from assistant.config import Settings
    sources, index, url, question = sys.argv[1:]
    assistant = Assistant.open(sources=sources, index=index, settings=Settings(chroma_url=url),
                               sync=False)
    report = assistant.reindex()
    answer = assistant.ask(question)
    print(json.dumps({"report": dataclasses.asdict(report), "text": answer.text,
                      "citations": [dataclasses.asdict(c) for c in answer.citations]}))
""")


@pytest.mark.slow
def test_a_second_app_process_serves_from_the_same_server(app: App, server: Server) -> None:
    before = server.count()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SECOND_PROCESS,
            str(app.sources),
            str(app.index),
            server.url,
            QUESTION,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["report"]["chunks_embedded"] == 0, "the second process re-embedded"
    assert result["report"]["unchanged"] == ["itu-plenipot-2014-impressions.txt"]
    mine = app.assistant.ask(QUESTION)
    assert result["text"] == mine.text
    assert [c["quote"] for c in result["citations"]] == [c.quote for c in mine.citations]
    assert server.count() == before


@pytest.mark.slow
def test_web_chat_under_a_few_simultaneous_users(app: App) -> None:
    # A small, bounded version of benchmarks/load.py, in this process, on the server's vectors.
    from assistant.interfaces.web import build_app, launch

    blocks = build_app(app.assistant)
    url = launch(blocks, host="127.0.0.1", port=load.free_port(), block=False)
    try:
        stats = load.run_users(url, users=5, rounds=3)
    finally:
        blocks.close()
    summary = stats.summary()
    print(f"\n5 users x 3 questions: {summary}")
    assert stats.requests == 15
    assert stats.failures == 0, stats.errors
    assert summary["p95_s"] < 30  # type: ignore[operator]
    assert stats.max_queue is None or stats.max_queue <= 5  # each user waits for its answer


# -- the server misbehaving (fake embeddings) -----------------------------------------------------


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(chroma_url=f"http://127.0.0.1:{load.free_port()}")  # nobody listens
    started = time.monotonic()
    with pytest.raises(AssistantError, match="check it is running"):
        Assistant.open(
            sources=copy_sources(tmp_path / "sources"),
            index=tmp_path / "index",
            settings=settings,
            embeddings=KeywordEmbeddings(),
        )
    assert time.monotonic() - started < 30


def test_a_server_that_goes_away_is_a_clear_error(tmp_path: Path, own_server: Server) -> None:
    assistant = Assistant.open(
        sources=copy_sources(tmp_path / "sources"),
        index=tmp_path / "index",
        embeddings=KeywordEmbeddings(),
        settings=Settings(chroma_url=own_server.url),
    )
    assert assistant.ask(QUESTION).citations
    own_server.process.send_signal(signal.SIGKILL)
    own_server.process.wait(15)
    for call in (lambda: assistant.ask(QUESTION), assistant.reindex):
        with pytest.raises(AssistantError) as caught:
            call()
        assert own_server.url in str(caught.value) or "Chroma" in str(caught.value)


class SlowKeywordEmbeddings(KeywordEmbeddings):
    """Embeds like a real model on a busy machine: a pause per batch."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        time.sleep(1.0)
        return super().embed_documents(texts)


def test_a_second_deployment_does_not_wipe_the_vectors_another_serves(
    tmp_path: Path,
    own_server: Server,
) -> None:
    settings = Settings(chroma_url=own_server.url)
    sources = copy_sources(tmp_path / "sources")
    first = Assistant.open(
        sources=sources, index=tmp_path / "first", settings=settings, embeddings=KeywordEmbeddings()
    )
    served = own_server.count()
    counts: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        client = own_server.client()
        while not stop.is_set():
            counts.append(int(client.get_collection(COLLECTION).count()))
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        # Another machine, same sources, its own (new) index folder: it may refuse, or share,
        # but the vectors `first` answers from must stay.
        Assistant.open(
            sources=sources,
            index=tmp_path / "second",
            settings=settings,
            embeddings=SlowKeywordEmbeddings(),
        ).close()
    except AssistantError:
        pass
    finally:
        stop.set()
        watcher.join(10)
    counts.append(own_server.count())  # the refusal can come before the watcher's first look
    assert counts and min(counts) >= served, f"the shared vectors dropped to {min(counts)}"
    assert first.retrieve(QUESTION, k=1)
    first.close()

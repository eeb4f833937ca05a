"""Shared fixtures: a tmp copy of the shipped sources, a fake-embedding assistant, the real one.

`real_assistant` is built once per session with the real packaged model; every test that uses
it must treat it as read-only (ask, stream, retrieve, sources, source_text; never reindex or
add_source), because other test files share it.

The layout: tests/unit (no model, no subprocess, no server, no browser; under a minute),
tests/integration (the real model, Chroma as a server, subprocesses, servers on loopback) and
tests/browser (headless Chromium). Every test under integration/ and browser/ is marked `slow`
here, by its folder, so `-m "not slow"` runs what tests/unit holds; `--fast` (what
`scripts/test --fast` passes on) collects tests/unit alone.
tests/unit/test_layout_of_tests.py keeps the unit tests from growing what makes them slow.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHIPPED_SOURCES = REPO / "sources"
TEST_DOCS = REPO / "tests" / "data" / "docs"
SLOW_FOLDERS = ("integration", "browser")  # under tests/; the unit tests are in tests/unit


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        default=False,
        help="run the unit tests only (tests/unit): what `scripts/test --fast` runs",
    )


def _top(path: Path) -> str | None:
    """The first part of `path` inside tests/ (unit, integration, browser, conftest.py...)."""
    try:
        parts = path.resolve().relative_to(TESTS).parts
    except ValueError:
        return None
    return parts[0] if parts else None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With --fast, collect tests/unit only: no slow folder, no test file left in tests/."""
    if not config.getoption("fast"):
        return None
    top = _top(collection_path)
    if top in SLOW_FOLDERS or (top is not None and top.startswith("test_") and top.endswith(".py")):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _top(item.path) in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


def copy_sources(target: Path) -> Path:
    """Copy the shipped sources (with their sidecars) into `target` and return it."""
    target.mkdir(parents=True, exist_ok=True)
    for path in SHIPPED_SOURCES.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
    return target


def docs_assistant(root: Path, embeddings: KeywordEmbeddings | None = None) -> Assistant:
    """A fake-embedding assistant under `root` over the shipped sources and tests/data/docs
    (the invented final-acts sample and lighthouse notes)."""
    folder = copy_sources(root / "sources")
    for path in TEST_DOCS.iterdir():
        shutil.copy2(path, folder / path.name)
    return Assistant.open(
        sources=folder, index=root / "index", embeddings=embeddings or KeywordEmbeddings()
    )


@pytest.fixture(scope="session", autouse=True)
def _no_assistant_environment() -> Iterator[None]:
    """Keep ASSISTANT_* variables of the shell (a Chroma server URL, say) out of the tests."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("ASSISTANT_"):
                mp.delenv(name)
        yield


@pytest.fixture
def sources_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped sources folder."""
    return copy_sources(tmp_path / "sources")


@pytest.fixture
def keyword_embeddings() -> KeywordEmbeddings:
    """The fake embeddings that `fake_assistant` uses (same instance within a test)."""
    return KeywordEmbeddings()


@pytest.fixture
def fake_assistant(
    sources_dir: Path, tmp_path: Path, keyword_embeddings: KeywordEmbeddings
) -> Iterator[Assistant]:
    """An Assistant over `sources_dir` with fake embeddings and a real Chroma in tmp_path."""
    assistant = Assistant.open(
        sources=sources_dir, index=tmp_path / "index", embeddings=keyword_embeddings
    )
    yield assistant
    assistant.close()


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The real packaged model over a copy of the shipped sources; built once, read-only."""
    root = tmp_path_factory.mktemp("real")
    assistant = Assistant.open(sources=copy_sources(root / "sources"), index=root / "index")
    yield assistant
    assistant.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """sources/ with the shipped commentary and the test documents (and their README).

    `folder`, `index`, `emb` and `opened` serve the index tests, unit and integration.
    """
    target = copy_sources(tmp_path / "sources")
    for path in (TESTS / "data" / "docs").iterdir():
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def emb() -> KeywordEmbeddings:
    return KeywordEmbeddings()


@pytest.fixture
def opened(folder: Path, index: Path, emb: KeywordEmbeddings) -> Iterator[Assistant]:
    """An assistant over `folder`, already synced once."""
    assistant = Assistant.open(sources=folder, index=index, embeddings=emb)
    emb.reset()
    yield assistant
    assistant.close()

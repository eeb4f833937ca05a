"""Shared fixtures: a tmp copy of the shipped sources, a fake-embedding assistant, the real one.

`real_assistant` is built once per session with the real packaged model; every test that uses
it must treat it as read-only (ask, stream, retrieve, sources, source_text; never reindex or
add_source), because other test files share it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant

REPO = Path(__file__).resolve().parents[1]
SHIPPED_SOURCES = REPO / "sources"


def copy_sources(target: Path) -> Path:
    """Copy the shipped sources (with their sidecars) into `target` and return it."""
    target.mkdir(parents=True, exist_ok=True)
    for path in SHIPPED_SOURCES.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
    return target


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

"""Removing a source survives a SIGKILL at any step (#13): the next sync finishes the job.

A child process opens the index with fake embeddings, removes a source, and kills itself
(SIGKILL) at a chosen step: after the file is deleted, after its vectors are deleted, or after
the catalog's transaction. The parent then opens the index and checks it agrees with the folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import copy_sources
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore

TESTS = Path(__file__).resolve().parents[1]
COMMENTARY = "itu-plenipot-2014-impressions.txt"
NOTES = "lighthouse-notes.md"

CHILD = textwrap.dedent("""
    import os, signal, sys
    from fakes import KeywordEmbeddings
    from assistant import Assistant
    from assistant.index.catalog import Catalog
    from assistant.index.store import VectorStore
    sources, index, step = sys.argv[1:4]

    def dies_after(cls, name):
        original = getattr(cls, name)
        def wrapped(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
            return result
        setattr(cls, name, wrapped)

    a = Assistant.open(sources=sources, index=index, embeddings=KeywordEmbeddings(), sync=False)
    a._store  # opened before the kill points are armed
    if step == "file":
        dies_after(VectorStore, "writing")  # entered right after the file is deleted
    elif step == "vectors":
        dies_after(VectorStore, "delete_source")
    else:
        dies_after(Catalog, "remove_source")
    a.remove_source(sys.argv[4])
    print("not killed")
""")


@pytest.mark.parametrize("step", ["file", "vectors", "catalog"])
def test_a_removal_killed_at_any_step_is_finished_by_the_next_sync(
    tmp_path: Path, step: str
) -> None:
    sources = copy_sources(tmp_path / "sources")
    shutil.copy2(TESTS / "data" / "docs" / NOTES, sources / NOTES)
    index = tmp_path / "index"
    Assistant.open(sources=sources, index=index, embeddings=KeywordEmbeddings()).close()
    env = {**os.environ, "PYTHONPATH": str(TESTS), "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(sources), str(index), step, NOTES],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr[-2000:]
    assert not (sources / NOTES).exists()  # the decisive step came first
    emb = KeywordEmbeddings()
    again = Assistant.open(sources=sources, index=index, embeddings=emb)
    try:
        assert [s.id for s in again.sources()] == [COMMENTARY]
        assert emb.document_calls == 0  # the commentary's vectors were never touched
        catalog = Catalog(index)
        store = VectorStore(KeywordEmbeddings(), folder=index / "chroma")
        assert store.ids() == catalog.sentence_ids()
        catalog.close()
        passages = again.retrieve("lighthouse keepers foghorn", k=3)
        assert {p.source for p in passages} == {COMMENTARY}
    finally:
        again.close()

"""The index seen from a second process: a restart that embeds nothing and reports a damaged
store, and a writer lock held by another process. The index in one process is tested in
tests/unit/test_index.py (whose fixtures these few repeat).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import IndexBusyError
from assistant.ingest.sync import LOCK_NAME, writer_lock

TESTS = Path(__file__).resolve().parents[1]
DOCS = TESTS / "data" / "docs"
COMMENTARY = "itu-plenipot-2014-impressions.txt"
NOTES = "lighthouse-notes.md"
ACTS = "final-acts-sample.txt"
ALL = [ACTS, COMMENTARY, NOTES]


@pytest.mark.slow  # a second Python process imports chromadb and langchain: 5-10 s
def test_a_new_process_reads_the_index_and_reports_a_damaged_store(
    opened: Assistant,
    folder: Path,
    index: Path,
) -> None:
    # A new process, because Chroma caches open stores per process: first a real restart
    # (nothing embedded), then the same process after the vector store file was overwritten.
    opened.close()
    script = textwrap.dedent(f"""
        from chromadb.api.shared_system_client import SharedSystemClient
        from fakes import KeywordEmbeddings
        from assistant import Assistant
        from assistant.errors import IndexDamagedError
        emb = KeywordEmbeddings()
        a = Assistant.open(sources={str(folder)!r}, index={str(index)!r}, embeddings=emb)
        report = a.reindex()
        print(emb.document_calls, len(report.unchanged),
              a.retrieve("lighthouse keepers foghorn", k=1)[0].source)
        a.close()
        SharedSystemClient.clear_system_cache()
        with open({str(index / "chroma" / "chroma.sqlite3")!r}, "wb") as f:
            f.write(b"garbage" * 1000)
        try:
            Assistant.open(sources={str(folder)!r}, index={str(index)!r}, embeddings=emb)
        except IndexDamagedError as exc:
            print("damaged:", exc)
    """)
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    restart, damaged = done.stdout.splitlines()
    assert restart.split() == ["0", "3", NOTES]
    assert damaged.startswith("damaged:") and "assistant index --rebuild" in damaged


def test_second_writer_in_another_process_is_busy(opened: Assistant, index: Path) -> None:
    # The holder takes the same file lock that writer_lock takes, without importing the
    # package (a second writer process, cheaply).
    script = textwrap.dedent(f"""
        import sys
        from filelock import FileLock
        with FileLock({str(index / LOCK_NAME)!r}):
            print("locked", flush=True)
            sys.stdin.readline()
    """)
    holder = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError), writer_lock(index, wait=0.1):
            pass
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(30)
    assert opened.reindex().unchanged == ALL  # the lock is free again


def test_the_package_imports_and_locks_without_fcntl(tmp_path: Path) -> None:
    # Windows has no fcntl: with its import blocked, the package, the CLI and the web layer
    # import, and the writer lock still excludes a second writer (filelock's portable lock).
    script = textwrap.dedent(f"""
        import sys, warnings
        sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError
        warnings.simplefilter("ignore")
        import assistant, assistant.api, assistant.interfaces.cli, assistant.interfaces.watch
        from assistant.errors import IndexBusyError
        from assistant.ingest.sync import writer_lock
        from pathlib import Path
        index = Path({str(tmp_path / "index")!r})
        with writer_lock(index):
            try:
                with writer_lock(index, wait=0.1):
                    print("not locked")
            except IndexBusyError:
                print("busy")
        with writer_lock(index, wait=0.1):
            print("free")
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["busy", "free"]


def test_no_module_of_the_package_imports_fcntl() -> None:
    package = TESTS.parent / "assistant"
    users = [
        p.relative_to(package).as_posix()
        for p in sorted(package.rglob("*.py"))
        if re.search(r"^\s*(import|from)\s+fcntl\b", p.read_text("utf-8"), re.M)
    ]
    assert users == []

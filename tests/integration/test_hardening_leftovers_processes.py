"""An add killed while it checks the file (issue #18, item 7), in a real second process.

`Assistant.add_source` copies the file to `sources/.incoming-<name>` and checks it before it
takes its place; a SIGKILL then leaves the copy behind, and the next sync removes it once it is
older than a live check can take.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fakes
import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant

TESTS = Path(fakes.__file__).resolve().parent
GOOD = "Zorblat notes\n\nThe Zorblat accord was signed by the harbour pilots of Quarnsey.\n"
HOUR = 3600.0


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


SLOW_ADD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from fakes import KeywordEmbeddings
from assistant import Assistant
from assistant.ingest import sources

def slow(source, **options):  # add_source checks the copy with sources.load: die while it does
    print("checking", flush=True)
    time.sleep(60)

a = Assistant.open(sources=sys.argv[2], index=sys.argv[3], embeddings=KeywordEmbeddings())
sources.load = slow
print("ready", flush=True)
a.add_source(sys.argv[4])
"""


def test_an_add_killed_while_checking_leaves_nothing_behind(
    sources_dir: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    upload = tmp_path / "upload.txt"
    upload.write_text(GOOD)
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_ADD, str(TESTS), str(sources_dir), str(index), str(upload)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "checking":
                break
        else:
            pytest.fail("the child never began checking the file")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    (left,) = sources_dir.glob(".incoming-*")
    age(left, HOUR)  # the next sync comes later
    assistant = Assistant.open(sources=sources_dir, index=index, embeddings=KeywordEmbeddings())
    try:
        assert list(sources_dir.glob(".incoming-*")) == []
        assert not (sources_dir / "upload.txt").exists()
        report = assistant.last_report
        assert report is not None and report.failed == []
    finally:
        assistant.close()

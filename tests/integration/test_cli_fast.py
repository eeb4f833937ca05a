"""The command line answers what needs no model without loading it (#13: a fast CLI).

Each command runs in a fresh Python process over an index the real model built; after it, the
process reports whether torch or sentence-transformers were imported, and how long it took.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant import Assistant

HEAVY = ("torch", "sentence_transformers", "transformers", "mcp")
# What a command that reads only the catalog does not import either (issue 16: under 1 s).
STARTUP = ("langchain_core", "langchain_chroma", "chromadb", "numpy", "onnxruntime")
PROBE = textwrap.dedent("""
    import json, sys
    from assistant.interfaces.cli import main
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # --help
        code = exc.code
    loaded = [m for m in {heavy!r} if m in sys.modules]
    startup = [m for m in {startup!r} if m in sys.modules]
    print("PROBE " + json.dumps({{"code": code, "loaded": loaded, "startup": startup}}))
""").format(heavy=HEAVY, startup=STARTUP)


def cli(*args: str) -> tuple[dict[str, object], str, str, float]:
    """Run `assistant ARGS` in a new process: (probe, stdout, stderr, seconds)."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - began
    lines = done.stdout.splitlines()
    probe = [line for line in lines if line.startswith("PROBE ")]
    assert probe, done.stderr[-2000:]
    out = "\n".join(line for line in lines if not line.startswith("PROBE "))
    return json.loads(probe[-1][6:]), out, done.stderr, seconds


def where(assistant: Assistant) -> list[str]:
    return ["--sources", str(assistant.settings.sources), "--index", str(assistant.settings.index)]


def test_sources_lists_the_index_without_the_model(real_assistant: Assistant) -> None:
    probe, out, err, seconds = cli(*where(real_assistant), "sources")
    assert probe == {"code": 0, "loaded": [], "startup": []}, err
    assert "itu-plenipot-2014-impressions.txt" in out
    assert seconds < 5.0  # measured about 1 s; it was 12-22 s with the model


def test_help_loads_no_model() -> None:
    probe, out, _, _ = cli("--help")
    assert probe == {"code": 0, "loaded": [], "startup": []}
    assert "sources" in out


@pytest.mark.parametrize(
    "args",
    [["ask", "   "], ["ask", "What is CWG-Internet?", "--kind", "resolutoin"]],
    ids=["empty question", "unknown kind"],
)
def test_refused_input_loads_no_model(real_assistant: Assistant, args: list[str]) -> None:
    probe, _, err, _ = cli(*where(real_assistant), *args)
    assert probe["code"] == 1 and probe["loaded"] == [], err
    assert "onnxruntime" not in probe["startup"]  # refused before any model is loaded
    assert err.startswith("error: ")


def test_a_question_imports_neither_torch_nor_langchain_chroma(real_assistant: Assistant) -> None:
    # ONNX Runtime embeds the question; langchain-chroma is only for writes.
    probe, out, err, _ = cli(*where(real_assistant), "ask", "Who can take part in CWG-Internet?")
    assert probe["code"] == 0 and probe["loaded"] == [], err
    assert "onnxruntime" in probe["startup"] and "langchain_chroma" not in probe["startup"]
    assert "[1]" in out


def copied_index(real_assistant: Assistant, tmp_path: Path) -> list[str]:
    """A copy of the real index and its sources, for commands that change them."""
    shutil.copytree(real_assistant.settings.sources, tmp_path / "sources")
    shutil.copytree(real_assistant.settings.index, tmp_path / "index")
    return ["--sources", str(tmp_path / "sources"), "--index", str(tmp_path / "index")]


def test_describe_and_remove_load_no_model(real_assistant: Assistant, tmp_path: Path) -> None:
    place = copied_index(real_assistant, tmp_path)
    source = "itu-plenipot-2014-impressions.txt"
    probe, out, err, seconds = cli(*place, "describe", source, "--title", "Impressions")
    assert (probe["code"], probe["loaded"]) == (0, []), err
    assert f"described: {source}" in out
    probe, out, err, _ = cli(*place, "sources")
    assert "Impressions" in out and "ITU Plenipotentiary 2014:" not in out
    probe, out, err, _ = cli(*place, "remove", source)
    assert (probe["code"], probe["loaded"]) == (0, []), err
    assert not (tmp_path / "sources" / source).exists()
    probe, out, err, _ = cli(*place, "sources")
    assert source not in out and "nothing is indexed" in err
    probe, _, err, _ = cli(*place, "remove", "nope.pdf")
    assert (probe["code"], probe["loaded"]) == (1, []) and "'nope.pdf'" in err


def test_replace_indexes_the_new_file_under_the_same_id(
    real_assistant: Assistant, tmp_path: Path
) -> None:
    place = copied_index(real_assistant, tmp_path)
    source = "itu-plenipot-2014-impressions.txt"
    new = tmp_path / "revised.txt"
    new.write_text(
        "Invented revised commentary, written for this test.\n\nThe Zorblat committee met"
        " twice and agreed on an invented harbour-bell register.\n",
        encoding="utf-8",
    )
    probe, out, err, _ = cli(*place, "replace", source, str(new))
    assert probe["code"] == 0, err
    assert f"replaced: {source}" in out
    assert "Zorblat" in (tmp_path / "sources" / source).read_text("utf-8")
    probe, _, err, _ = cli(*place, "replace", "nope.pdf", str(new))
    assert probe["code"] == 1 and "'nope.pdf'" in err


def test_add_reports_the_acts_found_and_a_second_copy(
    real_assistant: Assistant, tmp_path: Path
) -> None:
    place = copied_index(real_assistant, tmp_path)
    document = Path(__file__).parents[1] / "data" / "final-acts-layouts" / "canonical.txt"
    probe, out, err, _ = cli(*place, "add", str(document))
    assert probe["code"] == 0, err
    assert "indexed: canonical.txt" in out
    assert "canonical.txt: final acts: 3 resolutions (310, 311, 299), 1 decision (12)" in out
    copy = tmp_path / "copy.txt"
    shutil.copy(document, copy)
    probe, out, err, _ = cli(*place, "add", str(copy))
    assert probe["code"] == 0, err
    assert "not stored: copy.txt is already indexed as canonical.txt" in out

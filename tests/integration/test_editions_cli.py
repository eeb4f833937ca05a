"""`assistant compare` and `assistant verify` in new processes over an index the real model
built from the two invented editions: compare loads no model; verify re-checks what
`assistant ask --json` printed, before and after its source is edited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.editions import copy_editions

from assistant import Assistant

HEAVY = ("torch", "sentence_transformers", "transformers")
PROBE = textwrap.dedent("""
    import json, sys
    from assistant.interfaces.cli import main
    code = main(sys.argv[1:])
    loaded = [m for m in {heavy!r} if m in sys.modules]
    print("PROBE " + json.dumps({{"code": code, "loaded": loaded}}))
""").format(heavy=HEAVY)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    root = tmp_path_factory.mktemp("editions-cli")
    built = Assistant.open(sources=copy_editions(root / "sources"), index=root / "index")
    built.close()
    yield ["--sources", str(root / "sources"), "--index", str(root / "index")]


def cli(*args: str) -> tuple[dict[str, object], str, str]:
    """Run `assistant ARGS` in a new process: (probe, stdout, stderr)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    lines = done.stdout.splitlines()
    probe = [line for line in lines if line.startswith("PROBE ")]
    assert probe, done.stderr[-2000:]
    out = "\n".join(line for line in lines if not line.startswith("PROBE "))
    return json.loads(probe[-1][6:]), out, done.stderr


def test_compare_loads_no_model(folders: list[str]) -> None:
    probe, out, err = cli(*folders, "compare", "130", "--old", "Guadalajara, 2010")
    assert probe == {"code": 0, "loaded": []}, err
    assert "6 changed, 7 unchanged" in out and "added     recalling c)" in out


def test_sources_names_each_act_s_other_editions(folders: list[str]) -> None:
    probe, out, err = cli(*folders, "sources")
    assert probe == {"code": 0, "loaded": []}, err
    lines = out.splitlines()
    also = "  also: Rev. Guadalajara, 2010"
    assert f"    Resolution 130 (Rev. Busan, 2014)  [resolution, 12 chunks]{also}" in lines
    assert "    Resolution 978 (Busan, 2014)  [resolution, 3 chunks]" in lines


def test_compare_json_lists_the_planted_changes(folders: list[str]) -> None:
    probe, out, err = cli(*folders, "compare", "Resolution 101", "--json")
    assert probe["code"] == 0, err
    data = json.loads(out)
    changed = [(c["kind"], c["block"]) for c in data["changes"] if c["kind"] != "unchanged"]
    assert changed == [("modified", "noting")]


def test_compare_explains_an_act_held_once(folders: list[str]) -> None:
    probe, out, err = cli(*folders, "compare", "978")
    assert probe == {"code": 1, "loaded": []}
    assert "one edition only" in err and "Traceback" not in err


def test_verify_checks_a_saved_answer(folders: list[str], tmp_path: Path) -> None:
    probe, out, err = cli(*folders, "ask", "What does Resolution 102 resolve?", "--json")
    assert probe["code"] == 0, err
    saved = tmp_path / "answer.json"
    saved.write_text(out, "utf-8")
    answer = json.loads(out)
    assert answer["citations"] and set(answer["fingerprint"]) == {
        c["source"] for c in answer["citations"]
    }
    probe, out, err = cli(*folders, "verify", str(saved))
    assert probe["code"] == 0 and out.startswith("ok: all"), err
    first = answer["citations"][0]
    path = Path(folders[1]) / first["source"]
    path.write_text(path.read_text("utf-8").replace(first["quote"], "that nothing is kept;"))
    probe, out, err = cli(*folders, "verify", str(saved))
    assert probe["code"] == 1
    assert f"[{first['marker']}] {first['source']}" in err and "stale" in err


def test_a_reader_that_stops_early_gets_no_traceback(folders: list[str]) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [sys.executable, "-m", "assistant", *folders, "compare", "130", "--json"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        # Closed before the process (still importing) prints: its first write meets a closed
        # pipe, as `| head -1` makes a long output do.
        process.stdout.close()
        err = process.stderr.read()
        assert process.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err

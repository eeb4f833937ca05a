"""The `compare` and `verify` commands' bodies (interfaces/revisions.py) over a fake-embedding
index; tests/integration/test_editions_cli.py runs the real commands in new processes."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings
from helpers.editions import copy_editions

from assistant import Assistant
from assistant.errors import SourceError
from assistant.interfaces import revisions


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Assistant]:
    assistant = Assistant.open(
        sources=copy_editions(tmp_path / "sources"),
        index=tmp_path / "index",
        embeddings=KeywordEmbeddings(),
    )
    yield assistant
    assistant.close()


def test_compare_prints_each_change_with_both_quotes(
    opened: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    assert revisions.run_compare(opened, "130", None, None, as_json=False) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Resolution 130: Rev. Guadalajara, 2010 (final-acts-2010.txt) -> "
        "Rev. Busan, 2014 (final-acts-2014.txt)\n6 changed, 7 unchanged\n"
    )
    assert "moved     resolves 2 -> 3" in out
    assert "words: that storms {+and high winds+} over the invented northern coast" in out
    assert "removed   considering c)\n  old: “that a lost pigeon" in out


def test_compare_json_is_the_comparison(
    opened: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    revisions.run_compare(opened, "Resolution 102", "Guadalajara, 2010", None, as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(dataclasses.asdict(opened.compare("102"))))
    assert [c["kind"] for c in data["changes"] if c["kind"] != "unchanged"] == ["added"]


def test_verify_reads_a_saved_answer_and_reports(
    opened: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = opened.ask("What does Resolution 102 resolve?")
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(dataclasses.asdict(answer)), "utf-8")
    assert revisions.run_verify(opened, str(saved)) == 0
    assert capsys.readouterr().out.startswith("ok: all")
    cited = answer.citations[0].source
    path = opened.settings.sources / cited
    path.write_text(path.read_text("utf-8").replace("lantern codes", "lamp codes"), "utf-8")
    opened.reindex()
    assert revisions.run_verify(opened, str(saved)) == 1
    err = capsys.readouterr().err
    assert err.startswith("stale: ") and f"[1] {cited}" in err


@pytest.mark.parametrize("content", [None, "[1, 2]", "{bad json"])
def test_verify_refuses_what_is_no_answer(
    opened: Assistant, tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "answer.json"
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(SourceError, match="answer.json"):
        revisions.run_verify(opened, str(path))

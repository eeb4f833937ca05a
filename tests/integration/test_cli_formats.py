"""`assistant ask --format`: plain text by default, Markdown, JSON, CSL-JSON and BibTeX, over a
final-acts PDF typeset in the test (the real model answers)."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from data.make_final_acts_pdf import write_pdf

from assistant.interfaces import cli

DATA = Path(__file__).parents[1] / "data"
QUESTION = "What does Resolution 102 resolve about entries in the register?"
META = {
    "title": "Sample final acts (invented test document)",
    "author": "Test Conference",
    "publisher": "Test Union",
    "date": "2014-11-07",
    "url": "https://example.org/final-acts.pdf",
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("formats")
    (root / "sources").mkdir()
    pdf = root / "sources" / "final-acts.pdf"
    write_pdf((DATA / "final-acts-sample.txt").read_text("utf-8"), pdf)
    pdf.with_name(pdf.name + ".meta.json").write_text(json.dumps(META), "utf-8")
    return ["--sources", str(root / "sources"), "--index", str(root / "index")]


def ask(folders: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert cli.main([*folders, "ask", QUESTION, *extra]) == cli.EXIT_OK
    return capsys.readouterr().out


def test_every_format(folders: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = ask(folders, capsys)
    assert "**" not in text and "\n\n\n" not in text
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "resolves 2, p. 2" in " ".join(text.split())

    md = ask(folders, capsys, "--format", "md")
    assert "**References**" in md

    data = json.loads(ask(folders, capsys, "--json"))
    assert data == json.loads(ask(folders, capsys, "--format", "json"))
    assert data["citations"] and all(c["page"] and c["author"] for c in data["citations"])

    items = json.loads(ask(folders, capsys, "--format", "csl"))
    assert items and {"id", "type", "title", "author", "issued", "URL", "page"} <= set(items[0])
    assert items[0]["publisher"] == "Test Union" and items[0]["type"] == "legislation"

    library = bibtexparser.parse_string(ask(folders, capsys, "--format", "bibtex"))
    assert library.failed_blocks == [] and len(library.entries) == len(items)
    fields = library.entries[0].fields_dict
    assert fields["url"].value == META["url"] and fields["pages"].value == items[0]["page"]

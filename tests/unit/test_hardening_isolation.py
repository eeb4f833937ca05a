"""One bad file never stops the index (issue #18, item 1).

A file whose name is not valid UTF-8, a sidecar holding a lone surrogate or control characters,
a text with a lone surrogate, a parser that crashes, a file that vanishes: each is one entry in
`IndexReport.failed` (or is cleaned), and every other source indexes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.errors import SourceError
from assistant.ingest import loaders, structure
from assistant.ingest import sources as source_files
from assistant.schema import Segment

COMMENTARY = "itu-plenipot-2014-impressions.txt"
GOOD = "Zorblat notes\n\nThe Zorblat accord was signed by the harbour pilots of Quarnsey.\n"


def open_assistant(sources: Path, tmp_path: Path) -> Assistant:
    return Assistant.open(sources=sources, index=tmp_path / "index", embeddings=KeywordEmbeddings())


def printable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_a_file_name_that_is_not_utf8_fails_alone(sources_dir: Path, tmp_path: Path) -> None:
    bad = Path(os.fsdecode(bytes(sources_dir) + b"/bad\xffname.txt"))
    bad.write_bytes(b"x\n\nThe rule says y, and the rule is long enough to be a sentence.\n")
    (sources_dir / "good.txt").write_text(GOOD)
    assistant = open_assistant(sources_dir, tmp_path)
    try:
        report = assistant.last_report
        assert report is not None
        assert sorted(report.added) == sorted([COMMENTARY, "good.txt"])
        ((name, reason),) = report.failed
        # The id and the reason can be printed, logged and stored: the bad byte is escaped.
        assert printable(name) and printable(reason)
        assert "\\xff" in name and "bad" in name
        assert "rename" in reason and "UTF-8" in reason
        assert {s.id for s in assistant.sources()} == {COMMENTARY, "good.txt"}
        answer = assistant.ask("Who signed the Zorblat accord?")
        assert answer.citations and answer.citations[0].source == "good.txt"
        again = assistant.reindex()  # a second sync does not trip over it either
        assert again.unchanged == sorted([COMMENTARY, "good.txt"])
    finally:
        assistant.close()
    assert bad.exists(), "the user's file is never deleted"


def test_a_bad_name_inside_a_folder(sources_dir: Path, tmp_path: Path) -> None:
    folder = Path(os.fsdecode(bytes(sources_dir) + b"/dir\xfe"))
    folder.mkdir()
    (folder / "inner.txt").write_text(GOOD)
    assistant = open_assistant(sources_dir, tmp_path)
    try:
        report = assistant.last_report
        assert report is not None and report.added == [COMMENTARY]
        ((name, reason),) = report.failed
        assert printable(name) and name == "dir\\xfe/inner.txt"
        assert "rename" in reason
    finally:
        assistant.close()


def write_sidecar(path: Path, raw_json: str) -> None:
    source_files.sidecar_path(path).write_text(raw_json, "utf-8")


def test_a_lone_surrogate_in_a_sidecar_is_cleaned(sources_dir: Path, tmp_path: Path) -> None:
    path = sources_dir / "good.txt"
    path.write_text(GOOD)
    # JSON escapes: a lone high surrogate, a bell, a newline, an escape; and a bad key.
    write_sidecar(
        path,
        '{"title": "Zorblat \\ud800 notes\\u0007\\n", "author": "A\\u001b[31m B",'
        ' "kind": "commentary", "bad\\udfffkey": "v"}',
    )
    assistant = open_assistant(sources_dir, tmp_path)
    try:
        report = assistant.last_report
        assert report is not None and report.failed == []
        assert sorted(report.added) == sorted([COMMENTARY, "good.txt"])
        (row,) = [s for s in assistant.sources() if s.id == "good.txt"]
        assert row.title == "Zorblat notes"
        assert row.kind == "commentary"
        answer = assistant.ask("Who signed the Zorblat accord?")
        assert answer.citations and answer.citations[0].title == "Zorblat notes"
    finally:
        assistant.close()


def test_a_title_given_when_adding_is_cleaned(fake_assistant: Assistant, tmp_path: Path) -> None:
    # `assistant add f --title $'\xff'`: argv bytes that are not UTF-8 arrive as surrogates.
    path = tmp_path / "zorblat.txt"
    path.write_text(GOOD)
    report = fake_assistant.add_source(path, title="Zorblat \udcff notes", kind="commentary")
    assert report.added == ["zorblat.txt"] and report.failed == []
    (row,) = [s for s in fake_assistant.sources() if s.id == "zorblat.txt"]
    assert row.title == "Zorblat notes"


def test_sidecar_strings_are_cleaned_when_read(tmp_path: Path) -> None:
    path = tmp_path / "good.txt"
    path.write_text(GOOD)
    write_sidecar(path, json.dumps({"title": "T\ud800i\x00t\x7fle\u2028", "date": 2014}))
    (found,) = source_files.scan(tmp_path)
    assert found.meta == {"title": "Title", "date": "2014"}
    assert all(printable(k) and printable(v) for k, v in found.meta.items())


def read_with_a_lone_surrogate(data: bytes) -> str:
    """A loader (at module level, so a parser worker can run it) that yields a lone surrogate."""
    return data.decode("utf-8").replace("LONE", "\ud800")


def test_a_lone_surrogate_in_extracted_text(sources_dir: Path, tmp_path: Path) -> None:
    # A PDF's broken ToUnicode map can give pypdf lone surrogates; a loader stands in for it.
    loaders.register_loader(".zzq", read_with_a_lone_surrogate)
    try:
        (sources_dir / "odd.zzq").write_text(GOOD.replace("Quarnsey", "Quarnsey LONE"))
        assistant = open_assistant(sources_dir, tmp_path)
        try:
            report = assistant.last_report
            assert report is not None and report.failed == []
            text = assistant.source_text("odd.zzq")
            assert text is not None and printable(text) and "\ud800" not in text
            answer = assistant.ask("Who signed the Zorblat accord?")
            assert answer.citations and answer.citations[0].source == "odd.zzq"
            c = answer.citations[0]
            assert text[c.start : c.end] == c.quote
        finally:
            assistant.close()
    finally:
        loaders.LOADERS.pop(".zzq", None)


def fail_quoting_broken_text(data: bytes) -> str:
    """A loader whose error message quotes the file's broken text (a lone surrogate)."""
    raise ValueError("unexpected glyph \ud800 in the font map")


def test_a_parser_error_that_quotes_broken_text(sources_dir: Path, tmp_path: Path) -> None:
    loaders.register_loader(".zzr", fail_quoting_broken_text)
    try:
        (sources_dir / "glyphs.zzr").write_text(GOOD)
        assistant = open_assistant(sources_dir, tmp_path)
        try:
            report = assistant.last_report
            assert report is not None and report.added == [COMMENTARY]
            ((name, reason),) = report.failed
            assert name == "glyphs.zzr" and printable(reason) and "glyph" in reason
            assert assistant.reindex().failed == []  # remembered: its reason could be stored
        finally:
            assistant.close()
    finally:
        loaders.LOADERS.pop(".zzr", None)


@pytest.fixture
def crashing_structure(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`structure.segments` fails (a parser bug) for texts that mention CRASHME."""
    segments = structure.segments

    def fragile(text: str, shape: str, *, kind: str) -> list[Segment]:
        if "CRASHME" in text:
            raise IndexError("list index out of range")
        return segments(text, shape, kind=kind)

    monkeypatch.setattr(structure, "segments", fragile)
    yield


@pytest.mark.usefixtures("crashing_structure")
def test_a_parser_that_crashes_on_one_file(sources_dir: Path, tmp_path: Path) -> None:
    (sources_dir / "crash.txt").write_text("Crash notes\n\nCRASHME is a long enough sentence.\n")
    (sources_dir / "good.txt").write_text(GOOD)
    assistant = open_assistant(sources_dir, tmp_path)
    try:
        report = assistant.last_report
        assert report is not None
        assert sorted(report.added) == sorted([COMMENTARY, "good.txt"])
        ((name, reason),) = report.failed
        assert name == "crash.txt" and "IndexError" in reason
    finally:
        assistant.close()


def test_a_file_that_vanishes_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text(GOOD)
    (found,) = source_files.scan(tmp_path)
    path.unlink()
    with pytest.raises(SourceError, match=r"^gone\.txt: .*cannot be read"):
        source_files.load(found)

"""Leftovers (issue #18, item 7): orphaned `.incoming-*` files, refused files reported once,
and text files made of control characters. The add killed mid-check, a real second process, is
in test_hardening_leftovers_processes.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.errors import SourceError
from assistant.ingest import sources as source_files

COMMENTARY = "itu-plenipot-2014-impressions.txt"
GOOD = "Zorblat notes\n\nThe Zorblat accord was signed by the harbour pilots of Quarnsey.\n"
HOUR = 3600.0


def open_assistant(sources: Path, index: Path) -> Assistant:
    return Assistant.open(sources=sources, index=index, embeddings=KeywordEmbeddings())


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


# -- orphaned .incoming-* files ---------------------------------------------------------------


def test_old_incoming_files_are_removed_on_the_next_sync(sources_dir: Path, tmp_path: Path) -> None:
    old = sources_dir / ".incoming-upload.pdf"
    old.write_bytes(b"%PDF-1.4 half a copy")
    age(old, HOUR)
    old_sidecar = sources_dir / ".incoming-notes.txt.meta.json"
    old_sidecar.write_text('{"title": "half')
    age(old_sidecar, HOUR)
    (sources_dir / "sub").mkdir()
    nested = sources_dir / "sub" / ".incoming-deep.txt"
    nested.write_text(GOOD)
    age(nested, HOUR)
    fresh = sources_dir / ".incoming-now.txt"  # an add_source checking it right now
    fresh.write_text(GOOD)
    other = sources_dir / ".hidden-note"  # not ours: left alone
    other.write_text("keep me")
    age(other, HOUR)
    assistant = open_assistant(sources_dir, tmp_path / "index")
    try:
        assert not old.exists() and not old_sidecar.exists() and not nested.exists()
        assert fresh.exists() and other.exists()
        report = assistant.last_report
        assert report is not None and report.failed == [] and report.added == [COMMENTARY]
    finally:
        assistant.close()


# -- refused files are reported once ----------------------------------------------------------


def test_a_refused_file_is_reported_once(sources_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    broken = sources_dir / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assistant = open_assistant(sources_dir, index)
    try:
        first = assistant.last_report
        assert first is not None and [f for f, _ in first.failed] == ["broken.docx"]
        assert "not a valid .docx" in dict(first.failed)["broken.docx"]
        again = assistant.reindex()
        assert again.failed == [] and "broken.docx" not in again.unchanged + again.added
        assert broken.exists(), "the user's file is never deleted"
    finally:
        assistant.close()
    # Remembered in the index, not in the process: a new process stays quiet too.
    reopened = open_assistant(sources_dir, index)
    try:
        assert reopened.last_report is not None and reopened.last_report.failed == []
        # Changed (and still broken): reported again, once.
        broken.write_bytes(b"PK\x03\x04 still not a zip, but other bytes")
        changed = reopened.reindex()
        assert [f for f, _ in changed.failed] == ["broken.docx"]
        assert reopened.reindex().failed == []
        # A rebuild starts over: everything is reported again.
        assert [f for f, _ in reopened.reindex(rebuild=True).failed] == ["broken.docx"]
        # Fixed: indexed.
        broken.unlink()
        (sources_dir / "broken.txt").write_text(GOOD)
        fixed = reopened.reindex()
        assert fixed.added == ["broken.txt"] and fixed.failed == []
    finally:
        reopened.close()


def test_a_refused_file_removed_and_put_back_is_reported_again(
    sources_dir: Path, tmp_path: Path
) -> None:
    broken = sources_dir / "empty.md"
    broken.write_bytes(b"")
    assistant = open_assistant(sources_dir, tmp_path / "index")
    try:
        assert assistant.last_report is not None
        assert [f for f, _ in assistant.last_report.failed] == ["empty.md"]
        broken.unlink()
        assert assistant.reindex().failed == []
        broken.write_bytes(b"")
        assert [f for f, _ in assistant.reindex().failed] == ["empty.md"]
    finally:
        assistant.close()


def test_a_source_that_breaks_is_reported_once_and_keeps_its_last_good_version(
    fake_assistant: Assistant, sources_dir: Path
) -> None:
    before = fake_assistant.source_text(COMMENTARY)
    (sources_dir / COMMENTARY).write_bytes(b"\x00\x01\x02" * 100)
    assert [f for f, _ in fake_assistant.reindex().failed] == [COMMENTARY]
    again = fake_assistant.reindex()
    assert again.failed == [] and again.removed == []
    assert fake_assistant.source_text(COMMENTARY) == before


# -- text made of control characters ----------------------------------------------------------


def load_error(path: Path) -> str:
    (found,) = [f for f in source_files.scan(path.parent) if f.path == path]
    with pytest.raises(SourceError) as caught:
        source_files.load(found)
    return str(caught.value)


def test_utf8_text_of_control_characters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    # Valid UTF-8 (every byte below 0x80), but hardly a character of it is text.
    path.write_bytes(bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13)) * 50 + b"Hi.")
    message = load_error(path)
    assert message.startswith("controls.txt: ")
    assert "binary" in message and "control characters" in message


def test_binary_looking_text_with_some_words_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dump.md"
    chunk = "The rule says y. " + "".join(chr(c) for c in (1, 2, 3, 4, 5, 6, 7, 8, 14, 27)) * 2
    path.write_text(chunk * 40)
    assert "binary" in load_error(path)


def test_utf16_text_of_control_characters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("\x01\x02\x03\x04\x05\x06\x07\x08".encode("utf-16") * 20)
    assert "binary" in load_error(path)


def test_text_with_a_few_control_characters_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    # A stray escape and a vertical tab in a real paragraph are no reason to refuse it.
    path.write_text("Notes\n\nThe \x1b[1mZorblat\x1b[0m accord was signed.\x0b It took days.\n")
    (found,) = source_files.scan(tmp_path)
    assert "Zorblat" in source_files.load(found).text


def test_the_threshold_is_a_named_constant() -> None:
    assert 0 < source_files.MAX_CONTROL_SHARE < 0.5

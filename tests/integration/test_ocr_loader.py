"""A scanned PDF with ASSISTANT_OCR on: `ocrmypdf` is run in a real subprocess.

The `ocrmypdf` here is a stand-in written by the test: a script on PATH that copies a PDF
with a text layer to its output, as the real program would write one. Every document is
invented for the tests; none is ITU text.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers.documents import image_only_pdf, load_file, text_pdf

from assistant.errors import SourceError
from assistant.ingest.sandbox import ParseLimits


def fake_ocrmypdf(folder: Path, body: str) -> Path:
    folder.mkdir()
    program = folder / "ocrmypdf"
    program.write_text(f"#!{sys.executable}\nimport shutil, sys, time\n{body}\n")
    program.chmod(0o755)
    return folder


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    (tmp_path / "sources").mkdir()
    return image_only_pdf(tmp_path / "sources" / "scan.pdf")


def limits(timeout: float = 60.0) -> ParseLimits:
    return ParseLimits(60.0, 30.0, 1024, ocr=True, ocr_timeout=timeout)


def test_ocrmypdf_adds_the_text_layer_and_its_text_is_indexed(
    tmp_path: Path, scan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = text_pdf(tmp_path / "ocred.pdf", ["Glimmer survey of Florin", "The quiet bands hold."])
    # It checks it was given the scan, and writes the text PDF where it was asked to.
    body = (
        "given, made = sys.argv[-2], sys.argv[-1]\n"
        "assert open(given, 'rb').read()[:5] == b'%PDF-'\n"
        f"shutil.copy({str(done)!r}, made)"
    )
    monkeypatch.setenv("PATH", str(fake_ocrmypdf(tmp_path / "bin", body)))
    loaded = load_file(scan, limits())
    assert "The quiet bands hold." in loaded.text
    assert loaded.title == "Glimmer survey of Florin"


def test_ocrmypdf_that_fails_is_reported_with_its_last_words(
    tmp_path: Path, scan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "print('PriorOcrFoundError: the glim is blurred', file=sys.stderr); sys.exit(6)"
    monkeypatch.setenv("PATH", str(fake_ocrmypdf(tmp_path / "bin", body)))
    with pytest.raises(SourceError) as caught:
        load_file(scan, limits())
    message = str(caught.value)
    assert "exit status 6: PriorOcrFoundError: the glim is blurred" in message
    assert "run `ocrmypdf in.pdf out.pdf` yourself" in message


def test_ocrmypdf_that_takes_too_long_is_stopped(
    tmp_path: Path, scan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(fake_ocrmypdf(tmp_path / "bin", "time.sleep(30)")))
    with pytest.raises(SourceError, match=r"took more than 1 s .* raise ASSISTANT_OCR_TIMEOUT"):
        load_file(scan, limits(timeout=1.0))


def test_ocrmypdf_that_finds_no_text_says_so(
    tmp_path: Path, scan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "shutil.copy(sys.argv[-2], sys.argv[-1])"  # still pictures only
    monkeypatch.setenv("PATH", str(fake_ocrmypdf(tmp_path / "bin", body)))
    with pytest.raises(SourceError, match="found no text on the scanned pages"):
        load_file(scan, limits())

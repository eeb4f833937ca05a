"""Hostile files whose extraction could hang (a decompression bomb, a huge HTML page): each is
read by tests/helpers/load_source.py in a subprocess with a timeout, so a bug costs seconds, not
the suite. The rest of the hostile input is in tests/unit/test_hostile.py.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
LOAD_SOURCE = TESTS / "helpers" / "load_source.py"


def load_in_subprocess(path: Path, timeout: float) -> dict[str, object]:
    """What tests/helpers/load_source.py says about `path`; fail if it takes too long."""
    try:
        done = subprocess.run(
            [sys.executable, str(LOAD_SOURCE), str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"extracting {path.name} took more than {timeout:.0f} s")
    assert done.returncode == 0, done.stderr[-3000:]
    outcome: dict[str, object] = json.loads(done.stdout)
    return outcome


def docx_bomb(path: Path, megabytes: int) -> Path:
    """A real .docx whose document.xml inflates to about `megabytes` MB of paragraphs."""
    import docx

    document = docx.Document()
    document.add_paragraph("A small document.")
    buffer = io.BytesIO()
    document.save(buffer)
    template = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    paragraph = "<w:p><w:r><w:t>" + "bomb " * 200 + "</w:t></w:r></w:p>"
    chunk = (paragraph * (1_000_000 // len(paragraph))).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, template.read(info))
                continue
            head, tail = template.read(info).decode().split("<w:body>")
            with archive.open("word/document.xml", "w", force_zip64=True) as member:
                member.write((head + "<w:body>").encode())
                for _ in range(megabytes):
                    member.write(chunk)
                member.write(tail.encode())
    return path


def test_a_small_docx_is_read(tmp_path: Path) -> None:
    outcome = load_in_subprocess(docx_bomb(tmp_path / "small.docx", 1), timeout=60)
    assert outcome["ok"] is True


def test_a_docx_bomb_under_the_upload_cap_is_refused_quickly(tmp_path: Path) -> None:
    bomb = docx_bomb(tmp_path / "bomb.docx", 190)
    assert bomb.stat().st_size < 2 * 2**20  # well under the 20 MB upload limit
    outcome = load_in_subprocess(bomb, timeout=6)
    assert outcome["ok"] is False and float(outcome["seconds"]) < 5  # type: ignore[arg-type]


def test_a_long_html_page_is_read_quickly(tmp_path: Path) -> None:
    page = tmp_path / "long.html"
    page.write_text(
        "<html><body>"
        + "".join(f"<p>Paragraph {i} of a long report on harbour dues.</p>" for i in range(20_000))
        + "</body></html>"
    )  # about 1 MB, under the upload limit
    outcome = load_in_subprocess(page, timeout=6)
    assert outcome["ok"] is True and float(outcome["seconds"]) < 5  # type: ignore[arg-type]

"""Loading source files: formats, encodings, hostile files, metadata sidecars, scanning."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.errors import AssistantError, SourceError
from assistant.ingest import loaders, sources
from assistant.ingest.naming import safe_target


def load_file(path: Path) -> sources.LoadedSource:
    """Load one file the way the indexer does (scan describes it, load reads it)."""
    found = {f.path: f for f in sources.scan(path.parent)}
    return sources.load(found[path])


def load_error(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: "), "the message names the file"
    return message


# -- formats --------------------------------------------------------------------------------


def test_txt(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Budget notes\n\nThe Council approved the budget.\r\nIt took two days.\n")
    loaded = load_file(path)
    assert loaded.id == "notes.txt"
    assert "The Council approved the budget.\nIt took two days." in loaded.text
    assert "\r" not in loaded.text
    assert loaded.title == "Budget notes"  # no sidecar: the first short line


def test_md(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Orbit notes\n\n## Satellites\n\nSatellite filings were discussed.\n")
    loaded = load_file(path)
    assert "Satellite filings were discussed." in loaded.text
    # The title shows in citations and answers: no Markdown heading marks.
    assert loaded.title == "Orbit notes"


def test_html_drops_scripts_styles_and_head(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Tab title</title><style>p { color: red }</style>"
        "<script>var secret = 'tracking-code';</script></head><body>"
        "<h1>Spectrum</h1><p>Delegates debated <b>spectrum</b> sharing.</p>"
        "<script>alert('popup')</script><noscript>Enable JavaScript</noscript>"
        "<ul><li>First point</li><li>Second point</li></ul></body></html>"
    )
    text = load_file(path).text
    assert "Delegates debated spectrum sharing." in text
    for hidden in ("tracking-code", "popup", "color: red", "Enable JavaScript", "Tab title"):
        assert hidden not in text
    # Block elements become separate blocks, so structure sees paragraphs.
    assert "First point\n\nSecond point" in text


def test_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in (
        "Spectrum allocation notes",
        "The conference agreed to study satellite orbit filings.",
    ):
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.multi_cell(0, 8, "A second page about broadband in rural areas.")
    path = tmp_path / "report.pdf"
    pdf.output(str(path))
    loaded = load_file(path)
    assert "satellite orbit filings" in loaded.text
    assert "broadband in rural areas" in loaded.text
    assert loaded.title == "Spectrum allocation notes"


def test_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Accessibility notes", level=1)
    document.add_paragraph("Persons with disabilities were discussed at length.")
    document.add_paragraph("   ")  # blank paragraphs are dropped
    document.add_paragraph("A resolution on accessibility was revised.")
    path = tmp_path / "notes.docx"
    document.save(str(path))
    loaded = load_file(path)
    assert loaded.text.startswith("Accessibility notes\n\n")
    assert (
        "Persons with disabilities were discussed at length.\n\n"
        "A resolution on accessibility was revised."
    ) in loaded.text


# -- encodings ------------------------------------------------------------------------------


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    text = "Café “Busan” résumé — naïve\n"
    (tmp_path / "plain.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_file(tmp_path / "plain.txt").text == text
    assert load_file(tmp_path / "bom.txt").text == text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Résolution sur l’accessibilité\r\nUne deuxième ligne.\r\n"
    bom = b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff"
    path = tmp_path / "wide.txt"
    path.write_bytes(bom + text.encode(codec))
    loaded = load_file(path)
    assert loaded.text == "Résolution sur l’accessibilité\nUne deuxième ligne.\n"
    assert "\ufeff" not in loaded.text


def test_cp1252_fallback(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("“Smart quotes” cost 5 € at the café.\n".encode("cp1252"))
    assert load_file(path).text == "“Smart quotes” cost 5 € at the café.\n"


def test_latin1_last_resort(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in cp1252, so only latin-1 can decode this.
    path = tmp_path / "odd.txt"
    path.write_bytes(b"caf\xe9 \x81 and \x8d in a sentence that is mostly text.\n")
    assert load_file(path).text == "caf\xe9 \x81 and \x8d in a sentence that is mostly text.\n"


# -- hostile and broken files ---------------------------------------------------------------


def test_binary_file_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert "binary" in load_error(path)


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13)) * 50 + b"\xff")
    assert "binary" in load_error(path)


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(random.Random(7).randbytes(4096))
    assert ".pdf" in load_error(path)


def test_random_bytes_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(random.Random(7).randbytes(4096))
    assert "not a valid .docx" in load_error(path)


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    assert "cannot read as .docx" in load_error(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in load_error(path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("  \n\n\t\n")
    assert "no text" in load_error(path)


def test_docx_bomb(tmp_path: Path) -> None:
    # 210 MiB of zeros deflate to about 1 MB; the limit on the inflated size is 200 MiB.
    path = tmp_path / "bomb.docx"
    block = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(loaders.MAX_DOCX_UNCOMPRESSED // len(block) + 10):
            member.write(block)
    assert path.stat().st_size < 5 * 1024 * 1024
    message = load_error(path)
    assert "inflate" in message and "unsafe" in message


def test_source_error_is_an_assistant_error() -> None:
    assert issubclass(SourceError, AssistantError)


# -- metadata sidecars ----------------------------------------------------------------------


def test_sidecar_metadata(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("First line\n\nSome text about the conference.\n")
    meta = {
        "title": "Conference notes",
        "author": "A. Writer",
        "kind": "commentary",
        "date": "2014-11",
    }
    sources.write_sidecar(path, meta)
    assert sources.sidecar_path(path) == tmp_path / "notes.txt.meta.json"
    loaded = load_file(path)
    assert loaded.title == "Conference notes"
    assert loaded.kind == "commentary"
    assert loaded.meta == meta


def test_sidecar_changes_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some text about the conference.\n")
    before = sources.scan(tmp_path)[0].digest
    sources.write_sidecar(path, {"title": "New title"})
    assert sources.scan(tmp_path)[0].digest != before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00garbage"])
def test_unreadable_sidecar_is_ignored(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Plain title\n\nSome text about the conference.\n")
    sources.sidecar_path(path).write_bytes(raw)
    loaded = load_file(path)
    assert loaded.meta == {}
    assert loaded.title == "Plain title"


def test_shipped_sidecar() -> None:
    root = Path(__file__).resolve().parents[2] / "sources"
    (found,) = [f for f in sources.scan(root) if f.id == "itu-plenipot-2014-impressions.txt"]
    assert found.meta["kind"] == "commentary"
    assert found.meta["author"] == "Avri Doria"
    loaded = sources.load(found)
    assert loaded.title == "ITU Plenipotentiary 2014: Impressions and analysis of outcomes"


# -- scanning -------------------------------------------------------------------------------


def test_scan_picks_sources_only(tmp_path: Path) -> None:
    files = {
        "a.txt": "text",
        "b.md": "text",
        "c.html": "<p>x</p>",
        "d.htm": "<p>x</p>",
        "e.PDF": "x",
        "f.docx": "x",
        "sub/g.txt": "text",
        "sub/README.md": "nested readme",
        "README.md": "describes the folder",
        "a.txt.meta.json": "{}",
        ".hidden.txt": "text",
        ".git/objects.txt": "text",
        "sub/.cache/h.txt": "text",
        "notes.json": "{}",
        "picture.png": "x",
        "noext": "x",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    ids = [f.id for f in sources.scan(tmp_path)]
    assert ids == [
        "a.txt",
        "b.md",
        "c.html",
        "d.htm",
        "e.PDF",
        "f.docx",
        "sub/README.md",
        "sub/g.txt",
    ]


def test_scan_of_missing_folder(tmp_path: Path) -> None:
    assert sources.scan(tmp_path / "nowhere") == []


def test_scan_digest_is_content_hash(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("same text")
    (tmp_path / "two.txt").write_text("same text")
    one, two = sources.scan(tmp_path)
    assert one.digest == two.digest and len(one.digest) == 64
    (tmp_path / "two.txt").write_text("other text")
    assert sources.scan(tmp_path)[1].digest != one.digest


def test_scan_ids_use_forward_slashes(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "x.txt").write_text("text")
    assert [f.id for f in sources.scan(tmp_path)] == ["deep/er/x.txt"]
    assert json.dumps([f.id for f in sources.scan(tmp_path)]) == '["deep/er/x.txt"]'


# -- the loader registry --------------------------------------------------------------------


@pytest.fixture
def registry() -> Iterator[None]:
    """Let a test register loaders; the registry is as it was afterwards."""
    saved = dict(loaders.LOADERS)
    yield
    loaders.LOADERS.clear()
    loaders.LOADERS.update(saved)


def read_csvnote(data: bytes) -> str:
    """A toy format: `heading,text` lines become headed paragraphs."""
    rows = [line.split(",", 1) for line in loaders.decode(data).splitlines() if "," in line]
    return "\n\n".join(f"{head.strip()}\n\n{text.strip()}" for head, text in rows)


CSVNOTE = "Gazebo notes,The Plimsoll Gazebo Compact binds nine invented harbour towns.\n"


@pytest.mark.usefixtures("registry")
def test_a_registered_format_is_scanned_read_and_indexed(tmp_path: Path) -> None:
    loaders.register_loader(".csvnote", read_csvnote, label="csv notes")
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "gazebo.csvnote").write_text(CSVNOTE)
    assert [f.id for f in sources.scan(folder)] == ["gazebo.csvnote"]
    assert load_file(folder / "gazebo.csvnote").title == "Gazebo notes"
    # The indexer's own path: Assistant.open syncs the folder, add_source names and copies.
    elsewhere = tmp_path / "more.CSVNOTE"
    elsewhere.write_text("Harbour notes,Each harbour town sends one delegate.\n")
    assistant = Assistant.open(folder, tmp_path / "index", embeddings=KeywordEmbeddings())
    try:
        assert assistant.add_source(elsewhere).added == ["more.csvnote"]
        assert [s.id for s in assistant.sources()] == ["gazebo.csvnote", "more.csvnote"]
        text = assistant.source_text("gazebo.csvnote") or ""
        assert "binds nine invented harbour towns." in text
    finally:
        assistant.close()


@pytest.mark.usefixtures("registry")
def test_the_upload_field_offers_every_registered_format(fake_assistant: Assistant) -> None:
    from assistant.interfaces import web

    loaders.register_loader(".csvnote", read_csvnote, label="csv notes")
    app = web.build_app(fake_assistant)
    (upload,) = [b for b in app.blocks.values() if getattr(b, "elem_id", None) == "upload"]
    assert upload.file_types == loaders.accepted_suffixes()
    assert {".csvnote", ".pdf", ".txt", ".md", ".html", ".htm", ".docx"} == set(upload.file_types)
    assert upload.label.startswith("Add documents (pdf, txt, md, html, docx, csv notes; at most")


@pytest.mark.parametrize("name", ["notes.rtf", "notes.csvnote", "noext"])
def test_an_unregistered_suffix_is_refused_with_a_clear_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Some text about the conference.\n")
    assert sources.scan(tmp_path) == []
    accepted = ".docx, .htm, .html, .md, .pdf, .txt"
    with pytest.raises(SourceError, match=f"is not a document format .*; use {accepted}$"):
        sources.load(sources.SourceFile(name, path, ""))
    with pytest.raises(SourceError, match=f"^{name!r}: only {accepted} files can be added$"):
        safe_target(tmp_path, name)


@pytest.mark.parametrize("suffix", ["csvnote", ".tar.gz", ".", ""])
def test_register_loader_refuses_a_malformed_suffix(suffix: str) -> None:
    with pytest.raises(ValueError, match="such as '.pdf'"):
        loaders.register_loader(suffix, read_csvnote)
    assert loaders.accepted_suffixes() == [".docx", ".htm", ".html", ".md", ".pdf", ".txt"]

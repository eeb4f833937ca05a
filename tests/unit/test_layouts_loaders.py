"""Loaders on real layouts (issue #12): HTML blocks and `<br>`, DOCX tables and headings,
scanned PDFs, and titles that are never a page number, a mark, a date or a site's chrome.

Every document here is invented for the tests; none is ITU text.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers.documents import image_only_pdf, load_file, text_pdf

from assistant.config import Settings
from assistant.errors import SourceError
from assistant.ingest import loaders, structure, titles
from assistant.ingest.sandbox import ParseLimits

# Invented for the tests; not ITU text.
WEB_PAGE = """<!DOCTYPE html><html><head><title>Zorblat | News site</title>
<script>var tracker = 1;</script><style>.x { color: red }</style></head><body>
<!-- Invented for the tests; not ITU text. -->
<header><a href="#main">Skip to main content</a> <button>Menu</button></header>
<nav><ul><li><a href="/">Home</a></li><li>Archive</li></ul></nav>
<div role="banner">Advertisement</div><div class="ad-slot wide">Buy glimmer now</div>
<div id="cookie_banner">This site uses cookies.</div><p class="skip-link">Skip to content</p>
<main><article>
<header><h1>The Zorblat Accord on quiet frequencies</h1></header>
<p>The delegates of Florin agreed on the
    quiet bands after three days.</p>
<p>First line of a verse<br>second line of the verse<br><br>A paragraph after two breaks.</p>
<h2>What was
  decided</h2>
<ul><li>• recalling the Frobnitz plan;</li><li>- a) the glimmer report;</li>
<li>* b) the wobble study;</li><li>-5 degrees was the coldest reading</li></ul>
<table><tr><th>Band</th><th>Use</th></tr><tr><td><p>Glim</p></td><td>quiet<br>links</td></tr></table>
<p class="shared-note lead">• a bullet typed into the text</p>
<footer>Article by Nob Quill</footer>
</article></main>
<aside>Related: other stories</aside>
<footer>We use cookies to improve this site. <a>Accept</a></footer>
</body></html>"""


# -- HTML -----------------------------------------------------------------------------------


def test_html_paragraphs_come_from_blocks_and_br_runs() -> None:
    text = loaders.html_file_text(WEB_PAGE.encode())
    paragraphs = text.strip().split("\n\n")
    assert paragraphs == [
        "The Zorblat Accord on quiet frequencies",
        "The delegates of Florin agreed on the quiet bands after three days.",
        "First line of a verse\nsecond line of the verse",  # one <br>: a line break
        "A paragraph after two breaks.",  # two <br>: a paragraph break
        "What was decided",  # a heading is one line
        "recalling the Frobnitz plan;",  # list markers are gone
        "a) the glimmer report;",
        "b) the wobble study;",
        "-5 degrees was the coldest reading",  # a minus sign is no marker
        "Band | Use",  # a table row is a paragraph of its cells
        "Glim | quiet links",
        "a bullet typed into the text",
        "Article by Nob Quill",  # the article's own footer is text
    ]


def test_html_chrome_scripts_and_styles_are_not_text() -> None:
    text = loaders.html_file_text(WEB_PAGE.encode())
    for chrome in (
        "Skip to main content",
        "Menu",
        "Home",
        "Archive",
        "Advertisement",
        "Related",
        "cookies",
        "tracker",
        "color: red",
        "News site",
        "Invented",
        "Buy glimmer",
        "Skip to content",
    ):
        assert chrome not in text


def test_html_headings_are_headings_for_the_structure() -> None:
    page = (
        "<!-- Invented for the tests; not ITU text. -->"
        "<h1>Glimmer notes</h1><p>An opening paragraph about the glimmer bands of Florin.</p>"
        "<h2>The second day</h2><p>Delegates argued.<br>Then they agreed.</p>"
        "<h3>Closing words</h3><p>The chair thanked everyone for the quiet week.</p>"
    )
    text = loaders.html_file_text(page.encode())
    found = [(s.locator, s.text) for s in structure.commentary_segments(text)]
    assert found == [
        ("Opening ¶1", "An opening paragraph about the glimmer bands of Florin."),
        ("The second day ¶1", "Delegates argued.\nThen they agreed."),
        ("Closing words ¶1", "The chair thanked everyone for the quiet week."),
    ]


def test_html_source_is_loaded_with_its_first_heading_as_title(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(WEB_PAGE, "utf-8")
    loaded = load_file(path)
    assert loaded.title == "The Zorblat Accord on quiet frequencies"
    assert "First line of a verse\nsecond line of the verse\n\nA paragraph" in loaded.text


# -- DOCX -----------------------------------------------------------------------------------


def make_docx(path: Path, *, title: str = "") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.comments = "Invented for the tests; not ITU text."
    document.core_properties.title = title
    document.add_heading("Frobnitz working notes", level=0)  # the Title style
    document.add_paragraph("An opening paragraph on the frobnitz schedule.")
    heading = document.add_heading("Votes by ", level=2)
    heading.add_run().add_break()  # a line break inside a heading: still one line
    heading.add_run("region")
    document.add_paragraph("The votes were counted by the glen clerks on the second day.")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows, [("Region", "Yes", "No"), ("North", "12", "3")], strict=False
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "Southern glens"
    table.cell(2, 2).text = "7"
    document.add_paragraph("A closing paragraph after the table.")
    document.save(str(path))
    return path


def test_docx_keeps_tables_in_order_and_headings_as_lines(tmp_path: Path) -> None:
    extracted = loaders.docx_text(make_docx(tmp_path / "notes.docx").read_bytes())
    assert extracted.text.split("\n\n") == [
        "Frobnitz working notes",
        "An opening paragraph on the frobnitz schedule.",
        "Votes by region",
        "The votes were counted by the glen clerks on the second day.",
        "Region | Yes | No",
        "North | 12 | 3",
        "Southern glens | 7",  # a merged cell once
        "A closing paragraph after the table.",
    ]
    found = [s.locator for s in structure.commentary_segments(extracted.text)]
    assert found[:2] == ["Opening ¶1", "Votes by region ¶1"]


def test_docx_table_rows_are_passages_not_headings(tmp_path: Path) -> None:
    extracted = loaders.docx_text(make_docx(tmp_path / "notes.docx").read_bytes())
    found = [s.text for s in structure.commentary_segments(extracted.text)]
    assert "North | 12 | 3" in found


def test_docx_title_from_core_properties_when_real(tmp_path: Path) -> None:
    real = load_file(make_docx(tmp_path / "a.docx", title="Minutes of the Glim meeting"))
    assert real.title == "Minutes of the Glim meeting"
    for poor in ("Microsoft Word - notes.docx", "Document1", "Untitled", "  "):
        (tmp_path / "b.docx").unlink(missing_ok=True)
        loaded = load_file(make_docx(tmp_path / "b.docx", title=poor))
        assert loaded.title == "Frobnitz working notes", poor


# -- PDF ------------------------------------------------------------------------------------


def test_a_scanned_pdf_is_refused_with_the_ocr_command(tmp_path: Path) -> None:
    path = image_only_pdf(tmp_path / "scan.pdf")
    assert loaders.pdf_text(path.read_bytes()).scanned
    with pytest.raises(SourceError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith("scan.pdf: looks like a scanned PDF with no text layer")
    assert "ocrmypdf in.pdf out.pdf" in message and "Debian package ocrmypdf" in message
    assert "ASSISTANT_OCR=1" in message


def test_a_pdf_with_text_is_not_taken_for_a_scan(tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "short.pdf", ["378", "Quiet bands of Florin", "A short page."])
    extracted = loaders.pdf_text(path.read_bytes())
    assert not extracted.scanned
    assert load_file(path).title == "Quiet bands of Florin"  # not the page number


def test_pdf_title_from_its_metadata_when_real(tmp_path: Path) -> None:
    lines = ["MOD", "A first line that is no title"]
    real = text_pdf(tmp_path / "a.pdf", lines, title="Report on the glimmer bands")
    assert load_file(real).title == "Report on the glimmer bands"
    poor = text_pdf(tmp_path / "b.pdf", lines, title="Microsoft Word - draft.doc")
    assert load_file(poor).title == "A first line that is no title"  # never the mark "MOD"


def test_the_ocr_setting_reaches_the_parse_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ParseLimits.from_settings(Settings()).ocr is False
    monkeypatch.setenv("ASSISTANT_OCR", "1")
    monkeypatch.setenv("ASSISTANT_OCR_TIMEOUT", "12")
    limits = ParseLimits.from_settings(Settings())
    assert limits.ocr is True and limits.ocr_timeout == 12.0


def test_with_ocr_on_but_no_ocrmypdf_the_message_says_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    path = image_only_pdf(tmp_path / "scan.pdf", pages=1)
    with pytest.raises(SourceError, match=r"ocrmypdf` is not on PATH: install it"):
        load_file(path, ParseLimits(60.0, 30.0, 1024, ocr=True))


# -- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "378",
        "- 12 -",
        "Page 3 of 12",
        "xii",
        "MOD",
        "ADD",
        "(SUP)",
        "MOD PP-14",
        "12 November 2014",
        "Wednesday, 12 Nov. 2014",
        "November 12, 2014",
        "2014-11-12",
        "https://example.org/zorblat",
        "www.example.org",
        "Skip to main content",
        "Menu",
        "Advertisement",
        "Home",
        "This site uses cookies. By continuing you accept our cookie policy.",
        "Res. 102 123",
        "ab",
    ],
)
def test_never_a_title(line: str) -> None:
    assert not titles.is_title(line)


@pytest.mark.parametrize(
    "line",
    ["Zorblat Accord", "Civic glimmer notes", "Resolution 7 on quiet bands", "May the bands rest"],
)
def test_a_real_title(line: str) -> None:
    assert titles.is_title(line)


def test_title_order_sidecar_embedded_line_file_name() -> None:
    text = "378\n\nMOD\n\n12 November 2014\n\nSkip to main content\n\n## Glim report\n\nBody."
    path = Path("sources/glim-2014.pdf")
    assert titles.choose(text, path, sidecar="From the sidecar", embedded="Own") == (
        "From the sidecar"
    )
    assert titles.choose(text, path, embedded="The file's own title") == "The file's own title"
    assert titles.choose(text, path, embedded="untitled") == "Glim report"
    assert titles.choose("378\n\nMOD\n", path) == "glim-2014"


def test_an_html_copy_of_a_resolution_parses_into_its_clauses() -> None:
    page = (
        "<!-- Invented for the tests; not ITU text. -->"
        "<p>ADD</p><h2>RESOLUTION 977 (BUSAN, 2014)</h2><p>Quiet glimmer bands</p>"
        "<p>The Plenipotentiary Conference of the International Telecommunication Union<br>"
        "(Busan, 2014),</p>"
        "<ul><li>• considering</li><li>a) that the glimmer bands are quiet;</li>"
        "<li>b) that Florin asked for them,</li></ul>"
        "<p>resolves</p><p>1 to keep the bands quiet;<br>2 to review them yearly.</p>"
    )
    text, shape = structure.prepare(loaders.html_file_text(page.encode()))
    assert shape == "final-acts"
    act = "Resolution 977 (Busan, 2014)"
    assert [(s.locator, s.text) for s in structure.segments(text, shape)] == [
        (f"{act} › title", "Quiet glimmer bands"),
        (f"{act} › considering a)", "that the glimmer bands are quiet;"),
        (f"{act} › considering b)", "that Florin asked for them,"),
        (f"{act} › resolves 1", "to keep the bands quiet;"),
        (f"{act} › resolves 2", "to review them yearly."),
    ]


def test_a_pdf_without_pages_is_empty_not_scanned() -> None:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    assert loaders.pdf_text(buffer.getvalue()) == loaders.Extracted("", title="", scanned=False)

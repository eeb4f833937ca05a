"""The document view: a source's whole text, escaped, with its quotes lit and an outline."""

from __future__ import annotations

import shutil
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from assistant import Assistant, Citation
from assistant.interfaces.web import document
from assistant.interfaces.web.document import document_html, parse_spans
from assistant.interfaces.web.render import document_link

DATA = Path(__file__).parents[1] / "data"
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def test_page_escapes_the_text_marks_each_span_and_outlines_it() -> None:
    text = f"Intro {XSS}\n\nSection A\n\nQuoted words here. More. Second quote.\n"
    a, b = text.index("Quoted words here."), text.index("Second quote.")
    spans = [(a, a + 18), (b, b + 13)]
    page = document_html(
        "x/notes.txt",
        text,
        spans,
        [("Intro", 0), ("Section A", text.index("Section A"))],
        {"title": "Notes <b>", "author": "A & B", "url": "javascript:alert(1)"},
    )
    assert "<script>window" not in page and "<img" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert '<mark id="quote">Quoted words here.</mark>' in page
    assert "<mark>Second quote.</mark>" in page
    assert '<a href="#at-0">Intro</a>' in page
    assert f'<a href="#at-{text.index("Section A")}" class=here>Section A</a>' in page
    assert "Notes &lt;b&gt;" in page and "A &amp; B" in page
    assert "javascript:" not in page  # only http(s) URLs become links, and this one is not


def test_spans_from_the_query_are_checked() -> None:
    assert parse_spans("5-9,1-3,9-4,x-2,3-100", 50) == [(1, 3), (5, 9)]
    assert parse_spans("", 10) == []


def test_reference_links_name_the_source_and_its_quotes() -> None:
    cited = [
        Citation(1, "a b/c#d.txt", "T", "L", "q", 3, 9),
        Citation(1, "a b/c#d.txt", "T", "L", "r", 20, 30),
    ]
    assert document_link(cited) == "sources/a%20b/c%23d.txt?q=3-9,20-30#quote"


def test_route_serves_an_indexed_source_and_404s_others(tmp_path: Path, emb: object) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(DATA / "web" / "xss-source.txt", sources / "xss source.txt")
    assistant = Assistant.open(sources=sources, index=tmp_path / "index", embeddings=emb)  # type: ignore[arg-type]
    client = TestClient(Starlette(routes=document.routes(assistant)))
    text = assistant.source_text("xss source.txt")
    assert text is not None
    at = text.index("Quuxian delegation")
    shown = client.get(f"/sources/xss%20source.txt?q={at}-{at + 18}")
    assert shown.status_code == 200
    assert '<mark id="quote">Quuxian delegation</mark>' in shown.text
    assert "<script>window" not in shown.text and "<img src" not in shown.text
    missing = client.get("/sources/%3Cscript%3E.txt")
    assert missing.status_code == 404 and "&lt;script&gt;.txt" in missing.text
    assistant.close()

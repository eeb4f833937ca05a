"""Pages of PDF sources: every passage and quote knows the page it starts on.

Two PDFs are typeset in the test: the invented final-acts sample (running heads, page numbers,
acts over page breaks; cleaned before indexing, so offsets move) and an invented commentary
with printed page labels starting at 41. The truth is computed apart from the code under test:
each quote's opening letters are looked up in the text pypdf extracts page by page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from data.make_final_acts_pdf import write_pdf
from fakes import KeywordEmbeddings
from fpdf import FPDF
from pypdf import PdfReader

from assistant import Assistant
from assistant.index.catalog import Catalog

DATA = Path(__file__).parent.parent / "data"

_TOPICS = [
    ("Lighthouse registers", "register", "lighthouse keepers"),
    ("Coastal stations", "coastal station", "harbour masters"),
    ("Spectrum for test beacons", "beacon band", "radio amateurs"),
    ("Data protection", "personal record", "privacy officers"),
]


def write_commentary(path: Path) -> None:
    """An invented commentary over several pages, whose pages are labelled 41, 42 ..."""
    pdf = FPDF(format=(105, 148))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_page_label(label_style="D", label_start=41)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, "TEST DOCUMENT: an invented commentary written for the tests.")
    pdf.ln(4)
    for n, (heading, thing, people) in enumerate(_TOPICS * 2):
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.multi_cell(0, 6, f"{heading} {n}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for k in range(3):
            pdf.multi_cell(
                0,
                5,
                f"Paragraph {n}.{k} on the {thing}: the {people} of part {n} asked in round {k} "
                f"whether the {thing} would stay open to observers of group {n * 7 + k}. "
                f"The answer of the chair for item {n}-{k} was that the {thing} would stay "
                f"open until the review of year {2015 + n + k}.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.ln(3)
    pdf.output(str(path))


def _letters(text: str) -> str:
    return re.sub(r"\W", "", text).lower()


def true_page(pdf: Path, quote: str) -> int | None:
    """The 1-based page on which the quote's opening letters are found (None: not unique)."""
    pages = [_letters(p.extract_text() or "") for p in PdfReader(pdf).pages]
    joined = "".join(pages)
    starts = [sum(len(p) for p in pages[:i]) for i in range(len(pages))]
    for size in (60, 40, 24):
        key = _letters(quote)[:size]
        if len(key) < 12 or joined.count(key) != 1:
            continue
        at = joined.index(key)
        return max(i + 1 for i, s in enumerate(starts) if s <= at)
    return None


@pytest.fixture
def paged(tmp_path: Path) -> Iterator[tuple[Assistant, Path]]:
    sources = tmp_path / "sources"
    sources.mkdir()
    write_pdf((DATA / "final-acts-sample.txt").read_text("utf-8"), sources / "acts.pdf")
    write_commentary(sources / "commentary.pdf")
    (sources / "notes.md").write_text("# Notes\n\nA note without pages on the register.\n")
    assistant = Assistant.open(
        sources=sources, index=tmp_path / "index", embeddings=KeywordEmbeddings()
    )
    yield assistant, sources
    assistant.close()


def test_every_passage_of_both_pdfs_starts_on_its_true_page(
    paged: tuple[Assistant, Path], tmp_path: Path
) -> None:
    assistant, sources = paged
    catalog = Catalog(tmp_path / "index")
    checked = 0
    for source in ("acts.pdf", "commentary.pdf"):
        pages = catalog.pages(source)
        assert pages is not None and len(pages.starts) > 3, source
        ids = catalog.chunk_ids(sources=[source])
        for chunk in catalog.chunks(ids).values():
            for sentence in chunk.sentences:
                truth = true_page(sources / source, sentence.text)
                if truth is None:
                    continue
                assert pages.page_at(sentence.start) == truth, (source, sentence.text)
                checked += 1
    assert checked >= 40
    catalog.close()


def test_citations_carry_page_label_and_locator(paged: tuple[Assistant, Path]) -> None:
    assistant, sources = paged
    answer = assistant.ask("Who asked whether the beacon band would stay open in round 2?")
    cited = [c for c in answer.citations if c.source == "commentary.pdf"]
    assert cited
    for c in cited:
        assert c.page == true_page(sources / "commentary.pdf", c.quote)
        assert c.page_label == str(40 + c.page)
        assert c.locator.endswith(f", p. {c.page_label}")
        assert assistant.source_text(c.source)[c.start : c.end] == c.quote  # type: ignore[index]
    acts = assistant.ask("What does Resolution 102 resolve about entries in the register?")
    official = [c for c in acts.citations if c.source == "acts.pdf"]
    assert official
    for c in official:
        assert c.page is not None and c.page_label is None  # the sample declares no labels
        assert c.page == true_page(sources / "acts.pdf", c.quote)
        assert re.search(rf"Resolution 102 .* › .*, p\. {c.page}$", c.locator), c.locator
    for p in acts.passages:
        assert (p.page is None) == (p.source == "notes.md")


def test_an_index_built_before_pages_gets_them_without_embedding(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    write_commentary(sources / "commentary.pdf")
    emb = KeywordEmbeddings()
    Assistant.open(sources=sources, index=tmp_path / "index", embeddings=emb).close()
    with sqlite3.connect(tmp_path / "index" / "catalog.sqlite") as db:
        db.execute("DELETE FROM pages")  # as an index built before pages were kept
    db.close()
    emb.reset()
    assistant = Assistant.open(sources=sources, index=tmp_path / "index", embeddings=emb)
    assert assistant.last_report is not None
    assert assistant.last_report.unchanged == ["commentary.pdf"]
    assert emb.document_calls == 0
    answer = assistant.ask("Who asked whether the register would stay open?")
    assert answer.citations and all(c.page for c in answer.citations)
    assistant.close()

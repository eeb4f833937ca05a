"""Editions across formats: the newer edition typeset as a PDF (narrow pages, running heads,
page numbers; read through the parse worker), the older one as text. The comparison finds the
same planted changes as between the two text files, and nothing the layout made up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import KeywordEmbeddings
from helpers.editions import EDITIONS, NEW, OLD

from assistant import Assistant
from assistant.ingest.finalacts import clean_text


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    from data.make_final_acts_pdf import write_pdf

    root = tmp_path_factory.mktemp("editions-pdf")
    sources = root / "sources"
    sources.mkdir()
    (sources / OLD).write_text((EDITIONS / OLD).read_text("utf-8"), "utf-8")
    write_pdf(clean_text((EDITIONS / NEW).read_text("utf-8")), sources / "final-acts-2014.pdf")
    opened = Assistant.open(sources=sources, index=root / "index", embeddings=KeywordEmbeddings())
    yield opened
    opened.close()


def changed(assistant: Assistant, act: str) -> set[tuple[str, str, str, str]]:
    comparison = assistant.compare(act)
    for change in comparison.changes:
        for side in (change.old, change.new):
            if side is not None:
                text = assistant.source_text(side.source)
                assert text is not None and text[side.start : side.end] == side.quote
    return {(c.kind, c.block, c.old_item, c.new_item) for c in comparison.changed}


def test_a_pdf_edition_compares_like_its_text(mixed: Assistant) -> None:
    assert "final-acts-2014.pdf" in {s.id for s in mixed.sources()}
    assert changed(mixed, "130") == {
        ("added", "recalling", "", "c)"),
        ("modified", "considering", "b)", "b)"),
        ("removed", "considering", "c)", ""),
        ("added", "resolves", "", "2"),
        ("moved", "resolves", "2", "3"),
        ("moved", "resolves", "3", "4"),
    }
    assert changed(mixed, "101") == {("modified", "noting", "a)", "a)")}
    assert changed(mixed, "102") == {("added", "resolves", "", "3")}

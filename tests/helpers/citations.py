"""Checks on answers that several test files share (fake embeddings and the real model alike)."""

from __future__ import annotations

from assistant import Answer, Assistant, Citation
from assistant.schema import page_suffix


def check_citations(assistant: Assistant, answer: Answer) -> None:
    """Every citation is verbatim at its offsets, numbered in order and marked in the text."""
    # One marker per reference (quotes of one passage share it), numbered 1, 2 ... in order.
    markers = [c.marker for c in answer.citations]
    assert sorted(set(markers)) == list(range(1, len(set(markers)) + 1))
    assert list(dict.fromkeys(markers)) == sorted(set(markers))
    places = {(p.source, p.locator) for p in answer.passages}
    for c in answer.citations:
        assert isinstance(c, Citation)
        text = assistant.source_text(c.source)
        assert text is not None
        assert c.quote == text[c.start : c.end]
        assert c.quote.strip()
        assert f"[{c.marker}]" in answer.text
        # A PDF's locator ends with the page the quote starts on.
        assert (c.source, c.locator.removesuffix(page_suffix(c.page, c.page_label))) in places
    if answer.abstained:
        assert answer.citations == []

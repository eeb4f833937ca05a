"""Checks on answers that several test files share (fake embeddings and the real model alike)."""

from __future__ import annotations

from assistant import Answer, Assistant, Citation


def check_citations(assistant: Assistant, answer: Answer) -> None:
    """Every citation is verbatim at its offsets, numbered in order and marked in the text."""
    assert [c.marker for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    places = {(p.source, p.locator) for p in answer.passages}
    for c in answer.citations:
        assert isinstance(c, Citation)
        text = assistant.source_text(c.source)
        assert text is not None
        assert c.quote == text[c.start : c.end]
        assert c.quote.strip()
        assert f"[{c.marker}]" in answer.text
        assert (c.source, c.locator) in places
    if answer.abstained:
        assert answer.citations == []

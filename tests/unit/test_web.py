"""The web chat's pure rendering helpers and index status; the real app over the real model, via
gradio_client, is in tests/integration/test_web_app.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.interfaces.watch import IndexStatus
from assistant.interfaces.web import (
    answer_html,
    block_html,
    paragraph_bounds,
    passage_html,
    report_html,
    sources_html,
    status_html,
    text_html,
)
from assistant.schema import Answer, Citation, IndexReport, Passage, SourceInfo

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


# -- pure rendering -------------------------------------------------------------------------


def test_text_html_escapes_markup_and_keeps_lines() -> None:
    assert text_html(XSS) == (
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x "
        "onerror=&quot;window.__pwned=1&quot;&gt;"
    )
    assert text_html("a & b\r\nc\nd") == "a &amp; b<br>c<br>d"
    # A blank line would end the one-line HTML block and let Markdown parse the rest.
    assert block_html("question", "one\n\ntwo") == '<div class="question">one<br><br>two</div>'


SOURCE = "Title\n\nFirst paragraph here.\n\nAlpha beta <b>gamma</b> delta.\nSecond line.\n  \nLast."


def test_paragraph_bounds_expand_to_the_blank_line_block() -> None:
    start = SOURCE.index("<b>gamma")
    low, high = paragraph_bounds(SOURCE, start, start + len("<b>gamma</b>"))
    assert SOURCE[low:high] == "Alpha beta <b>gamma</b> delta.\nSecond line."
    assert paragraph_bounds(SOURCE, 0, 5) == (0, 5)
    last = SOURCE.index("Last")
    assert SOURCE[slice(*paragraph_bounds(SOURCE, last, last + 4))] == "Last."


def test_passage_html_highlights_the_quote_inside_its_escaped_paragraph() -> None:
    start = SOURCE.index("<b>gamma")
    shown = passage_html(SOURCE, start, start + len("<b>gamma</b>"))
    assert shown == ("Alpha beta <mark>&lt;b&gt;gamma&lt;/b&gt;</mark> delta.<br>Second line.")


def test_passage_html_cuts_long_paragraphs_around_the_quote() -> None:
    text = " ".join(f"w{i}" for i in range(2000)) + " QUOTE " + "xxx " * 900
    start = text.index("QUOTE")
    shown = passage_html(text, start, start + 5, limit=100)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "<mark>QUOTE</mark>" in shown and len(shown) < 300


def _citation(marker: int, source_text: str, quote: str, title: str = "Commentary") -> Citation:
    start = source_text.index(quote)
    return Citation(marker, "doc.txt", title, "Section ¶2", quote, start, start + len(quote))


def test_answer_html_links_markers_to_their_references() -> None:
    text = "Intro.\n\nCWG-Internet is open to member states only. Others wait.\n\nEnd."
    c = _citation(1, text, "CWG-Internet is open to member states only.")
    answer = Answer("Only member states take part. [1] See also [7].", [c], False, [])
    shown = answer_html(answer, {"doc.txt": text}.get, "a1")
    assert '<a class="cite" href="#a1-1"' in shown and ">[1]</a>" in shown
    assert "[7]" in shown and "#a1-7" not in shown  # no reference, no link
    assert '<details class="ref" id="a1-1">' in shown
    assert "<mark>CWG-Internet is open to member states only.</mark> Others wait." in shown
    assert "\n" not in shown


def test_a_context_reference_is_shown_as_context_not_as_an_answer() -> None:
    text = "Intro.\n\nDelegates elected a new leadership team. Others wait.\n\nEnd."
    c = replace(_citation(1, text, "Delegates elected a new leadership team."), role="context")
    answer = Answer("The sources do not give a name for this. [1]", [c], True, [])
    shown = answer_html(answer, {"doc.txt": text}.get, "a1")
    assert "Context: the nearest passage, which does not answer the question" in shown
    assert ">References<" not in shown
    assert "**Context**" in answer.to_markdown() and "References" not in answer.to_markdown()
    answered = Answer("They elected a team. [1]", [replace(c, role="answer")], False, [])
    assert ">References<" in answer_html(answered, {"doc.txt": text}.get, "a2")
    assert "**References**" in answered.to_markdown()


def test_answer_html_escapes_source_and_answer_text() -> None:
    text = f"Para one.\n\nThe note reads {XSS} here.\n"
    c = _citation(1, text, XSS, title=f"Title {XSS}")
    answer = Answer(f"It says {XSS} [1]", [c], False, [], notice=f"Note {XSS}")
    shown = answer_html(answer, {"doc.txt": text}.get, "a2")
    assert "<script" not in shown and "<img" not in shown
    assert shown.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") == 5


def test_answer_html_falls_back_to_the_quote_when_the_source_is_gone() -> None:
    c = Citation(1, "gone.txt", "Gone", "¶1", "a <quote>", 0, 9)
    shown = answer_html(Answer("Text [1]", [c], False, []), {}.get, "a3")
    assert "<mark>a &lt;quote&gt;</mark>" in shown


def test_abstention_names_the_closest_sources() -> None:
    near = [
        Passage(f"passage {i} <b>", "doc.txt", "Impressions", f"Sec ¶{i}", "commentary", 0.1, 0, 10)
        for i in range(5)
    ]
    answer = Answer("The sources do not answer this question.", [], True, near)
    shown = answer_html(answer, {}.get, "a4")
    assert 'class="answer abstained"' in shown and "Closest sources" in shown
    assert shown.count('class="ref near"') == 3 and "passage 0 &lt;b&gt;" in shown


def test_sources_html_indents_resolutions_under_their_file() -> None:
    rows = [
        SourceInfo("acts.pdf", "Final Acts <2014>", "resolution", 9),
        SourceInfo("acts.pdf#Resolution 102", "Resolution 102", "resolution", 4, parent="acts.pdf"),
    ]
    shown = sources_html(rows)
    assert "Final Acts &lt;2014&gt;" in shown
    assert '<tr class="child"><td>↳ Resolution 102</td><td>resolution</td><td>4</td>' in shown
    assert "No sources" in sources_html([])


def test_report_html_lists_failures_with_reasons() -> None:
    report = (
        IndexReport(failed=[("big.pdf", "too big")])  # refused before indexing
        .merge(IndexReport(added=["a.txt"], unchanged=["b.txt"], chunks_embedded=3, seconds=1.0))
        .merge(IndexReport(unchanged=["a.txt", "b.txt"], failed=[("c.pdf", "no text <layer>")]))
    )
    assert report.added == ["a.txt"] and report.unchanged == ["b.txt"]
    shown = report_html(report)
    assert "1 added" in shown and "2 failed" in shown
    assert "<b>c.pdf</b>: no text &lt;layer&gt;" in shown and "<b>big.pdf</b>: too big" in shown


def test_index_status_counts_files_and_resolutions() -> None:
    status = IndexStatus(watching=True)
    status.start()
    rows = [
        SourceInfo("a.txt", "A", "commentary", 5),
        SourceInfo("f.pdf", "F", "resolution", 7),
        SourceInfo("f.pdf#R1", "R1", "resolution", 7, parent="f.pdf"),
    ]
    assert "Re-indexing" in status_html(status, rows)
    status.record(error="locked <x>")
    shown = status_html(status, rows)
    assert "2 files</b>, 1 resolutions and decisions, 12 chunks" in shown
    assert "locked &lt;x&gt;" in shown and "re-indexed automatically" in shown
    with pytest.raises(OSError), status.running():
        raise OSError("disk full")
    assert not status.busy and status.error and "disk full" in status.error


def test_the_first_screen_says_what_is_indexed_and_how_to_add_final_acts() -> None:
    from assistant.interfaces.web.render import indexed_summary

    commentary = SourceInfo("notes.txt", "Notes", "commentary", 12)
    line = indexed_summary([commentary])
    assert line.startswith("Indexed: 1 commentary.")
    assert "No final acts yet" in line and "itu.int" in line
    acts = [
        SourceInfo("fa.pdf", "Final Acts", "final-acts", 40),
        SourceInfo("fa.pdf#Resolution 1 (Busan, 2014)", "Resolution 1", "resolution", 20, "fa.pdf"),
        SourceInfo("fa.pdf#Decision 2 (Busan, 2014)", "Decision 2", "decision", 20, "fa.pdf"),
    ]
    assert indexed_summary([commentary, *acts]) == (
        "Indexed: 1 commentary, 2 resolutions and decisions."
    )

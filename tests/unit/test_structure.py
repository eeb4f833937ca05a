"""Structure: commentary sections and paragraphs with locators and exact offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import sources, structure
from assistant.schema import Segment

REPO = Path(__file__).resolve().parents[2]
DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
COMMENTARY = "itu-plenipot-2014-impressions.txt"


def extracted(folder: Path, source_id: str) -> tuple[str, str, sources.LoadedSource]:
    (found,) = [f for f in sources.scan(folder) if f.id == source_id]
    loaded = sources.load(found)
    text, shape = structure.prepare(loaded.text)
    return text, shape, loaded


@pytest.fixture(scope="module")
def commentary() -> tuple[str, list[Segment]]:
    text, shape, loaded = extracted(REPO / "sources", COMMENTARY)
    assert shape == "commentary"
    return text, structure.segments(text, shape, kind=loaded.kind)


def test_commentary_text_is_indexed_unchanged(commentary: tuple[str, list[Segment]]) -> None:
    text, _ = commentary
    _, _, loaded = extracted(REPO / "sources", COMMENTARY)
    assert text == loaded.text


def test_every_segment_is_its_slice(commentary: tuple[str, list[Segment]]) -> None:
    text, segs = commentary
    assert len(segs) > 30
    for seg in segs:
        assert seg.text == text[seg.start : seg.end]
        assert seg.text == seg.text.strip() and seg.text
        assert seg.kind == "commentary" and seg.part == ""
    starts = [s.start for s in segs]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(segs, segs[1:], strict=False))


def test_headings_become_locators(commentary: tuple[str, list[Segment]]) -> None:
    _, segs = commentary
    by_locator = {s.locator: s for s in segs}
    second = by_locator["Cybersecurity and surveillance ¶2"]
    assert second.text.startswith("On one hand, delegates anticipated")
    assert by_locator["Cybersecurity and surveillance ¶1"].text.startswith("Under the aegis")
    assert "Cybersecurity and surveillance ¶4" not in by_locator
    assert by_locator["Introduction ¶1"].text.startswith("A tape loop")
    assert by_locator["Conclusion ¶1"].text.startswith("The ITU has overcome")
    # Headings themselves are never passages.
    assert not any(s.text in ("Introduction", "Conclusion", "On transparency") for s in segs)


def test_resolution_lines_name_the_subject(commentary: tuple[str, list[Segment]]) -> None:
    _, segs = commentary
    by_locator = {s.locator: s for s in segs}
    assert by_locator["Cybersecurity and surveillance ¶1"].group == (
        "Cybersecurity and surveillance (Resolution 130 (Rev Busan, 2014))"
    )
    # A second resolution line in the same section changes the subject, not the section.
    assert by_locator["More on Internet related issues ¶1"].group.endswith(
        "(Resolution 101 (Rev Busan, 2014))"
    )
    assert by_locator["More on Internet related issues ¶3"].group.endswith(
        "(Resolution 102 (Rev Busan, 2014))"
    )
    assert by_locator["On transparency ¶1"].group == "On transparency"


def test_a_resolution_line_is_a_passage_of_its_own(commentary: tuple[str, list[Segment]]) -> None:
    # It answers "Which resolution covers counterfeit devices?"; it is no numbered paragraph.
    text, segs = commentary
    by_locator = {s.locator: s for s in segs}
    line = by_locator["Counterfeiting of devices › Resolution Com5/4 (Busan, 2014)"]
    assert line.text == "Resolution Com5/4 (Busan, 2014)" == text[line.start : line.end]
    assert line.group == "Counterfeiting of devices (Resolution Com5/4 (Busan, 2014))"
    assert by_locator["Counterfeiting of devices ¶1"].text.startswith("One of the new")


def test_only_the_resolution_line_names_its_sections_act() -> None:
    from assistant.ingest.chunking import chunk_source

    text, shape, loaded = extracted(REPO / "sources", COMMENTARY)
    chunks = chunk_source(COMMENTARY, structure.segments(text, shape, kind=loaded.kind))
    lines = [c.text for c in chunks if c.names_act]
    assert "Resolution Com5/4 (Busan, 2014)" in lines
    assert "Resolution WG-PL/3 (Busan, 2014)" in lines
    assert all(c.text.startswith(("Resolution", "Decision")) for c in chunks if c.names_act)
    assert sum(c.names_act for c in chunks) == len(lines) < 10


def test_title_lines_are_not_sections(commentary: tuple[str, list[Segment]]) -> None:
    _, segs = commentary
    assert not any(
        s.locator.startswith(("ITU Plenipotentiary 2014", "Impressions and")) for s in segs
    )
    assert segs[0].locator.startswith(structure.OPENING + " ¶")


def test_paragraph_broken_by_a_page_break_stays_one(
    commentary: tuple[str, list[Segment]],
) -> None:
    # The shipped text has paragraphs cut in two by a blank line mid-sentence ("Furthermore,
    # there\n\nseemed to be ..."). A block that starts in lower case after a block that ends
    # without closing punctuation continues that paragraph; otherwise a citation quotes half a
    # sentence and the paragraph numbers after it are off by one.
    _, segs = commentary
    for before, after in zip(segs, segs[1:], strict=False):
        continues = after.text[:1].islower() and not before.text.endswith(structure._TERMINAL)
        assert not (continues and before.group == after.group), (before.locator, after.locator)
    by_locator = {s.locator: s for s in segs}
    assert "seemed to be an acknowledgement" in by_locator["Introduction ¶3"].text
    assert by_locator["Introduction ¶4"].text.startswith("In summary")


def test_markdown_headings() -> None:
    text = (
        "# Title of the notes\n\nIntro paragraph, before any section.\n\n"
        "## First section\n\nOne paragraph here.\n\nAnother paragraph here.\n\n"
        "### Deeper section\n\nDeep paragraph.\n"
    )
    segs = structure.commentary_segments(text)
    assert [s.locator for s in segs] == [
        "Title of the notes ¶1",
        "First section ¶1",
        "First section ¶2",
        "Deeper section ¶1",
    ]
    assert all(text[s.start : s.end] == s.text for s in segs)


def test_plain_heading_rules() -> None:
    text = (
        "Report title\n\nFirst paragraph of the body, which ends properly.\n\n"
        "Budget\n\nThe budget was cut.\n\n"
        "This line ends with a full stop.\n\nIt is a paragraph, not a heading.\n\n"
        "a lower-case line\n\nFollows it.\n"
    )
    locators = [s.locator for s in structure.commentary_segments(text)]
    assert locators == [
        f"{structure.OPENING} ¶1",
        "Budget ¶1",
        "Budget ¶2",
        "Budget ¶3",
        "Budget ¶4",
        "Budget ¶5",
    ]


def test_multiline_block_is_one_paragraph() -> None:
    text = "Section\n\nintro.\n\nSection two\n\nline one of a paragraph\nline two of it.\n"
    segs = structure.commentary_segments(text, kind="commentary")
    assert segs[-1].text == "line one of a paragraph\nline two of it."
    assert segs[-1].locator == "Section two ¶1"


def test_whitespace_and_crlf_offsets() -> None:
    text = "  \n\nHeading here\n\n   Indented paragraph with spaces around it.   \n\n\n\nEnd.\n"
    for seg in structure.commentary_segments(text):
        assert text[seg.start : seg.end] == seg.text == seg.text.strip()


def test_kind_from_sidecar_reaches_segments() -> None:
    segs = structure.segments(
        "Body text of a speech, in one paragraph.", "commentary", kind="speech"
    )
    assert [s.kind for s in segs] == ["speech"]
    assert structure.segments("Some text.", "commentary", kind="")[0].kind == "commentary"


def test_final_acts_are_detected_and_keep_offsets() -> None:
    text, shape, _ = extracted(DOCS, "final-acts-sample.txt")
    assert shape == "final-acts"
    segs = structure.segments(text, shape)
    assert all(text[s.start : s.end] == s.text for s in segs)
    locators = [s.locator for s in segs]
    assert "Resolution 999 (Busan, 2014) › resolves 2" in locators
    assert "Decision 77 (Rev. Busan, 2014) › decides" in locators
    assert {s.kind for s in segs} == {"resolution", "decision"}
    assert {s.part for s in segs} == {"title", "preamble", "operative"}


def test_commentary_that_mentions_resolutions_is_not_final_acts() -> None:
    _, shape, _ = extracted(REPO / "sources", COMMENTARY)
    assert shape == "commentary"
    _, shape, _ = extracted(DOCS, "lighthouse-notes.md")
    assert shape == "commentary"


def test_title_and_byline_are_not_numbered_paragraphs() -> None:
    text = (
        "An invented commentary on an imaginary conference:\n\n"
        "Impressions of an invented observer\n\nby A. N. Author\n\n12 November 2014\n\n"
        "The first real paragraph says something.\n\nMore\n\nThe next section's paragraph.\n"
    )
    found = [(s.locator, s.text) for s in structure.commentary_segments(text)]
    assert found == [
        ("Opening ¶1", "The first real paragraph says something."),
        ("More ¶1", "The next section's paragraph."),
    ]

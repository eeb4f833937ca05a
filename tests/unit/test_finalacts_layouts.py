"""The final-acts reader on the layouts users get: PDF lines, running text, bullets, double
spacing, prefixed headings, web chrome, footnotes and front matter. Every document here is
written for the tests with invented clauses (tests/data/final-acts-layouts/, and the two
samples); none is ITU text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.ingest import structure
from assistant.ingest.finalacts import clean_text, looks_like_final_acts, parse_final_acts

DATA = Path(__file__).parents[1] / "data"
LAYOUTS = DATA / "final-acts-layouts"
CANONICAL = LAYOUTS / "canonical.txt"
DISCLAIMER = "TEST DOCUMENT written for the tests of this project; invented clauses, not ITU text."
CONF = "The Plenipotentiary Conference of the International Telecommunication Union (Busan, 2014),"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def signature(text: str) -> list[tuple[object, ...]]:
    return [
        (
            a.label,
            a.change_mark,
            a.title,
            [(c.block, c.item, " ".join(c.text.split())) for c in a.clauses],
        )
        for a in parse_final_acts(text)
    ]


def locators(text: str) -> list[str]:
    return [s.locator for s in structure.segments(text, "final-acts")]


def _bodies(text: str, rewrite: Callable[[list[str]], list[str]]) -> str:
    """`text` with each act body (the lines after a conference line, up to a blank line, an
    annex, a footnote or the next act) rewritten."""
    out: list[str] = []
    body: list[str] = []
    inside = False
    for line in text.split("\n"):
        stops = not line or re.match(r"^(ADD|MOD|SUP|RESOLUTION|DECISION|ANNEX|¹)", line)
        if line.startswith("The Plenipotentiary Conference") or stops:
            out += rewrite(body) if body else []
            body, inside = [], line.startswith("The Plenipotentiary Conference")
            out.append(line)
        elif inside:
            body.append(line)
        else:
            out.append(line)
    return "\n".join(out + (rewrite(body) if body else []))


LAYOUT_MAKERS: dict[str, Callable[[str], str]] = {
    # A web copy's body as one paragraph.
    "running text": lambda t: _bodies(t, lambda b: [" ".join(b)]),
    # The same, the conference line running into the body.
    "running text from the conference line": lambda t: re.sub(
        r"\(Busan, 2014\),\n(?=\S)", "(Busan, 2014), ", _bodies(t, lambda b: [" ".join(b)])
    ),
    "bullets": lambda t: _bodies(t, lambda b: [f"• {line}" for line in b]),
    "double spaced (each <br> a paragraph)": lambda t: "\n\n".join(t.split("\n")),
    "PP prefix": lambda t: re.sub(r"^(RESOLUTION|DECISION)", r"PP \1", t, flags=re.MULTILINE),
    "blank line in the conference line": lambda t: t.replace(
        "Telecommunication Union (Busan, 2014),", "Telecommunication Union\n\n(Busan, 2014),"
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUT_MAKERS))
@pytest.mark.parametrize(
    "path", [CANONICAL, DATA / "final-acts-sample.txt", DATA / "final-acts-other.txt"]
)
def test_every_layout_parses_into_the_same_acts_and_clauses(path: Path, layout: str) -> None:
    canonical = clean_text(read(path))
    laid_out = LAYOUT_MAKERS[layout](canonical)
    assert laid_out != canonical
    cleaned = clean_text(laid_out)
    assert signature(cleaned) == signature(canonical)
    assert clean_text(cleaned) == cleaned
    for s in structure.segments(cleaned, "final-acts"):
        assert s.text == cleaned[s.start : s.end]


def test_the_layout_documents_say_they_are_invented() -> None:
    for path in LAYOUTS.iterdir():
        assert read(path).splitlines()[0] == DISCLAIMER, path


def test_canonical_document_locators_checked_by_hand() -> None:
    r310, r311 = "Resolution 310 (Rev. Busan, 2014)", "Resolution 311 (Busan, 2014)"
    instructs = (
        "instructs the Secretary-General, in consultation with the Directors of the three Bureaux"
    )
    assert locators(clean_text(read(CANONICAL))) == [
        "Front matter ¶1",
        "Front matter › Explanatory notes ¶1",
        "Front matter › Explanatory notes ¶2",
        "Front matter › Explanatory notes ¶3",
        f"{r310} › title",
        f"{r310} › recalling a)",
        f"{r310} › recalling b)",
        f"{r310} › considering a)",
        f"{r310} › considering b)",
        f"{r310} › considering further",
        f"{r310} › noting with satisfaction",
        f"{r310} › resolves 1",
        f"{r310} › resolves 2",
        f"{r310} › resolves 3",
        f"{r310} › {instructs} 1",
        f"{r310} › {instructs} 2",
        f"{r310} › invites Member States and Sector Members",
        f"{r310} › annex",
        f"{r310} › annex 1",
        f"{r310} › annex 2",
        f"{r310} › footnote 1",
        f"{r311} › title",
        f"{r311} › bearing in mind",
        f"{r311} › resolves",
        f"{r311} › instructs the Director of the Radiocommunication Bureau",
        f"{r311} › encourages Member States",
        "Resolution 299 (Rev. Guadalajara, 2010) › title",
        "Decision 12 (Rev. Busan, 2014) › title",
        "Decision 12 (Rev. Busan, 2014) › considering",
        "Decision 12 (Rev. Busan, 2014) › decides 1",
        "Decision 12 (Rev. Busan, 2014) › decides 2",
    ]


def test_front_matter_explains_the_change_marks() -> None:
    text = clean_text(read(CANONICAL))
    front = [s for s in structure.segments(text, "final-acts") if s.group == "Front matter"]
    marks = next(s for s in front if "MOD marks" in s.text)
    assert marks.locator == "Front matter › Explanatory notes ¶2"
    assert "MOD marks a resolution or decision that this conference revised." in marks.text


def test_pdf_footnote_at_a_page_foot_is_its_own_passage() -> None:
    text = clean_text(read(LAYOUTS / "pdf-footnotes.txt"))
    segments = structure.segments(text, "final-acts")
    r420 = "Resolution 420 (Rev. Busan, 2014)"
    assert [s.locator for s in segments if s.group.startswith(r420)] == [
        f"{r420} › title",
        f"{r420} › considering a)",
        f"{r420} › considering b)",
        f"{r420} › resolves 1",
        f"{r420} › resolves 2",
        f"{r420} › instructs the Secretary-General",
        f"{r420} › footnote 2",
    ]
    by_locator = {s.locator: s.text for s in segments}
    # The marker is split from its word; the item that crossed the page break is whole, and
    # neither the footnote nor the running head "Res. 420   77" is inside it.
    assert "radio beacons² to guide walkers;" in by_locator[f"{r420} › considering a)"]
    assert by_locator[f"{r420} › resolves 1"] == (
        "that administrations shall register the invented beacons of their huts with the Union,"
        " and shall update the register when a beacon changes its frequency;"
    )
    assert by_locator[f"{r420} › footnote 2"] == (
        "² Beacons as described in an invented handbook of the imaginary Alpine Club."
    )
    quotes = [s.text for s in segments if not s.locator.endswith("footnote 2")]
    assert not any("Alpine Club" in q or "Res. 420" in q for q in quotes)
    assert [a.label for a in parse_final_acts(text)] == [r420, "Resolution 421 (Busan, 2014)"]


def test_a_footnote_survives_a_pdf_form_feed() -> None:
    raw = (
        "RESOLUTION 7 (BUSAN, 2014)\nAn invented title\n"
        f"{CONF}\nresolves\n1 that invented lamps3 shall be lit at dusk and\n"
        "3 Lamps of an invented kind.\n\fput out at dawn;\n2 that the lamps shall be green.\n"
    )
    [act] = parse_final_acts(clean_text(raw))
    assert [(c.block, c.item, c.text) for c in act.clauses] == [
        ("resolves", "1", "that invented lamps³ shall be lit at dusk and put out at dawn;"),
        ("resolves", "2", "that the lamps shall be green."),
        ("footnote", "3", "³ Lamps of an invented kind."),
    ]


def test_a_number_in_the_text_is_not_taken_for_a_footnote() -> None:
    # "Resolution 58" ends in digits but is no marker; "3 Member States" is a label-less line.
    raw = (
        "RESOLUTION 8 (BUSAN, 2014)\nAn invented title\n"
        f"{CONF}\nrecalling\nthat invented Resolution 58 asked for a report,\nresolves\n"
        "that the report shall be made.\n"
    )
    text = clean_text(raw)
    assert "¹" not in text and "⁵" not in text
    [act] = parse_final_acts(text)
    assert [c.block for c in act.clauses] == ["recalling", "resolves"]


def test_web_copy_with_chrome_prefixes_bullets_and_running_text() -> None:
    text = clean_text(read(LAYOUTS / "web-copy.txt"))
    [act] = parse_final_acts(text)
    assert (act.label, act.title) == (
        "Resolution 530 (Busan, 2014)",
        "Invented signal flags for imaginary lake ferries",
    )
    assert [(c.block, c.item) for c in act.clauses] == [
        ("recalling", "a)"),
        ("recalling", "b)"),
        ("considering further", "a)"),
        ("considering further", "b)"),
        ("resolves", "1"),
        ("resolves", "2"),
        ("invites Member States", ""),
        ("instructs the Secretary-General", ""),
    ]
    assert act.clauses[-1].text == "to publish the reports each year."
    assert not any("Advertisement" in c.text or "Share" in c.text for c in act.clauses)


def test_a_conference_line_running_into_the_preamble() -> None:
    raw = (
        "RESOLUTION 9 (BUSAN, 2014)\nAn invented title\n"
        f"{CONF} considering the invented strategic plans of the Union, resolves to keep them.\n"
    )
    [act] = parse_final_acts(clean_text(raw))
    assert [(c.block, c.text) for c in act.clauses] == [
        ("considering", "the invented strategic plans of the Union,"),
        ("resolves", "to keep them."),
    ]


def test_words_of_a_heading_inside_an_item_do_not_split_it() -> None:
    raw = (
        "RESOLUTION 10 (BUSAN, 2014)\nAn invented title\n"
        f"{CONF}\nresolves\n1 to continue the invented work, taking into account the results,"
        " and to report; 2 to publish, noting the costs, the results.\n"
    )
    [act] = parse_final_acts(clean_text(raw))
    assert [(c.item, c.text) for c in act.clauses] == [
        ("1", "to continue the invented work, taking into account the results, and to report;"),
        ("2", "to publish, noting the costs, the results."),
    ]


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("Res. 185 (Busan, 2014)", "Resolution 185 (Busan, 2014)"),
        ("PP-14 RESOLUTION 185 (BUSAN, 2014)", "Resolution 185 (Busan, 2014)"),
        ("MOD PP Decision 5 (Rev. Busan, 2014)", "Decision 5 (Rev. Busan, 2014)"),
    ],
)
def test_prefixed_headings_start_acts(heading: str, label: str) -> None:
    raw = f"{heading}\nAn invented title\n{CONF}\nresolves\nthat prefixes are read.\n"
    assert looks_like_final_acts(raw)
    [act] = parse_final_acts(clean_text(raw))
    assert act.label == label
    assert act.clauses[0].text == "that prefixes are read."


def test_a_list_of_acts_in_the_front_matter_starts_no_act() -> None:
    raw = (
        f"{DISCLAIMER}\nList of invented acts\n\nRESOLUTION 1 (BUSAN, 2014)\n"
        "RESOLUTION 2 (BUSAN, 2014)\n\nRESOLUTION 1 (BUSAN, 2014)\nAn invented title\n"
        f"{CONF}\nresolves\nthat only real acts count.\n"
    )
    text = clean_text(raw)
    assert [a.label for a in parse_final_acts(text)] == ["Resolution 1 (Busan, 2014)"]
    front = [s.text for s in structure.segments(text, "final-acts") if s.group == "Front matter"]
    assert any("List of invented acts" in t for t in front)


def test_the_report_names_acts_without_clauses() -> None:
    raw = (
        f"{read(CANONICAL)}\nRESOLUTION 8 (BUSAN, 2014)\nAn invented title\n{CONF}\n\n"
        "SUP\nRESOLUTION 9 (BUSAN, 2014)\nAn invented title\n"
    )
    found = structure.summary(clean_text(raw), "final-acts")
    assert found == (
        "final acts: 5 resolutions (310, 311, 299, 8, 9), 1 decision (12), 1 annex (to Resolution"
        " 310); no clauses found in Resolution 8 (Busan, 2014): a likely parsing problem (see the"
        " README's 'Final acts layouts')"
    )
    assert structure.summary("Some commentary.", "commentary") == ""

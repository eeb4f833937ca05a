"""Final-acts detection, PDF clean-up and clause parsing, on documents written for the tests."""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from assistant.ingest.finalacts import (
    Act,
    clean_text,
    final_acts_segments,
    looks_like_final_acts,
    parse_final_acts,
)

DATA = Path(__file__).parents[1] / "data"
SAMPLE = DATA / "final-acts-sample.txt"
OTHER = DATA / "final-acts-other.txt"
COMMENTARY = Path(__file__).parents[2] / "sources" / "itu-plenipot-2014-impressions.txt"
CONFERENCE = (
    "The Plenipotentiary Conference of the International Telecommunication Union (Busan, 2014),"
)
DISCLAIMER = "TEST DOCUMENT written for the tests of this project; invented clauses, not ITU text."
R102 = "Resolution 102 (Rev. Busan, 2014)"
R901 = "Resolution 901 (Busan, 2014)"
D11 = "Decision 11 (Rev. Busan, 2014)"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample() -> str:
    return clean_text(read(SAMPLE))


@pytest.fixture(scope="module")
def acts(sample: str) -> dict[str, Act]:
    return {act.label: act for act in parse_final_acts(sample)}


def blocks_and_items(act: Act) -> list[tuple[str, str, str]]:
    return [(c.part, c.block, c.item) for c in act.clauses]


def signature(text: str) -> list[tuple[object, ...]]:
    """What must survive a trip through PDF: acts, titles, clause labels, clause words."""
    return [
        (
            a.label,
            a.change_mark,
            a.title,
            [(c.part, c.block, c.item, " ".join(c.text.split())) for c in a.clauses],
        )
        for a in parse_final_acts(text)
    ]


# Detection


def test_test_documents_say_they_are_invented() -> None:
    for path in (SAMPLE, OTHER):
        assert read(path).splitlines()[0] == DISCLAIMER


@pytest.mark.parametrize("path", [SAMPLE, OTHER])
def test_final_acts_are_detected_raw_and_cleaned(path: Path) -> None:
    assert looks_like_final_acts(read(path))
    assert looks_like_final_acts(clean_text(read(path)))


def test_commentary_that_names_resolutions_is_not_final_acts() -> None:
    commentary = (
        "Impressions of the conference (invented test text)\n\n"
        "Resolution 130 (Rev Busan, 2014)\n\n"
        "The Plenipotentiary Conference, held in an invented city, revised it.\n\n"
        "RESOLUTION 130 (REV. BUSAN, 2014) was discussed at length.\n"
    )
    assert not looks_like_final_acts(commentary)
    # A heading alone, or the conference line alone, is not enough either.
    assert not looks_like_final_acts("RESOLUTION 5 (BUSAN, 2014)\nSome invented title\n")
    assert not looks_like_final_acts(f"{CONFERENCE}\nconsidering\n")


def test_shipped_commentary_is_not_final_acts() -> None:
    if not COMMENTARY.exists():
        pytest.skip("sources/itu-plenipot-2014-impressions.txt is not shipped in this checkout")
    assert not looks_like_final_acts(read(COMMENTARY))


def test_detection_tolerates_case_and_a_wrapped_conference_line() -> None:
    text = (
        "Resolution 7 (Rev. Busan, 2014)\nAn invented title\n"
        "the plenipotentiary conference of the International\n"
        "Telecommunication Union (Busan, 2014),\nresolves\nthat nothing is real.\n"
    )
    assert looks_like_final_acts(text)


# clean_text


def test_running_heads_and_page_numbers_are_dropped(sample: str) -> None:
    lines = sample.splitlines()
    for artefact in ("Res. 102   123", "124", "Resolution 102", "125   Res. 901", "Dec. 11   126"):
        assert artefact in read(SAMPLE).splitlines()
        assert artefact not in lines
    assert not any(re.fullmatch(r"\d+", line) for line in lines)


def test_hyphenation_and_broken_lines_are_joined(sample: str) -> None:
    lines = sample.splitlines()
    assert (
        "Keeping a register of imaginary lighthouse frequencies for coastal test stations" in lines
    )
    assert "telecommunication test stations in each administration," in sample
    # Joined across a running head at a page break.
    assert "c) that the register should be free of charge for developing countries," in lines
    assert (
        "a) that coastal test stations operated by Member States share a narrow band of "
        "spectrum and may interfere with each other;"
    ) in lines
    joined = clean_text("the Secretary-\nGeneral shall\nreport.")
    assert joined == "the Secretary-General shall report."
    assert clean_text("a telecommu-\nnication network.") == "a telecommunication network."


def test_structural_lines_stay_on_their_own_line(sample: str) -> None:
    lines = sample.splitlines()
    for line in (
        "MOD",
        "RESOLUTION 102 (REV. BUSAN, 2014)",
        CONFERENCE,
        "considering further",
        "instructs the Secretary-General",
        "a) the frequency of the test station;",
        "invites Member States and Sector Members",
    ):
        assert line in lines


@pytest.mark.parametrize("path", [SAMPLE, OTHER])
def test_clean_text_is_idempotent(path: Path) -> None:
    once = clean_text(read(path))
    assert clean_text(once) == once


def test_plain_text_only_has_its_line_endings_normalised(sample: str) -> None:
    assert clean_text(sample.replace("\n", "\r\n")) == sample
    plain = "An invented note.\n\nIt has two paragraphs, one line each.\n"
    assert clean_text(plain) == plain


@pytest.mark.parametrize("width", [32, 45, 58, 71, 84])
def test_text_wrapped_at_any_width_cleans_to_the_same_text(width: int) -> None:
    for path in (SAMPLE, OTHER):
        cleaned = clean_text(read(path))
        wrapped = "\n".join(
            "\n".join(textwrap.wrap(line, width, break_on_hyphens=False)) if line else ""
            for line in cleaned.split("\n")
        )
        assert clean_text(wrapped) == cleaned


# Parsing


def test_acts_in_the_sample(acts: dict[str, Act]) -> None:
    got = [
        (a.kind, a.number, a.revised, a.conference, a.change_mark, a.label) for a in acts.values()
    ]
    assert got == [
        ("resolution", "102", True, "Busan, 2014", "MOD", R102),
        ("resolution", "901", False, "Busan, 2014", "ADD", R901),
        ("resolution", "COM5/9", False, "Busan, 2014", "", "Resolution COM5/9 (Busan, 2014)"),
        (
            "resolution",
            "950",
            True,
            "Guadalajara, 2010",
            "SUP",
            "Resolution 950 (Rev. Guadalajara, 2010)",
        ),
        ("decision", "11", True, "Busan, 2014", "MOD", D11),
    ]
    assert acts[R901].title == "Annual test day for emergency bell signals in fictional harbours"
    assert acts[D11].title == "Creating small working groups for test purposes"


def test_acts_span_from_change_mark_to_last_clause(sample: str, acts: dict[str, Act]) -> None:
    act = acts[R102]
    assert sample[act.start : act.end].startswith("MOD\nRESOLUTION 102 (REV. BUSAN, 2014)\n")
    assert sample[act.start : act.end].endswith("to designate a contact point for the register.")
    spans = [(a.start, a.end) for a in acts.values()]
    assert all(e1 < s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))


def test_clause_blocks_and_items(acts: dict[str, Act]) -> None:
    assert blocks_and_items(acts[R102]) == [
        ("preamble", "recalling", "a)"),
        ("preamble", "recalling", "b)"),
        ("preamble", "considering", "a)"),
        ("preamble", "considering", "b)"),
        ("preamble", "considering", "c)"),
        ("preamble", "considering further", ""),
        ("preamble", "recognizing", "a)"),
        ("preamble", "recognizing", "b)"),
        ("operative", "resolves", "1"),
        ("operative", "resolves", "2"),
        ("operative", "resolves", "3"),
        ("operative", "instructs the Director of the Radiocommunication Bureau", "1"),
        ("operative", "instructs the Director of the Radiocommunication Bureau", "2"),
        ("operative", "invites Member States", ""),
    ]
    assert blocks_and_items(acts[R901])[3:] == [
        ("operative", "resolves", ""),
        ("operative", "instructs the Secretary-General", "1"),
        ("operative", "instructs the Secretary-General", "2"),
        ("operative", "instructs the Directors of the three Bureaux", ""),
        ("operative", "invites Member States and Sector Members", "1"),
        ("operative", "invites Member States and Sector Members", "2"),
    ]
    # "1." labels are read as "1"; a SUP act has a title and no clauses.
    com = acts["Resolution COM5/9 (Busan, 2014)"]
    assert [c.item for c in com.clauses if c.block == "decides"] == ["1", "2"]
    assert acts["Resolution 950 (Rev. Guadalajara, 2010)"].clauses == []


def test_sub_items_stay_inside_their_item(acts: dict[str, Act]) -> None:
    resolves_3 = acts[R102].clauses[10]
    assert (resolves_3.block, resolves_3.item) == ("resolves", "3")
    assert resolves_3.text == (
        "that each entry shall contain:\n"
        "a) the frequency of the test station;\n"
        "b) the approximate location of the test station,"
    )


def test_segments_have_locators(sample: str) -> None:
    segments = {s.locator: s for s in final_acts_segments(sample)}
    report = segments[f"{R901} › instructs the Secretary-General 1"]
    assert "report to the Council" in report.text
    assert report.text.startswith("to collect information")
    assert report.part == "operative" and report.kind == "resolution" and report.group == R901
    assert f"{R901} › instructs the Secretary-General 2" in segments
    assert segments[f"{R901} › resolves"].text.startswith("to establish an annual")
    assert segments[f"{R102} › considering a)"].part == "preamble"
    assert segments[f"{R102} › resolves 2"].text == (
        "that entries in the register shall be confirmed at least once a year;"
    )
    title = segments[f"{D11} › title"]
    assert (title.text, title.part, title.kind) == (
        "Creating small working groups for test purposes",
        "title",
        "decision",
    )
    assert segments[f"{D11} › decides 2"].kind == "decision"


@pytest.mark.parametrize("path", [SAMPLE, OTHER])
def test_every_segment_is_an_exact_quote(path: Path) -> None:
    cleaned = clean_text(read(path))
    segments = final_acts_segments(cleaned)
    assert segments
    for s in segments:
        assert s.text == cleaned[s.start : s.end]
        assert s.text and s.text == s.text.strip()
        assert not re.match(r"\(?[a-z]\)\s|\d+[.)]?\s", s.text)  # the label is not quoted
        assert s.part in ("title", "preamble", "operative")
        assert s.locator.startswith(f"{s.group} › ")
    assert [s.start for s in segments] == sorted(s.start for s in segments)


def test_held_out_document() -> None:
    cleaned = clean_text(read(OTHER))
    [act] = parse_final_acts(cleaned)
    assert (act.label, act.change_mark, act.revised) == (
        "Resolution 977 (Rev. Busan, 2014)",
        "MOD",
        True,
    )
    assert act.title == "Sharing weather observations from imaginary mountain relay stations"
    long_heading = (
        "instructs the Director of the Telecommunication Development Bureau, in close "
        "collaboration with the Director of the Radiocommunication Bureau"
    )
    assert blocks_and_items(act) == [
        ("preamble", "noting with satisfaction", "a)"),
        ("preamble", "noting with satisfaction", "b)"),
        ("preamble", "taking into account", ""),
        ("operative", "resolves", "1"),
        ("operative", "resolves", "2"),
        ("operative", "resolves", "2bis"),
        ("operative", long_heading, "1"),
        ("operative", long_heading, "2"),
        ("operative", "calls upon Member States", ""),
    ]
    assert act.clauses[4].text.endswith("in particular in developing countries;")


def test_general_block_headings_annexes_and_the_end_of_the_acts() -> None:
    text = clean_text(
        f"{DISCLAIMER}\n"
        "MOD RESOLUTION 5 (REV. BUSAN, 2014)\n"
        "An invented title that wraps onto\n"
        "two lines in the source\n"
        "The Plenipotentiary Conference of the International Telecommunication Union\n"
        "(Busan, 2014),\n"
        "commending\n"
        "a)\n"
        "the invented work of an imaginary group;\n"
        "b) its invented report,\n"
        "instructs the Secretary-General,\n"
        "in consultation with the Directors of the three Bureaux,\n"
        "1 to do an invented thing;\n"
        "2 to report to the Council.\n"
        "ANNEX TO RESOLUTION 5 (REV. BUSAN, 2014)\n"
        "Invented terms of\n"
        "reference\n"
        "1 The group meets twice a year.\n"
        "2 The group reports to the Council.\n"
        "\n"
        "DECLARATIONS AND RESERVATIONS\n"
        "1 An invented declaration.\n"
    )
    [act] = parse_final_acts(text)
    assert (act.label, act.change_mark) == ("Resolution 5 (Rev. Busan, 2014)", "MOD")
    assert act.title == "An invented title that wraps onto two lines in the source"
    heading = (
        "instructs the Secretary-General, in consultation with the Directors of the three Bureaux"
    )
    assert blocks_and_items(act) == [
        ("preamble", "commending", "a)"),
        ("preamble", "commending", "b)"),
        ("operative", heading, "1"),
        ("operative", heading, "2"),
        ("operative", "annex", ""),
        ("operative", "annex", "1"),
        ("operative", "annex", "2"),
    ]
    assert act.clauses[0].text == "the invented work of an imaginary group;"
    assert text[act.start : act.end].endswith("The group reports to the Council.")


def test_title_case_heading_counts_next_to_the_conference_line() -> None:
    text = (
        "Resolution 6 (Busan, 2014)\n"
        "An invented title\n"
        f"{CONFERENCE}\n"
        "resolves\n"
        "that title-case headings are read too.\n"
        "Resolution 7 (Busan, 2014)\n"
        "is only mentioned here, so it starts no act.\n"
    )
    [act] = parse_final_acts(text)
    assert act.label == "Resolution 6 (Busan, 2014)"
    assert [c.text for c in act.clauses] == [
        "that title-case headings are read too.\n"
        "Resolution 7 (Busan, 2014)\n"
        "is only mentioned here, so it starts no act."
    ]


# Through a real PDF


def load_pdf_maker() -> ModuleType:
    path = DATA / "make_final_acts_pdf.py"
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", [SAMPLE, OTHER])
def test_pdf_text_parses_like_the_plain_text(path: Path, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    plain = clean_text(read(path))
    pdf = tmp_path / "final-acts.pdf"
    load_pdf_maker().write_pdf(plain, pdf)
    pages = pypdf.PdfReader(pdf).pages
    assert len(pages) > 1
    extracted = "\n".join(page.extract_text() for page in pages)
    running_head = re.compile(r"^(\d+\s+)?(Res|Dec)\. \S+(\s+\d+)?$", re.MULTILINE)
    assert running_head.search(extracted)
    assert looks_like_final_acts(extracted)

    cleaned = clean_text(extracted)
    assert clean_text(cleaned) == cleaned
    assert signature(cleaned) == signature(plain)
    for s in final_acts_segments(cleaned):
        assert s.text == cleaned[s.start : s.end]
